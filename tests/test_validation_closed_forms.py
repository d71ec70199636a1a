"""Closed-form bargaining results as reductions of this project's own code (issue 6;
docs/validation.md, "Closed forms").

- Rubinstein (1982): the finite alternating-offers game solved backward with the model's
  own choice rule (`choice.logit_probabilities` at rationality inf) as every responder's
  decision: agreement is immediate, and the first proposer's share tends to
  `bargaining.rubinstein_share`; the model's drawdown (the Nash size the kernels compute) is that
  share over the whole allowed range of both patience parameters.
- Nash (1950) with disagreement points and weights: `closed_forms.nash_bargaining` is the
  split the model's best-response rule picks on a fine grid of the Nash product, and it is
  efficient, individually rational and symmetric.
- Fearon (1995): `fearon_range` is the set of deals both sides' best responses prefer to
  war; `fearon_demand` maximises the proposer's expected utility (numeric argmax); and
  `fearon_breakdown` is the share of refusals when B's private cost is drawn with the
  model's keyed random numbers (`draws.uniform`) and B best-responds with the model's
  choice rule. The model's request/breakdown layer does not claim Fearon, so these are
  closed-form checks only (docs/validation.md says why).

Tests from tests/test_bargaining.py cover the rest (finite-horizon limit, Nash argmax,
the short-period limit of Rubinstein, the drawdown in a Mesa run).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import packed_value, params_for, replace_params
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from experiments import closed_forms
from sim.config.schema import BehaviourConfig, WashingtonConfig
from sim.model import bargaining, draws
from sim.model.choice import logit_choice, logit_probabilities

INF = float("inf")


def best_response(payoffs) -> int:
    """Index the model's choice rule picks at rationality inf (ties to the lowest index)."""
    probs = logit_probabilities(np.atleast_2d(np.asarray(payoffs, dtype=np.float64)), INF)
    return int(np.argmax(probs[0]))


# ------------------------------------------------------------------ Rubinstein
def solve_alternating_offers(d1: float, d2: float, periods: int):
    """Backward induction of the alternating-offers game of `periods` rounds (player 1
    proposes in odd rounds; the last proposer takes all). Each responder accepts or rejects
    by the model's choice rule (accept listed first, so ties are accepted), given what it
    gets by proposing next round. Returns, per round t = 1..periods, (proposer's share,
    responder's offer, responder's continuation value)."""
    plan = {}
    proposer_share = 1.0
    plan[periods] = (1.0, 0.0, 0.0)
    for t in range(periods - 1, 0, -1):
        responder_discount = d2 if t % 2 == 1 else d1
        continuation = responder_discount * proposer_share  # the responder proposes in round t + 1
        offer = continuation  # the least the responder accepts
        proposer_share = 1.0 - offer
        plan[t] = (proposer_share, offer, continuation)
    return plan


