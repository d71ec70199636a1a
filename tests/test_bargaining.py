"""The bargaining layer against textbook and published results (docs/model_brief.md,
known answer 4: regression against known results).

- Collective rules on the EC car-emissions data of Bueno de Mesquita (1994) as re-analysed
  by Scholz, Calbert & Smith (2011): compromise 7.39, weighted median 7.
- Nash (1950) bargaining: closed form vs a numeric argmax of the Nash product.
- Rubinstein (1982): closed form vs backward induction of a long finite alternating-offers
  game, and the limit of short bargaining periods, which is the asymmetric Nash solution
  with weights log d2 / (log d1 + log d2) (Binmore, Rubinstein & Wolinsky 1986).
- The model's drawdowns (F5, F19): Baghdad's share of a zone of agreement is the
  Rubinstein limit, and every agreed drawdown is the proposal the other side accepted.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, packed_value, params_for
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from experiments import closed_forms
from sim.abm import NegotiationModel
from sim.engines.batch import simulate
from sim.model import bargaining

DATA_NAME = "bdm_ec_car_emissions.csv"


def _data_file() -> Path:
    """The EC car-emissions table shipped in data/ (its source: data/README.md)."""
    return Path(REPO) / "data" / DATA_NAME


@pytest.fixture(scope="module")
def ec_data() -> pd.DataFrame:
    d = pd.read_csv(_data_file())
    assert list(d.columns) == ["Actor", "Capability", "Position", "Salience"]
    assert len(d) == 10  # the ten EC member states of the case
    return d


# ------------------------------------------------------------------ collective rules
def test_compromise_on_ec_car_emissions(ec_data):
    """Capability-and-salience-weighted mean of positions: 7.39 (Scholz, Calbert & Smith 2011)."""
    x = bargaining.compromise(ec_data.Capability, ec_data.Position, ec_data.Salience)
    assert round(float(x), 2) == 7.39


def test_weighted_median_on_ec_car_emissions(ec_data):
    """Weighted median of positions (weights capability x salience): 7."""
    x = bargaining.weighted_median(ec_data.Capability, ec_data.Position, ec_data.Salience)
    assert float(x) == 7.0


def test_collective_rules_dispatch_and_broadcast(ec_data):
    """`collective_position` picks the named rule and works row-wise on a runs axis
    (the model keeps positions as (R, F))."""
    c, x, s = (ec_data[k].to_numpy() for k in ("Capability", "Position", "Salience"))
    xs = np.stack([x, x[::-1]])
    for rule, fn in (("compromise", bargaining.compromise), ("weighted_median", bargaining.weighted_median)):
        out = bargaining.collective_position(rule, c, xs, s)
        assert out.shape == (2,)
        assert out[0] == pytest.approx(float(fn(c, x, s)))
        assert out[1] == pytest.approx(float(fn(c, x[::-1], s)))
    with pytest.raises(ValueError):
        bargaining.collective_position("no_such_rule", c, x, s)


# ------------------------------------------------------------------ Nash bargaining
def _numeric_nash(d1, d2, w1, w2) -> float:
    """argmax over x in (d1, 1 - d2) of w1 log(x - d1) + w2 log(1 - x - d2), by scipy."""
    lo, hi = d1, 1.0 - d2
    res = minimize_scalar(
        lambda x: -(w1 * math.log(x - d1) + w2 * math.log(1.0 - x - d2)),
        bounds=(lo + 1e-12, hi - 1e-12), method="bounded", options={"xatol": 1e-12},
    )
    return float(res.x)


@settings(max_examples=60, deadline=None)
@given(
    d1=st.floats(0.0, 0.45), d2=st.floats(0.0, 0.45),
    w1=st.floats(0.05, 5.0), w2=st.floats(0.05, 5.0),
)
def test_nash_bargaining_closed_form_is_the_argmax_of_the_nash_product(d1, d2, w1, w2):
    """Closed form vs numeric argmax (tolerance 1e-6 on a unit surplus; the surplus is at
    least 0.1 so the maximiser is well separated from the bounds)."""
    assert float(closed_forms.nash_bargaining(d1, d2, w1, w2)) == pytest.approx(_numeric_nash(d1, d2, w1, w2), abs=1e-6)


def test_nash_bargaining_known_points():
    """Symmetric split 1/2; disagreement points shift the split one for one; no agreement
    (NaN) when the disagreement points exceed the surplus."""
    assert float(closed_forms.nash_bargaining(0.0, 0.0)) == pytest.approx(0.5)
    assert float(closed_forms.nash_bargaining(0.2, 0.0)) == pytest.approx(0.6)
    assert float(closed_forms.nash_bargaining(0.0, 0.0, 1.0, 3.0)) == pytest.approx(0.25)
    assert math.isnan(float(closed_forms.nash_bargaining(0.7, 0.6)))


# ------------------------------------------------------------------ Rubinstein alternating offers
def _backward_induction(d1: float, d2: float, periods: int) -> float:
    """Player 1's share when proposing first in an alternating-offers game of `periods`
    rounds (player 1 proposes in odd rounds). In the last round the proposer takes all;
    earlier, the proposer offers the responder exactly the discounted value of proposing
    next round and keeps the rest."""
    proposer_share = 1.0  # last round
    for t in range(periods - 1, 0, -1):
        responder_discount = d2 if t % 2 == 1 else d1  # round t's proposer is player 1 if t is odd
        proposer_share = 1.0 - responder_discount * proposer_share
    return proposer_share


@pytest.mark.parametrize("d1, d2", [(0.9, 0.95), (0.5, 0.5), (0.0, 0.9), (0.99, 0.8), (0.999, 0.999), (0.9, 0.0)])
def test_rubinstein_share_is_the_limit_of_finite_alternating_offers(d1, d2):
    """Backward induction over 40,001 rounds converges (error below (d1 d2)^20000) to the
    closed form (1 - d2) / (1 - d1 d2), to 1e-9."""
    assert float(bargaining.rubinstein_share(d1, d2)) == pytest.approx(_backward_induction(d1, d2, 40001), abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(d1=st.floats(0.0, 0.999), d2=st.floats(0.0, 0.999))
def test_rubinstein_shares_make_each_responder_indifferent(d1, d2):
    """Subgame perfection: player 2 accepts x1 = 1 - d2 * x2 and player 1 accepts
    x2 = 1 - d1 * x1, where x_i is player i's share as first proposer; shares lie in (0, 1]."""
    x1 = float(bargaining.rubinstein_share(d1, d2))
    x2 = float(bargaining.rubinstein_share(d2, d1))
    assert 0.0 < x1 <= 1.0 and 0.0 < x2 <= 1.0
    assert x1 == pytest.approx(1.0 - d2 * x2, abs=1e-9)
    assert x2 == pytest.approx(1.0 - d1 * x1, abs=1e-9)


