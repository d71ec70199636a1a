"""Closed forms of bargaining theory that the validation compares the model against and the
model itself does not use (docs/validation.md says why): the Nash bargaining solution and
Fearon's crisis bargaining. Pure NumPy, like the model math.

- `nash_bargaining`: the asymmetric Nash (1950) bargaining solution for splitting a unit
  surplus with linear utilities, disagreement points and bargaining weights.
- Crisis bargaining (Fearon 1995, "Rationalist explanations for war", International
  Organization 49(3)), shares of a unit pie for side A: `fearon_range`, the bargaining
  range (p - cA, p + cB) of deals both sides prefer to war; `fearon_demand` and
  `fearon_breakdown`, the risk-return trade-off when A makes a take-it-or-leave-it demand
  to B, whose cost of war is private, uniform on [cB_low, cB_high].
"""

from __future__ import annotations

import numpy as np


def nash_bargaining(d1, d2, w1=1.0, w2=1.0) -> np.ndarray:
    """Player 1's share of a unit surplus: argmax (x - d1)^w1 (1 - x - d2)^w2.

    Closed form x = d1 + w1 / (w1 + w2) * (1 - d1 - d2). Where d1 + d2 > 1 there is no
    agreement better than disagreement for both, and the result is NaN.
    """
    d1, d2, w1, w2 = (np.asarray(a, dtype=np.float64) for a in (d1, d2, w1, w2))
    surplus = 1.0 - d1 - d2
    share = d1 + w1 / (w1 + w2) * surplus
    return np.where(surplus >= 0, share, np.nan)


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
