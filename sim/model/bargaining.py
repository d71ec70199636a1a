"""Collective decision and bilateral bargaining rules.

Collective rules inside Baghdad take actor arrays with a trailing actors axis, shape
(..., N), and return one collective position per leading index:

- `compromise`: the capability-and-salience-weighted mean of positions, the "compromise
  model" of Bueno de Mesquita's tradition as stated in Scholz, Calbert & Smith (2011,
  Journal of Theoretical Politics 23(4)); 7.39 on the EC car-emissions data.
- `median` (alias `weighted_median`): the position of the actor at which the cumulative
  capability-times-salience weight first reaches half (Black's median voter with weights);
  7 on the same data.
- `bdm`: Bueno de Mesquita's expected-utility model as specified by Scholz, Calbert &
  Smith (2011): risk attitudes, pairwise challenges, confrontation, compromise and
  capitulation, rounds until convergence or a round limit (`sim/model/bdm.py`); the
  collective position is the capability-and-salience-weighted mean of the positions after
  the rounds. The rule bargains within the week only: factions' stated positions are kept.

Bilateral rules between Washington and Baghdad over one divisible issue:

- `nash_bargaining`: the asymmetric Nash (1950) bargaining solution for splitting a unit
  surplus with linear utilities, disagreement points and bargaining weights.
- `rubinstein_share`: the first proposer's share in Rubinstein's (1982) alternating-offers
  game with discount factors, agreed immediately: (1 - d2) / (1 - d1 d2).

Crisis bargaining (Fearon 1995, "Rationalist explanations for war", International
Organization 49(3)), shares of a unit pie for side A:

- `fearon_range`: the bargaining range (p - cA, p + cB) of deals both sides prefer to war.
- `fearon_demand`, `fearon_breakdown`: the risk-return trade-off. A makes a take-it-or-
  leave-it demand to B, whose cost of war is private, uniform on [cB_low, cB_high]; the
  optimal demand and the probability that B refuses it (war, breakdown).
The model's request/breakdown layer does not use these (see docs/validation.md).
"""

from __future__ import annotations

import numpy as np

#: registered names of `behaviour.collective_rule`: the three rules, then the aliases kept
#: for older configs (RULE_ALIASES)
COLLECTIVE_RULES = ("compromise", "median", "bdm", "weighted_median")
RULE_ALIASES = {"weighted_median": "median"}


def compromise(capability, position, salience) -> np.ndarray:
    """Sum(c s x) / Sum(c s) over the last axis; the plain mean where all weights are zero."""
    c, x, s = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (capability, position, salience)))
    w = c * s
    total = w.sum(axis=-1)
    weighted = (w * x).sum(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, weighted / safe, x.mean(axis=-1))


def weighted_median(capability, position, salience) -> np.ndarray:
    """Smallest position whose cumulative weight (c s, positions sorted) reaches half the total."""
    c, x, s = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (capability, position, salience)))
    w = c * s
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    cum = np.cumsum(ws, axis=-1)
    half = 0.5 * cum[..., -1:]
    idx = np.argmax(cum >= half, axis=-1)[..., None]
    return np.take_along_axis(xs, idx, axis=-1)[..., 0]


def median(capability, position, salience) -> np.ndarray:
    """The `median` rule: `weighted_median`."""
    return weighted_median(capability, position, salience)


def bdm(capability, position, salience) -> np.ndarray:
    """The `bdm` rule: BDM's expected-utility model over `bdm.MODEL_ROUNDS` rounds (or to
    convergence), then the capability-and-salience-weighted mean of the positions."""
    from . import bdm as bdm_model  # bdm.py is the model's own module; imported here to keep this one light

    return bdm_model.bdm_collective(capability, position, salience)


def collective_position(rule: str, capability, position, salience) -> np.ndarray:
    """Dispatch by registered rule name (see COLLECTIVE_RULES and RULE_ALIASES)."""
    rule = RULE_ALIASES.get(rule, rule)
    if rule == "compromise":
        return compromise(capability, position, salience)
    if rule == "median":
        return weighted_median(capability, position, salience)
    if rule == "bdm":
        return bdm(capability, position, salience)
    raise ValueError(f"bargaining rule {rule!r} is not one of {COLLECTIVE_RULES}")


def nash_bargaining(d1, d2, w1=1.0, w2=1.0) -> np.ndarray:
    """Player 1's share of a unit surplus: argmax (x - d1)^w1 (1 - x - d2)^w2.

    Closed form x = d1 + w1 / (w1 + w2) * (1 - d1 - d2). Where d1 + d2 > 1 there is no
    agreement better than disagreement for both, and the result is NaN.
    """
    d1, d2, w1, w2 = (np.asarray(a, dtype=np.float64) for a in (d1, d2, w1, w2))
    surplus = 1.0 - d1 - d2
    share = d1 + w1 / (w1 + w2) * surplus
    return np.where(surplus >= 0, share, np.nan)


def rubinstein_share(delta1, delta2) -> np.ndarray:
    """First proposer's subgame-perfect share, (1 - delta2) / (1 - delta1 delta2), for deltas in [0, 1)."""
    d1, d2 = np.asarray(delta1, dtype=np.float64), np.asarray(delta2, dtype=np.float64)
    return (1.0 - d2) / (1.0 - d1 * d2)


# ---------------------------------------------------------------- Fearon (1995)
def fearon_range(p, cost_a, cost_b):
    """Deals x (A's share) both sides prefer to war: A's war payoff is p - cA, B's is
    1 - p - cB, so x in [p - cA, p + cB] (Fearon 1995, section 2). Returns (low, high)."""
    p, ca, cb = (np.asarray(a, dtype=np.float64) for a in (p, cost_a, cost_b))
    return p - ca, p + cb


def fearon_acceptance(demand, p, cost_b_low, cost_b_high) -> np.ndarray:
    """Probability that B accepts A's demand x when B's cost of war is uniform on
    [cB_low, cB_high]: B accepts iff 1 - x >= 1 - p - cB, i.e. cB >= x - p."""
    x, p, lo, hi = (np.asarray(a, dtype=np.float64) for a in (demand, p, cost_b_low, cost_b_high))
    width = hi - lo
    known = width <= 0
    share = (hi - (x - p)) / np.where(known, 1.0, width)
    return np.where(known, (x - p <= lo).astype(np.float64), np.clip(share, 0.0, 1.0))


def fearon_demand(p, cost_a, cost_b_low, cost_b_high) -> np.ndarray:
    """A's optimal take-it-or-leave-it demand, the risk-return trade-off (Fearon 1995,
    section 4): maximise P(accept | x) x + (1 - P(accept | x)) (p - cA). With B's cost
    uniform on [a, b], the interior optimum is x = p + (b - cA)/2, held within
    [p + a, p + b] (never below what every type accepts, never above what none does) and
    at most the whole pie."""
    p, ca, lo, hi = (np.asarray(a, dtype=np.float64) for a in (p, cost_a, cost_b_low, cost_b_high))
    x = np.clip(p + 0.5 * (hi - ca), p + lo, p + np.maximum(hi, lo))
    return np.minimum(x, 1.0)


def fearon_breakdown(p, cost_a, cost_b_low, cost_b_high) -> np.ndarray:
    """Probability of war at A's optimal demand: 1 - fearon_acceptance(fearon_demand).
    For an interior demand it is (b - cA - 2a) / (2 (b - a)); 0 when A's cost is so high
    (cA >= b - 2a) that A demands only what every type of B accepts."""
    return 1.0 - fearon_acceptance(fearon_demand(p, cost_a, cost_b_low, cost_b_high), p, cost_b_low, cost_b_high)