@pytest.mark.parametrize("d1, d2", [(0.9, 0.95), (0.5, 0.8), (0.95, 0.6)])
def test_rubinstein_with_short_periods_tends_to_asymmetric_nash(d1, d2):
    """With period length D, rubinstein_share(d1^D, d2^D) -> the Nash share with weights
    w1 = log d2 / (log d1 + log d2), w2 = log d1 / (...) as D -> 0: the error is below 1e-3
    at D = 1e-4 and shrinks as D does (D = 1, 0.1, 0.01, 0.001, 1e-4)."""
    w1 = math.log(d2) / (math.log(d1) + math.log(d2))
    target = float(closed_forms.nash_bargaining(0.0, 0.0, w1, 1.0 - w1))
    errors = [abs(float(bargaining.rubinstein_share(d1**D, d2**D)) - target) for D in (1, 0.1, 0.01, 0.001, 1e-4)]
    assert errors[-1] < 1e-3
    assert all(a > b for a, b in zip(errors, errors[1:])), errors


# ------------------------------------------------------------------ the model's drawdown
@pytest.mark.parametrize(
    "overrides",
    [(), ("scenario.behaviour.baghdad_patience=0.5", "scenario.washington.patience=0.8"), ("scenario=amicable_dialogue",)],
)
def test_baghdads_share_of_a_deal_is_the_rubinstein_limit(overrides):
    """The model's Baghdad share of a zone of agreement (the kernels' `BAGHDAD_POWER`) is
    log d_W / (log d_B + log d_W), the limit of Rubinstein's first-proposer share as the
    time between offers goes to 0 (Binmore, Rubinstein & Wolinsky 1986): checked against
    rubinstein_share with per-round discount factors d^dt, dt = 1e-5 (F5, F19)."""
    p = params_for(*overrides)
    d_b, d_w = p.behaviour.baghdad_patience, p.washington.patience
    power = packed_value(p, "BAGHDAD_POWER")
    assert power == pytest.approx(math.log(d_w) / (math.log(d_b) + math.log(d_w)), rel=1e-12)
    assert power == pytest.approx(float(bargaining.rubinstein_share(d_b**1e-5, d_w**1e-5)), abs=1e-5)


@pytest.mark.parametrize(
    "overrides", [(), ("scenario.behaviour.baghdad_patience=0.5", "scenario.washington.patience=0.8")]
)
def test_every_drawdown_in_a_run_is_the_proposal_the_other_side_accepted(overrides):
    """In Mesa runs with agreed drawdowns (the first three such run ids of 200, found by the
    batch engine), each 'drawdown_agreed' names the troops left after removing exactly the
    troops of the offer or proposal it answers (to the nearest troop, as printed), and the
    run's count of agreements matches the events (F5, F19)."""
    p = params_for(*overrides)
    r = simulate(p, np.arange(200))
    hits = np.flatnonzero(r["drawdowns_agreed"] > 0)[:3]
    assert hits.size, "no drawdown agreed in 200 runs"
    for run in hits:
        m = NegotiationModel(p, run_index=int(run), record=True)
        summary = m.run()
        target = p.world.initial_troops
        proposed = None
        agreed = 0
        for e in m.event_log:
            numbers = [int(x.replace(",", "")) for x in re.findall(r"about ([\d,]+)", e["text"])]
            if e["kind"] in ("drawdown_offered", "ask_negotiations"):
                proposed = numbers[0]
            elif e["kind"] == "drawdown_agreed":
                agreed += 1
                target = max(target - (proposed if proposed is not None else 0), 0)
                if proposed is not None:
                    assert abs(numbers[0] - target) <= 1, (run, e["text"], target)
                target = numbers[0]
                proposed = None
        assert agreed == summary["drawdowns_agreed"]
