"""Collective decision and bilateral bargaining rules.

Collective rules inside Baghdad take actor arrays with a trailing actors axis, shape
(..., N), and return one collective position per leading index:

- `compromise`: the capability-and-salience-weighted mean of positions, the "compromise
  model" of Bueno de Mesquita's tradition as stated in Scholz, Calbert & Smith (2011,
  Journal of Theoretical Politics 23(4)); 7.39 on the EC car-emissions data.
- `median` (also accepted as `weighted_median`): the position of the actor at which the cumulative
  capability-times-salience weight first reaches half (Black's median voter with weights);
  7 on the same data.
- `bdm`: Bueno de Mesquita's expected-utility model as specified by Scholz, Calbert &
  Smith (2011): risk attitudes, pairwise challenges, confrontation, compromise and
  capitulation, rounds until convergence or a round limit (`sim/model/bdm.py`); the
  collective position is the capability-and-salience-weighted mean of the positions after
  the rounds. The rule bargains within the step only: factions' stated positions are kept.

Bilateral bargaining between Washington and Baghdad over one divisible issue, the share of
the January 2020 presence a deal removes (a drawdown, F5, F19, or the troops a retraction
package takes out, F17, F19):

- `nash_deal`: the asymmetric Nash (1950) bargaining solution when each side's payoff is
  linear in the size x of the deal, u_B(x) = b_B x - d_B for Baghdad and
  u_W(x) = R_W - b_W x for Washington, relative to the conflict each avoids (d_B: what
  Baghdad expects from pressing on alone; R_W: what Washington expects to lose if it does).
  The smallest deal Baghdad accepts is x_B = d_B / b_B, the largest Washington accepts
  x_W = R_W / b_W, and the maximiser of u_W^(1 - beta) u_B^beta is
  x* = x_B + beta (x_W - x_B): Baghdad gets its share beta of the zone of agreement.
- `limit_share`: beta from the two sides' patience, the limit of Rubinstein's (1982)
  alternating offers as the time between offers goes to zero, log d_W / (log d_B + log d_W)
  (Binmore, Rubinstein & Wolinsky 1986): the patient side gets more.
- `rubinstein_share`: the first proposer's share in Rubinstein's game itself,
  (1 - d2) / (1 - d1 d2), which tends to `limit_share` (tested).

The Nash and Fearon closed forms the validation compares against are in
`experiments/closed_forms.py`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from . import bdm as bdm_model
from . import bdm_readings
from .compiled import _block_sum, kernel, part_sum, row_sum

#: registered names of `behaviour.collective_rule`: the three rules, then the aliases kept
#: for older configs (RULE_ALIASES)
COLLECTIVE_RULES = ("compromise", "median", "bdm", "weighted_median")
RULE_ALIASES = {"weighted_median": "median"}


@kernel(inline=True)
def compromise_of(capability: np.ndarray, position: np.ndarray, salience: np.ndarray, scratch: np.ndarray) -> float:
    """`compromise` of one table of N actors: Sum(c s x) / Sum(c s), the plain mean where
    all weights are zero (`scratch`: space for 2 N numbers, the weights c s, then c s x)."""
    n = position.shape[0]
    for k in range(n):
        scratch[k] = capability[k] * salience[k]
        scratch[n + k] = scratch[k] * position[k]
    if n <= 128:  # the sums of a few numbers, without the general case's call (`part_sum`)
        total = _block_sum(scratch, 0, n)
        weighted = _block_sum(scratch, n, n)
    else:
        total = part_sum(scratch, 0, n)
        weighted = part_sum(scratch, n, n)
    if total > 0:
        return weighted / total
    return row_sum(position) / n


@kernel(inline=True)
def weighted_median_of(capability: np.ndarray, position: np.ndarray, salience: np.ndarray,
                       scratch: np.ndarray) -> float:
    """`weighted_median` of one table of N actors (`scratch`: space for 2 N numbers, the
    order, then the cumulative weights): the actors sorted by position (ties in their
    order), the first whose cumulative weight c s reaches half the total."""
    n = position.shape[0]
    for k in range(n):  # a stable insertion sort of the actors' indices by position
        m = k
        while m > 0 and position[int(scratch[m - 1])] > position[k]:
            scratch[m] = scratch[m - 1]
            m -= 1
        scratch[m] = k
    for k in range(n):
        a = int(scratch[k])
        w = capability[a] * salience[a]
        scratch[n + k] = w if k == 0 else scratch[n + k - 1] + w
    half = 0.5 * scratch[2 * n - 1]
    for k in range(n):
        if scratch[n + k] >= half:
            return position[int(scratch[k])]
    return position[int(scratch[0])]


def _tables(code: int, capability: ArrayLike, position: ArrayLike,
            salience: ArrayLike) -> np.ndarray:
    """The rule of code `code` (`rule_code`) applied to every table of arrays with a
    trailing actors axis (..., N)."""
    c, x, s = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (capability, position, salience)))
    shape = x.shape
    flat = [np.array(a.reshape(-1, shape[-1]), order="C") for a in (c, x, s)]  # copies: no broadcast views
    out = np.empty(flat[0].shape[0])
    _rule_rows(code, flat[0], flat[1], flat[2], out)
    return out.reshape(shape[:-1])


def compromise(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """Sum(c s x) / Sum(c s) over the last axis; the plain mean where all weights are zero."""
    return _tables(RULE_CODES["compromise"], capability, position, salience)


def weighted_median(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """Smallest position whose cumulative weight (c s, positions sorted) reaches half the total."""
    return _tables(RULE_CODES["median"], capability, position, salience)


#: the collective rules' kernels by code (`collective_of`); bdm's is its `text` reading's
RULE_CODES = {"compromise": 0, "median": 1, "bdm": 2}
#: the code of the bdm rule in each of its readings (`bdm_readings.BDM_READINGS`)
BDM_CODES = {"text": 2, "replication": 3}


def rule_code(rule: str, bdm_reading: str = "text") -> int:
    """The code of a registered rule's kernel (an alias's rule's; bdm's in `bdm_reading`)."""
    rule = RULE_ALIASES.get(rule, rule)
    if rule not in RULE_CODES:
        raise ValueError(f"bargaining rule {rule!r} is not one of {COLLECTIVE_RULES}")
    if rule == "bdm":
        if bdm_reading not in BDM_CODES:
            raise ValueError(f"bdm reading {bdm_reading!r} is not one of {tuple(BDM_CODES)}")
        return BDM_CODES[bdm_reading]
    return RULE_CODES[rule]


@kernel(inline=True)
def scratch_size(rule: int, n: int) -> int:
    """Numbers of scratch `collective_of` needs for a table of n actors under rule `rule`."""
    return 2 * n if rule < 2 else bdm_model.scratch_size(n)  # 2: RULE_CODES["bdm"]


@kernel(inline=True)
def collective_of(rule: int, capability: np.ndarray, position: np.ndarray, salience: np.ndarray,
                  scratch: np.ndarray) -> float:
    """The collective position of one table by the rule of code `rule` (`rule_code`);
    `scratch` holds `scratch_size(rule, N)` numbers. bdm runs `bdm.MODEL_ROUNDS` rounds (or
    to convergence) in its reading (`bdm.text_collective_of`,
    `bdm_readings.replication_collective_of`)."""
    if rule == 0:
        return compromise_of(capability, position, salience, scratch)
    if rule == 1:
        return weighted_median_of(capability, position, salience, scratch)
    if rule == 2:
        return bdm_model.text_collective_of(capability, position, salience, bdm_model.MODEL_ROUNDS, scratch)
    return bdm_readings.replication_collective_of(capability, position, salience, bdm_model.MODEL_ROUNDS, scratch)


@kernel
def _rule_rows(rule: int, capability: np.ndarray, position: np.ndarray, salience: np.ndarray,
               out: np.ndarray) -> None:
    scratch = np.empty(scratch_size(rule, position.shape[1]))
    for i in range(position.shape[0]):
        out[i] = collective_of(rule, capability[i], position[i], salience[i], scratch)


def bdm(capability: ArrayLike, position: ArrayLike, salience: ArrayLike, bdm_reading: str = "text") -> np.ndarray:
    """The `bdm` rule, compiled (`collective_of`): BDM's expected-utility model over
    `bdm.MODEL_ROUNDS` rounds (or to convergence) in a reading, then the
    capability-and-salience-weighted mean of the positions. The NumPy functions of
    `sim.model.bdm` and `sim.model.bdm_readings` compute the same numbers round by round
    (tests/test_bdm_compiled.py)."""
    return _tables(rule_code("bdm", bdm_reading), capability, position, salience)


def collective_position(rule: str, capability: ArrayLike, position: ArrayLike, salience: ArrayLike,
                        bdm_reading: str = "text") -> np.ndarray:
    """Dispatch by registered rule name (see COLLECTIVE_RULES and RULE_ALIASES); `bdm_reading`
    picks the reading of the bdm rule (`sim.model.bdm_readings`). Every rule is compiled."""
    return _tables(rule_code(rule, bdm_reading), capability, position, salience)


def rubinstein_share(delta1: ArrayLike, delta2: ArrayLike) -> np.ndarray:
    """First proposer's subgame-perfect share, (1 - delta2) / (1 - delta1 delta2), for deltas in [0, 1)."""
    d1, d2 = np.asarray(delta1, dtype=np.float64), np.asarray(delta2, dtype=np.float64)
    return (1.0 - d2) / (1.0 - d1 * d2)