@pytest.mark.parametrize("d1, d2", [(0.9, 0.95), (0.5, 0.5), (0.99, 0.8), (0.2, 0.7)])
@pytest.mark.parametrize("periods", [2, 3, 10, 101, 2000])
def test_rubinstein_agreement_is_immediate_and_tends_to_the_closed_form(d1, d2, periods):
    """In every finite horizon the responder's best response (the model's choice rule) to
    the first offer is to accept it, and to reject anything less (by 1e-9): agreement in
    round 1, nothing lost to delay. The first proposer's share differs from (1 - d2)/(1 - d1 d2)
    by at most (d1 d2)^((T - 1) // 2) (the last round's all-or-nothing, discounted)."""
    plan = solve_alternating_offers(d1, d2, periods)
    share, offer, continuation = plan[1]
    accept, reject = 0, 1
    assert best_response([offer, continuation]) == accept
    if periods > 1 and continuation > 1e-9:
        assert best_response([offer - 1e-9, continuation]) == reject
    assert share + offer == pytest.approx(1.0)  # efficient: the whole surplus is split at once
    closed = float(bargaining.rubinstein_share(d1, d2))
    assert abs(share - closed) <= (d1 * d2) ** ((periods - 1) // 2) + 1e-12


@settings(max_examples=40, deadline=None)
@given(
    baghdad=st.floats(0.05, BehaviourConfig.__dataclass_fields__["baghdad_patience"].metadata["range"][1]),
    washington=st.floats(0.05, WashingtonConfig.__dataclass_fields__["patience"].metadata["range"][1]),
)
def test_model_deal_share_is_the_rubinstein_limit_over_the_allowed_patience(baghdad, washington):
    """Over the schema's range of both patience parameters (from 0.05), the model's Baghdad
    share of a zone of agreement is the limit, as offers come ever faster, of Baghdad's
    share in the backward-induction solution of the alternating-offers game: with per-round
    factors d^dt, dt = 0.002 / (r_B + r_W) for the rates r = -log d (so that the total
    discount per round is e^-0.002 and 20,001 rounds leave an error below e^-20), the solved
    share is within 0.01 of it."""
    p = replace_params(params_for(), behaviour={"baghdad_patience": baghdad}, washington={"patience": washington})
    model = packed_value(p, "BAGHDAD_POWER")
    dt = 0.002 / (-math.log(baghdad) - math.log(washington))
    solved = solve_alternating_offers(baghdad**dt, washington**dt, 20_001)[1][0]
    assert model == pytest.approx(solved, abs=0.01)


# ------------------------------------------------------------------ Nash bargaining
@settings(max_examples=25, deadline=None)
@given(d1=st.floats(0.0, 0.45), d2=st.floats(0.0, 0.45), w1=st.floats(0.1, 5.0), w2=st.floats(0.1, 5.0))
def test_nash_split_is_the_best_response_over_a_grid_of_the_nash_product(d1, d2, w1, w2):
    """The model's best-response rule over 2,001 splits of the weighted Nash product
    (x - d1)^w1 (1 - x - d2)^w2 (its logarithm; -inf outside individual rationality) picks
    the closed form to within the grid step (5e-4)."""
    grid = np.linspace(0.0, 1.0, 2_001)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_product = w1 * np.log(grid - d1) + w2 * np.log(1.0 - grid - d2)
    log_product = np.where(np.isfinite(log_product), log_product, -1e300)
    picked = grid[best_response(log_product)]
    assert picked == pytest.approx(float(closed_forms.nash_bargaining(d1, d2, w1, w2)), abs=5e-4)


@settings(max_examples=60, deadline=None)
@given(d1=st.floats(0.0, 0.5), d2=st.floats(0.0, 0.5), w1=st.floats(0.05, 5.0), w2=st.floats(0.05, 5.0))
def test_nash_split_is_efficient_rational_and_symmetric(d1, d2, w1, w2):
    """Each player gets at least its disagreement point, each gets its weight's share of
    the surplus over the disagreement points, and swapping the players swaps the split."""
    x = float(closed_forms.nash_bargaining(d1, d2, w1, w2))
    y = float(closed_forms.nash_bargaining(d2, d1, w2, w1))
    surplus = 1.0 - d1 - d2
    assert x >= d1 - 1e-12 and 1.0 - x >= d2 - 1e-12
    assert x - d1 == pytest.approx(w1 / (w1 + w2) * surplus, abs=1e-12)
    assert y == pytest.approx(1.0 - x, abs=1e-12)


# ------------------------------------------------------------------ Fearon
@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.0, 1.0), ca=st.floats(0.0, 0.5), cb=st.floats(0.0, 0.5), x=st.floats(0.0, 1.0))
def test_fearon_range_is_where_both_best_responses_prefer_the_deal(p, ca, cb, x):
    """A deal x (A's share) lies in fearon_range = [p - cA, p + cB] exactly when the model's
    best-response rule prefers it to war for A (x vs p - cA) and for B (1 - x vs 1 - p - cB);
    ties go to the deal, listed first."""
    low, high = closed_forms.fearon_range(p, ca, cb)
    a_deals = best_response([x, p - ca]) == 0
    b_deals = best_response([1.0 - x, 1.0 - p - cb]) == 0
    margin = 1e-12
    if min(abs(x - float(low)), abs(x - float(high))) > margin:
        assert (float(low) <= x <= float(high)) == (a_deals and b_deals)


def _expected_utility_of_demand(x, p, ca, lo, hi):
    """A's expected utility of demanding x with B's cost uniform on [lo, hi], written out:
    B accepts iff its cost is at least x - p."""
    accept = 1.0 if x - p <= lo else (0.0 if x - p >= hi else (hi - (x - p)) / (hi - lo))
    return accept * x + (1.0 - accept) * (p - ca)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.0, 0.9), ca=st.floats(0.0, 0.4), lo=st.floats(0.0, 0.3), width=st.floats(0.01, 0.5))
def test_fearon_demand_maximises_the_proposers_expected_utility(p, ca, lo, width):
    """fearon_demand equals the numeric argmax of A's expected utility over the demands in
    [p + a, min(p + b, 1)] (scipy, bounded; tolerance 1e-5), and its utility is at least
    that of every demand on a 2,001-point grid."""
    hi = lo + width
    upper = min(p + hi, 1.0)
    x = float(closed_forms.fearon_demand(p, ca, lo, hi))
    u = _expected_utility_of_demand(x, p, ca, lo, hi)
    if p + lo < upper:
        res = minimize_scalar(lambda z: -_expected_utility_of_demand(z, p, ca, lo, hi), bounds=(p + lo, upper),
                              method="bounded", options={"xatol": 1e-10})
        assert u >= -res.fun - 1e-9
        assert x == pytest.approx(float(res.x), abs=1e-5) or abs(u + res.fun) < 1e-9
    grid = np.linspace(max(p + lo, 0.0), upper, 2001) if p + lo < upper else np.array([min(p + lo, 1.0)])
    assert u >= max(_expected_utility_of_demand(z, p, ca, lo, hi) for z in grid) - 1e-9


