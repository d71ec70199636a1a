"""Collective decision and bilateral bargaining rules.

Collective rules inside Baghdad take actor arrays with a trailing actors axis, shape
(..., N), and return one collective position per leading index:

- `compromise`: the capability-and-salience-weighted mean of positions, the "compromise
  model" of Bueno de Mesquita's tradition as stated in Scholz, Calbert & Smith (2011,
  Journal of Theoretical Politics 23(4)); 7.39 on the EC car-emissions data.
- `weighted_median`: the position of the actor at which the cumulative
  capability-times-salience weight first reaches half (Black's median voter with weights);
  7 on the same data.

Bilateral rules between Washington and Baghdad over one divisible issue:

- `nash_bargaining`: the asymmetric Nash (1950) bargaining solution for splitting a unit
  surplus with linear utilities, disagreement points and bargaining weights.
- `rubinstein_share`: the first proposer's share in Rubinstein's (1982) alternating-offers
  game with discount factors, agreed immediately: (1 - d2) / (1 - d1 d2).
"""

from __future__ import annotations

import numpy as np

COLLECTIVE_RULES = ("compromise", "weighted_median")


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


def collective_position(rule: str, capability, position, salience) -> np.ndarray:
    """Dispatch by registered rule name (see COLLECTIVE_RULES)."""
    if rule == "compromise":
        return compromise(capability, position, salience)
    if rule == "weighted_median":
        return weighted_median(capability, position, salience)
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