def limit_share(own_patience: ArrayLike, other_patience: ArrayLike) -> np.ndarray:
    """A side's share of the surplus in Rubinstein's game as offers come ever faster:
    log d_other / (log d_own + log d_other) (Binmore, Rubinstein & Wolinsky 1986)."""
    own = np.log(np.asarray(own_patience, dtype=np.float64))
    other = np.log(np.asarray(other_patience, dtype=np.float64))
    return other / (own + other)


@kernel
def nash_size(least_accepted: float, most_accepted: float, power: float, cap: float) -> float:
    """`nash_deal` for one run (a NaN bound, as in NumPy's maximum, leaves no deal)."""
    lo = least_accepted if (least_accepted > 0.0 or math.isnan(least_accepted)) else 0.0
    hi = most_accepted
    size = lo + power * (hi - lo)
    size = size if (size < cap or math.isnan(size)) else cap
    return size if (hi > lo and size > lo and size > 0.0) else 0.0


def nash_deal(least_accepted: ArrayLike, most_accepted: ArrayLike, power: ArrayLike, cap: ArrayLike) -> np.ndarray:
    """Size of the deal under the asymmetric Nash solution with linear payoffs (module
    docstring): x_B + beta (x_W - x_B), at most `cap` (no more troops than are there, no
    more withdrawal than asked for); 0 where there is no zone of agreement (x_W <= x_B)."""
    lo = np.maximum(np.asarray(least_accepted, dtype=np.float64), 0.0)
    hi = np.asarray(most_accepted, dtype=np.float64)
    size = np.minimum(lo + np.asarray(power) * (hi - lo), np.asarray(cap))
    return np.where((hi > lo) & (size > lo) & (size > 0.0), size, 0.0)