@pytest.mark.parametrize("p, ca, cbar", [(0.5, 0.05, 0.3), (0.3, 0.0, 0.2), (0.6, 0.1, 0.1), (0.4, 0.2, 0.1), (0.9, 0.05, 0.3)])
def test_fearon_textbook_case_uniform_from_zero(p, ca, cbar):
    """B's cost uniform on [0, cbar] (Fearon 1995's risk-return trade-off): demand
    p + (cbar - cA)/2 and breakdown (cbar - cA)/(2 cbar) when cA < cbar, else the safe
    demand p and no war; the demand never exceeds the whole pie."""
    x = float(closed_forms.fearon_demand(p, ca, 0.0, cbar))
    war = float(closed_forms.fearon_breakdown(p, ca, 0.0, cbar))
    if ca < cbar:
        assert x == pytest.approx(min(p + (cbar - ca) / 2, 1.0))
        if p + (cbar - ca) / 2 <= 1.0:
            assert war == pytest.approx((cbar - ca) / (2 * cbar))
    else:
        assert x == pytest.approx(p) and war == pytest.approx(0.0)


@pytest.mark.parametrize("p, ca, lo, hi", [(0.5, 0.05, 0.0, 0.3), (0.4, 0.02, 0.05, 0.25), (0.3, 0.0, 0.1, 0.6)])
def test_fearon_breakdown_matches_refusals_by_the_models_choice_rule(p, ca, lo, hi):
    """200,000 draws of B's private cost from the model's keyed uniforms (root seed 0,
    purpose 'validation.fearon_cost'); each B best-responds to the optimal demand with the
    model's logit_choice at rationality inf between accepting (1 - x) and war (1 - p - cB).
    The share of refusals is within 4 binomial standard errors of fearon_breakdown."""
    n = 200_000
    keys = draws.run_key(0, np.arange(n, dtype=np.uint64))
    cost = lo + (hi - lo) * draws.uniform(keys, 1, "validation.fearon_cost")
    x = float(closed_forms.fearon_demand(p, ca, lo, hi))
    payoffs = np.stack([np.full(n, 1.0 - x), 1.0 - p - cost], axis=1)  # accept first: ties accepted
    refused = logit_choice(payoffs, INF, draws.uniform(keys, 1, "validation.fearon_choice")) == 1
    expected = float(closed_forms.fearon_breakdown(p, ca, lo, hi))
    se = math.sqrt(max(expected * (1 - expected), 1e-12) / n)
    assert refused.mean() == pytest.approx(expected, abs=4 * se + 1e-12)
    assert 0.0 < expected < 1.0


def test_fearon_risk_return_comparative_statics():
    """More private uncertainty (a wider cost range from 0) raises the chance of war; a
    costlier war for A lowers it; with B's cost known (zero width) there is no war."""
    widths = [0.1, 0.2, 0.4]
    wars = [float(closed_forms.fearon_breakdown(0.5, 0.02, 0.0, w)) for w in widths]
    assert wars == sorted(wars) and wars[0] < wars[-1]
    costs = [0.0, 0.05, 0.1]
    wars = [float(closed_forms.fearon_breakdown(0.5, c, 0.0, 0.3)) for c in costs]
    assert wars == sorted(wars, reverse=True)
    assert float(closed_forms.fearon_breakdown(0.5, 0.02, 0.2, 0.2)) == 0.0
    assert float(closed_forms.fearon_demand(0.5, 0.02, 0.2, 0.2)) == pytest.approx(0.7)


def test_fearon_functions_broadcast_over_a_runs_axis():
    """Per-run arrays (R,) in, arrays out, each row equal to the scalar call."""
    p = np.array([0.2, 0.5, 0.8])
    ca = np.array([0.0, 0.05, 0.2])
    low, high = closed_forms.fearon_range(p, ca, 0.1)
    x = closed_forms.fearon_demand(p, ca, 0.0, 0.3)
    war = closed_forms.fearon_breakdown(p, ca, 0.0, 0.3)
    assert low.shape == high.shape == x.shape == war.shape == (3,)
    for i in range(3):
        assert x[i] == float(closed_forms.fearon_demand(p[i], ca[i], 0.0, 0.3))
        assert war[i] == float(closed_forms.fearon_breakdown(p[i], ca[i], 0.0, 0.3))
