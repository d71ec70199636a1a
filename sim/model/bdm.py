"""Bueno de Mesquita's expected-utility model of group decisions, as specified by Scholz,
Calbert & Smith (2011, "Unravelling Bueno De Mesquita's group decision model", Journal of
Theoretical Politics 23(4)); the model of Bueno de Mesquita (1994, "Political forecasting:
an expected utility method", in European Community Decision Making, Yale UP).

Actors hold a position x on one issue axis, a capability c and a salience s in [0, 1]. One
round:

1. **Risk attitudes.** With every risk exponent r = 1, each actor's exposure is the sum of
   the other actors' expected utilities of challenging it; exposures are scaled to the risk
   acceptance R_i in [-1, 1] (the most exposed actor +1, the least -1) and mapped to the
   risk exponent r_i = (1 - R_i/3) / (1 + R_i/3) in [0.5, 2].
2. **Pairwise challenges.** Each actor i, with its own exponent r_i, computes its expected
   utility of challenging every j, E^i(U_ij), and its estimate of j's expected utility of
   challenging i, E^i(U_ji):
       E(U_ab) = s_b [P_ab U_s + (1 - P_ab) U_f] + (1 - s_b) U_s
                 - Q U_sq - (1 - Q) [T U_b + (1 - T) U_w]
   with U_s = 2 - 4 (0.5 - 0.5 d)^r, U_f = 2 - 4 (0.5 + 0.5 d)^r, U_sq = 2 - 4 (0.5)^r,
   U_b, U_w = 2 - 4 (0.5 -/+ 0.25 (d_mu + d))^r, d = |x_a - x_b| / scale,
   d_mu = |x_a - mu| / scale, mu the median voter position, and P_ab the share of the
   third-party vote (votes c_k s_k (|x_k - x_b| - |x_k - x_a|)) that sides with a.
3. **Offers.** In i's view of the pair (i, j): both expected utilities positive and
   E^i(U_ij) > E^i(U_ji) is a *confrontation* i wins, j is to move to x_i; i gains and j
   would lose, E^i(U_ij) > 0 > E^i(U_ji): if E^i(U_ij) > |E^i(U_ji)| a *compromise*, j
   moves the fraction |E^i(U_ji)| / E^i(U_ij) of the way to x_i, else a *capitulation*,
   j moves all the way. Otherwise i makes j no offer.
4. **Moves.** Each actor takes, of the offers it received, the one that moves it least;
   all actors move at once.

Rounds repeat until no actor moves more than `tol` x scale (convergence) or a round limit.
Every reading of a point the specification leaves open (Q = T = 1, linear votes, the issue
scale, perceptions with the perceiver's exponent, the least-move choice, ...) is listed in
docs/validation.md, section 1.

All functions take capability and salience of shape (N,) or (R, N) and positions of shape
(R, N) (a leading runs axis) and return arrays with that leading axis. Sums and choices
over actors are written as loops over actor columns (elementwise work on (R,) arrays), so
a run's numbers do not depend on how many runs are computed with it (as in `choice.py`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numba.core.config
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic
from numpy.typing import ArrayLike

from .compiled import kernel

#: probability that, absent a challenge, the status quo holds (BDM's Q); with Q = 1, T,
#: U_b, U_w and the median drop out of the expected utility
STATUS_QUO_PROBABILITY = 1.0
#: probability that a change without a challenge is for the better (BDM's T)
IMPROVEMENT_PROBABILITY = 1.0
#: round limit used when the model calls the rule each step (behaviour.collective_rule = bdm)
MODEL_ROUNDS = 5
#: convergence tolerance, as a share of the issue scale
TOLERANCE = 1e-9

NO_MOVE, CONFRONTATION, COMPROMISE, CAPITULATION = range(4)
MOVE_NAMES = ("none", "confrontation", "compromise", "capitulation")


def _runs(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(R, N) float arrays of capability, position and salience."""
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    c = np.broadcast_to(np.asarray(capability, dtype=np.float64), x.shape)
    s = np.broadcast_to(np.asarray(salience, dtype=np.float64), x.shape)
    return c, x, s


def issue_scale(position: ArrayLike) -> np.ndarray:
    """Per run, the spread of the positions (x_max - x_min), 1 where all positions coincide."""
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    hi, lo = x[:, 0].copy(), x[:, 0].copy()
    for k in range(1, x.shape[1]):
        hi, lo = np.maximum(hi, x[:, k]), np.minimum(lo, x[:, k])
    spread = hi - lo
    return np.where(spread > 0, spread, 1.0)


def median_voter(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """The Condorcet winner among the actors' positions under BDM's cardinal votes
    c_k s_k (|x_k - b| - |x_k - a|): the position with the least weighted distance to all
    actors, i.e. the capability-and-salience-weighted median (lowest such position on ties)."""
    c, x, s = _runs(capability, position, salience)
    n = x.shape[1]
    best_pos = x[:, 0].copy()
    best_cost = np.full(x.shape[0], np.inf)
    for a in range(n):
        cost = np.zeros(x.shape[0])
        for k in range(n):
            cost = cost + c[:, k] * s[:, k] * np.abs(x[:, k] - x[:, a])
        better = (cost < best_cost) | ((cost == best_cost) & (x[:, a] < best_pos))
        best_pos = np.where(better, x[:, a], best_pos)
        best_cost = np.where(better, cost, best_cost)
    return best_pos


def win_probability(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """P[r, a, b]: probability that a prevails when a challenges b, shape (R, N, N).

    The share of all actors' votes on (x_a vs x_b) cast for a, votes weighted by
    c_k s_k and the difference of distances (Scholz et al. 2011, section 4); every actor k
    votes, a and b included. 1/2 where nobody cares (x_a = x_b).
    """
    c, x, s = _runs(capability, position, salience)
    n = x.shape[1]
    xa, xb = x[:, :, None], x[:, None, :]
    for_a = np.zeros(x.shape + (n,))
    total = np.zeros(x.shape + (n,))
    for k in range(n):
        xk = x[:, k, None, None]
        vote = (c[:, k] * s[:, k])[:, None, None] * (np.abs(xk - xb) - np.abs(xk - xa))
        for_a = for_a + np.maximum(vote, 0.0)
        total = total + np.abs(vote)
    return np.where(total > 0, for_a / np.where(total > 0, total, 1.0), 0.5)


def _utility(base: np.ndarray, r: np.ndarray | None) -> np.ndarray:
    """2 - 4 base^r, the utility scale of Scholz et al. (2011), section 3 (base in [0, 1]);
    r = None is the risk-neutral exponent 1."""
    base = np.clip(base, 0.0, 1.0)
    return 2.0 - 4.0 * (base if r is None else base**r)


def expected_utility(risk_exponent: ArrayLike | None, position: ArrayLike, salience: ArrayLike,
                     probability: float | np.ndarray, median: ArrayLike, scale: ArrayLike, *,
                     q: float | np.ndarray = STATUS_QUO_PROBABILITY,
                     t: float | np.ndarray = IMPROVEMENT_PROBABILITY) -> np.ndarray:
    """E[r, a, b]: a's expected utility of challenging b, shape (R, N, N), with the risk
    exponent of the perceiver: risk_exponent (R, N) is the exponent of the challenger a;
    an (R, N, N) array gives one per pair; None means exponent 1 for all. The diagonal (an
    actor challenging itself) is 0."""
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    s = np.broadcast_to(np.asarray(salience, dtype=np.float64), x.shape)
    r = None if risk_exponent is None else np.asarray(risk_exponent, dtype=np.float64)
    if r is not None and r.ndim == 2:
        r = r[:, :, None]
    scale = np.asarray(scale, dtype=np.float64).reshape(-1, 1, 1)
    d = np.abs(x[:, :, None] - x[:, None, :]) / scale
    u_success = _utility(0.5 - 0.5 * d, r)
    u_failure = _utility(0.5 + 0.5 * d, r)
    u_status_quo = 2.0 - 4.0 * (0.5 if r is None else 0.5**r)
    s_target = s[:, None, :]
    eu = s_target * (probability * u_success + (1.0 - probability) * u_failure) + (1.0 - s_target) * u_success
    eu = eu - q * u_status_quo
    if np.any(np.asarray(q) != 1.0):  # the unchallenged status quo may change: T, U_b, U_w and the median
        d_mu = np.abs(x - np.asarray(median, dtype=np.float64).reshape(-1, 1))[:, :, None] / scale
        u_better = _utility(0.5 - 0.25 * (d_mu + d), r)
        u_worse = _utility(0.5 + 0.25 * (d_mu + d), r)
        eu = eu - (1.0 - q) * (t * u_better + (1.0 - t) * u_worse)
    n = x.shape[1]
    eu[:, np.arange(n), np.arange(n)] = 0.0
    return eu


def risk_acceptance(capability: ArrayLike, position: ArrayLike, salience: ArrayLike, scale: ArrayLike | None = None, *,
                    q: float | np.ndarray = STATUS_QUO_PROBABILITY, t: float | np.ndarray = IMPROVEMENT_PROBABILITY,
                    probability: float | np.ndarray | None = None, median: ArrayLike | None = None) -> np.ndarray:
    """R[r, i] in [-1, 1] (Scholz et al. 2011, section 5).

    With all exponents 1, actor i's exposure is sum over j != i of E(U_ji); R_i =
    (2 exposure_i - max - min) / (max - min) over the actors of the run, so the most
    exposed actor is +1 (risk acceptant) and the least exposed -1 (risk averse); 0 for
    every actor where all exposures are equal. `probability` and `median` may be passed
    when already computed for these positions.
    """
    c, x, s = _runs(capability, position, salience)
    scale = issue_scale(x) if scale is None else scale
    prob = win_probability(c, x, s) if probability is None else probability
    mu = median_voter(c, x, s) if median is None else median
    eu = expected_utility(None, x, s, prob, mu, scale, q=q, t=t)
    n = x.shape[1]
    exposure = np.zeros_like(x)
    for j in range(n):
        exposure = exposure + eu[:, j, :]  # diagonal is 0
    hi, lo = exposure[:, 0].copy(), exposure[:, 0].copy()
    for i in range(1, n):
        hi, lo = np.maximum(hi, exposure[:, i]), np.minimum(lo, exposure[:, i])
    spread = (hi - lo)[:, None]
    scaled = (2.0 * exposure - hi[:, None] - lo[:, None]) / np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, scaled, 0.0)


def risk_exponent(acceptance: ArrayLike) -> np.ndarray:
    """r = (1 - R/3) / (1 + R/3): 0.5 for the most risk-acceptant actor, 2 for the most averse."""
    a = np.asarray(acceptance, dtype=np.float64)
    return (1.0 - a / 3.0) / (1.0 + a / 3.0)


def offers(own: np.ndarray, perceived: np.ndarray, position: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Offers of every proposer i to every target j: (kind, new position of j), (R, N, N) each.

    own[r, i, j] = E^i(U_ij), perceived[r, i, j] = E^i(U_ji) (i's estimate of j's expected
    utility of challenging i). kind is NO_MOVE, CONFRONTATION, COMPROMISE or CAPITULATION.
    """
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    xi, xj = x[:, :, None], x[:, None, :]
    gains = own > 0.0
    confront = gains & (perceived > 0.0) & (own > perceived)
    concede = gains & (perceived < 0.0)
    compromise = concede & (own > -perceived)
    capitulate = concede & ~compromise
    fraction = np.where(compromise, -perceived / np.where(gains, own, 1.0), 1.0)
    kind = np.where(confront, CONFRONTATION, np.where(compromise, COMPROMISE, np.where(capitulate, CAPITULATION, NO_MOVE)))
    target = np.where(kind == NO_MOVE, xj, xj + fraction * (xi - xj))
    return kind.astype(np.int8), target


def accept(position: ArrayLike, kind: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each actor takes, of the offers made to it, the one that moves it least (ties: the
    lowest proposer index). Returns (new positions (R, N), kind taken (R, N), proposer (R, N),
    -1 where no offer)."""
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    runs, n = x.shape
    new_x = x.copy()
    taken = np.zeros((runs, n), dtype=np.int8)
    proposer = np.full((runs, n), -1, dtype=np.int64)
    best = np.full((runs, n), np.inf)
    for i in range(n):
        has = kind[:, i, :] != NO_MOVE
        move = np.where(has, np.abs(target[:, i, :] - x), np.inf)
        better = has & (move < best)
        best = np.where(better, move, best)
        new_x = np.where(better, target[:, i, :], new_x)
        taken = np.where(better, kind[:, i, :], taken)
        proposer = np.where(better, i, proposer)
    return new_x, taken, proposer


@dataclass(frozen=True)
class Round:
    """What happened in one round, per run and actor: the risk acceptance R and exponent r
    the round used, the move taken (MOVE_NAMES index), who proposed it (-1: none), and the
    positions after the round."""

    risk_acceptance: np.ndarray
    risk_exponent: np.ndarray
    move: np.ndarray
    proposer: np.ndarray
    position: np.ndarray


def bdm_round(capability: ArrayLike, position: ArrayLike, salience: ArrayLike, scale: ArrayLike | None = None, *,
              q: float | np.ndarray = STATUS_QUO_PROBABILITY, t: float | np.ndarray = IMPROVEMENT_PROBABILITY) -> Round:
    """One round of the model: risk attitudes, pairwise expected utilities, offers, moves."""
    c, x, s = _runs(capability, position, salience)
    scale = issue_scale(x) if scale is None else np.asarray(scale, dtype=np.float64)
    prob = win_probability(c, x, s)
    mu = median_voter(c, x, s)
    acceptance = risk_acceptance(c, x, s, scale, q=q, t=t, probability=prob, median=mu)
    r = risk_exponent(acceptance)
    own = expected_utility(r, x, s, prob, mu, scale, q=q, t=t)  # E^i(U_ij): perceiver i = challenger
    # E^i(U_ji): challenger j, target i, perceived with i's exponent -> transpose, exponent of the target
    r_target = np.broadcast_to(r[:, None, :], own.shape)
    perceived = np.swapaxes(expected_utility(r_target, x, s, prob, mu, scale, q=q, t=t), 1, 2)
    kind, target = offers(own, perceived, x)
    new_x, taken, proposer = accept(x, kind, target)
    return Round(acceptance, r, taken, proposer, new_x)


def bdm_rounds(capability: ArrayLike, position: ArrayLike, salience: ArrayLike, rounds: int = 10, *,
               tol: float = TOLERANCE, scale: ArrayLike | None = None, q: float | np.ndarray = STATUS_QUO_PROBABILITY,
               t: float | np.ndarray = IMPROVEMENT_PROBABILITY) -> list[Round]:
    """Up to `rounds` rounds. A run that has converged (no actor moved more than tol x
    scale in a round) keeps its positions from then on; the loop stops early once every run
    has converged. `scale` (default: the spread of the input positions per run) stays fixed
    over the rounds."""
    c, x, s = _runs(capability, position, salience)
    scale = issue_scale(x) if scale is None else np.broadcast_to(np.asarray(scale, dtype=np.float64), x.shape[:1])
    done = np.zeros(x.shape[0], dtype=bool)
    history: list[Round] = []
    for _ in range(int(rounds)):
        rnd = bdm_round(c, x, s, scale, q=q, t=t)
        change = np.zeros(x.shape[0])
        for k in range(x.shape[1]):
            change = np.maximum(change, np.abs(rnd.position[:, k] - x[:, k]))
        keep = done[:, None]
        new_x = np.where(keep, x, rnd.position)
        history.append(Round(rnd.risk_acceptance, rnd.risk_exponent, np.where(keep, NO_MOVE, rnd.move).astype(np.int8),
                             np.where(keep, -1, rnd.proposer), new_x))
        done = done | (change <= tol * scale)
        x = new_x
        if done.all():
            break
    return history


def weighted_mean(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """Capability-and-salience-weighted mean of positions per run (the plain mean where all
    weights are zero); the forecast read off the positions after the rounds."""
    c, x, s = _runs(capability, position, salience)
    total = np.zeros(x.shape[0])
    weighted = np.zeros(x.shape[0])
    plain = np.zeros(x.shape[0])
    for k in range(x.shape[1]):
        w = c[:, k] * s[:, k]
        total = total + w
        weighted = weighted + w * x[:, k]
        plain = plain + x[:, k]
    return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), plain / x.shape[1])


def bdm_collective(capability: ArrayLike, position: ArrayLike, salience: ArrayLike,
                   rounds: int = MODEL_ROUNDS) -> np.ndarray:
    """The collective position by BDM's model: the capability-and-salience-weighted mean of
    the positions after `rounds` rounds (or convergence), shape (R,) (a scalar for one
    unbatched table). The stated positions themselves are not changed."""
    c, x, s = _runs(capability, position, salience)
    history = bdm_rounds(c, x, s, rounds)
    final = history[-1].position if history else x
    out = weighted_mean(c, final, s)
    return out if np.ndim(position) > 1 else out[0]


# ---------------------------------------------------------------- the rule compiled, one table at a time
# The same model as the NumPy functions above, for one run's table of N actors, written as
# small formulas of plain numbers and a loop over the rounds (`compiled.kernel`: no
# reassociation, no fused multiply-adds). Every sum runs over the actors in the order the
# NumPy functions above add them, and every formula groups its operations as they do, so the
# compiled rule computes their numbers (tests/test_bdm_compiled.py). `**` is the C library's
# pow, as NumPy's is on a machine without AVX-512 (there NumPy's own vector pow may differ
# from it in the last bit of a power; the test says how that is checked).

@intrinsic
def _c_pow(typingctx: Any, base: Any, exponent: Any) -> Any:
    """The C library's pow(base, exponent), called as it is: LLVM otherwise rewrites a power
    of a constant base (0.5^r in U_sq) as exp2(-r), which is not always pow's number."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        double = ir.DoubleType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(double, [double, double]), "pow")
        fn.attributes.add("nobuiltin")  # not a known library call LLVM may rewrite
        return builder.call(fn, args)

    return types.float64(types.float64, types.float64), codegen


#: pow as the C library computes it, compiled or (NUMBA_DISABLE_JIT) not
_pow: Callable[[float, float], float] = (math.pow if numba.core.config.DISABLE_JIT  # type: ignore[assignment,attr-defined]
                                          else _c_pow)


@kernel(inline=True)
def power_of(base: float, exponent: float) -> float:
    """base^exponent by the C library's pow; exponent 1 (the risk-neutral actor of step 1)
    leaves base as it is."""
    return base if exponent == 1.0 else _pow(base, exponent)


@kernel(inline=True)
def utility_of(base: float, exponent: float) -> float:
    """2 - 4 base^r, base clipped to [0, 1]: the utility scale of Scholz et al. (2011),
    section 3 (`_utility`)."""
    base = 0.0 if base < 0.0 else (1.0 if base > 1.0 else base)
    return 2.0 - 4.0 * power_of(base, exponent)


@kernel(inline=True)
def success_failure_of(d: float, exponent: float, half_power: float) -> tuple[float, float]:
    """(U_s, U_f) = 2 - 4 (0.5 -/+ 0.5 d)^r of a challenge over the distance d, in the view
    of a perceiver of exponent r (Scholz et al. 2011, sections 3-4); half_power = 0.5^r
    (`power_of(0.5, r)`), which both are at d = 0."""
    if d == 0.0:
        return 2.0 - 4.0 * half_power, 2.0 - 4.0 * half_power
    return utility_of(0.5 - 0.5 * d, exponent), utility_of(0.5 + 0.5 * d, exponent)


@kernel(inline=True)
def challenge_utility_of(u_success: float, u_failure: float, u_status_quo: float, s_target: float,
                         probability: float, q: float, t: float, exponent: float, d: float, d_mu: float) -> float:
    """E(U_ab) = s_b [P U_s + (1 - P) U_f] + (1 - s_b) U_s - Q U_sq - (1 - Q) [T U_b + (1 - T) U_w]
    (Scholz et al. 2011, section 4; `expected_utility`), from a perceiver's U_s, U_f and U_sq:
    s_target = s_b, probability = P_ab; exponent, d = |x_a - x_b| / scale and d_mu =
    |x_a - mu| / scale are read only when Q != 1 (U_b, U_w)."""
    eu = s_target * (probability * u_success + (1.0 - probability) * u_failure) + (1.0 - s_target) * u_success
    eu = eu - q * u_status_quo
    if q != 1.0:
        u_better = utility_of(0.5 - 0.25 * (d_mu + d), exponent)
        u_worse = utility_of(0.5 + 0.25 * (d_mu + d), exponent)
        eu = eu - (1.0 - q) * (t * u_better + (1.0 - t) * u_worse)
    return eu


@kernel(inline=True)
def expected_utility_of(exponent: float, d: float, d_mu: float, s_target: float, probability: float,
                        q: float, t: float) -> float:
    """E(U_ab) of a challenger a against a target b (Scholz et al. 2011, section 4;
    `expected_utility`): d = |x_a - x_b| / scale, d_mu = |x_a - mu| / scale (read only when
    Q != 1), s_target = s_b, probability = P_ab, exponent = the perceiver's r."""
    half_power = power_of(0.5, exponent)
    u_success, u_failure = success_failure_of(d, exponent, half_power)
    return challenge_utility_of(u_success, u_failure, 2.0 - 4.0 * half_power, s_target, probability, q, t,
                                exponent, d, d_mu)


@kernel(inline=True)
def risk_exponent_of(acceptance: float) -> float:
    """r = (1 - R/3) / (1 + R/3) (Scholz et al. 2011, section 5; `risk_exponent`)."""
    return (1.0 - acceptance / 3.0) / (1.0 + acceptance / 3.0)


@kernel(inline=True)
def acceptance_of(exposure: float, hi: float, lo: float) -> float:
    """R_i = (2 exposure_i - max - min) / (max - min), 0 where all exposures are equal
    (Scholz et al. 2011, section 5; `risk_acceptance`)."""
    spread = hi - lo
    return (2.0 * exposure - hi - lo) / spread if spread > 0 else 0.0


@kernel(inline=True)
def risk_exponents_of(exposure: np.ndarray, n: int, r: np.ndarray) -> None:
    """Each actor's risk exponent from its exposure (Scholz et al. 2011, section 5;
    `risk_acceptance`): the exposures scaled between the least and the most exposed actor,
    written into r[0..n-1]."""
    hi, lo = exposure[0], exposure[0]
    for i in range(1, n):
        hi = exposure[i] if exposure[i] > hi else hi
        lo = exposure[i] if exposure[i] < lo else lo
    for i in range(n):
        r[i] = risk_exponent_of(acceptance_of(exposure[i], hi, lo))


@kernel(inline=True)
def offer_of(own: float, perceived: float, x_proposer: float, x_target: float) -> tuple[int, float]:
    """Proposer i's offer to target j (Scholz et al. 2011; `offers`): own =
    E^i(U_ij), perceived = E^i(U_ji); (kind, new position of j)."""
    if own > 0.0 and perceived > 0.0 and own > perceived:
        return CONFRONTATION, x_target + 1.0 * (x_proposer - x_target)
    if own > 0.0 and perceived < 0.0:
        if own > -perceived:
            return COMPROMISE, x_target + (-perceived / own) * (x_proposer - x_target)
        return CAPITULATION, x_target + 1.0 * (x_proposer - x_target)
    return NO_MOVE, x_target


@kernel(inline=True)
def spread_of(x: np.ndarray) -> float:
    """The spread of one run's positions, 1 where they coincide (`issue_scale`)."""
    hi, lo = x[0], x[0]
    for k in range(1, x.shape[0]):
        hi = x[k] if x[k] > hi else hi
        lo = x[k] if x[k] < lo else lo
    spread = hi - lo
    return spread if spread > 0 else 1.0


@kernel(inline=True)
def median_of(c: np.ndarray, x: np.ndarray, s: np.ndarray) -> float:
    """The capability-and-salience-weighted median of one run (`median_voter`)."""
    best_pos, best_cost = x[0], np.inf
    for a in range(x.shape[0]):
        cost = 0.0
        for k in range(x.shape[0]):
            cost = cost + c[k] * s[k] * abs(x[k] - x[a])
        if cost < best_cost or (cost == best_cost and x[a] < best_pos):
            best_pos, best_cost = x[a], cost
    return best_pos


@kernel(inline=True)
def weighted_mean_of(c: np.ndarray, x: np.ndarray, s: np.ndarray) -> float:
    """The capability-and-salience-weighted mean of one run's positions, the plain mean
    where all weights are 0 (`weighted_mean`)."""
    total, weighted, plain = 0.0, 0.0, 0.0
    for k in range(x.shape[0]):
        w = c[k] * s[k]
        total = total + w
        weighted = weighted + w * x[k]
        plain = plain + x[k]
    return weighted / total if total > 0 else plain / x.shape[0]


@kernel(inline=True)
def scratch_size(n: int) -> int:
    """Numbers of scratch either reading's rounds need for a table of n actors."""
    return n * n * n + 3 * n * n + 6 * n


@kernel
def text_positions_of(c: np.ndarray, x0: np.ndarray, s: np.ndarray, rounds: int, scratch: np.ndarray) -> np.ndarray:
    """The positions after up to `rounds` rounds of the `text` reading (`bdm_rounds` for
    one run; the scale stays the spread of x0), a view of `scratch` (`scratch_size`)."""
    n = x0.shape[0]
    p = scratch[:n * n]
    x = scratch[n * n:n * n + n]
    new = scratch[n * n + n:n * n + 2 * n]
    exposure = scratch[n * n + 2 * n:n * n + 3 * n]
    r = scratch[n * n + 3 * n:n * n + 4 * n]
    q, t = STATUS_QUO_PROBABILITY, IMPROVEMENT_PROBABILITY
    for k in range(n):
        x[k] = x0[k]
    scale = spread_of(x0)
    for _ in range(rounds):
        mu = median_of(c, x, s) if q != 1.0 else 0.0
        # P_ab, the share of the votes on (a, b) cast for a (`win_probability`)
        for a in range(n):
            for b in range(n):
                for_a, total = 0.0, 0.0
                for k in range(n):
                    vote = c[k] * s[k] * (abs(x[k] - x[b]) - abs(x[k] - x[a]))
                    for_a = for_a + (vote if vote > 0.0 else 0.0)
                    total = total + abs(vote)
                p[a * n + b] = for_a / total if total > 0 else 0.5
        # risk attitudes: exposure of i, every exponent 1 (`risk_acceptance`)
        for i in range(n):
            e = 0.0
            for j in range(n):
                if j != i:
                    e = e + expected_utility_of(1.0, abs(x[j] - x[i]) / scale, abs(x[j] - mu) / scale, s[i],
                                                p[j * n + i], q, t)
                else:
                    e = e + 0.0
            exposure[i] = e
        risk_exponents_of(exposure, n, r)
        # offers from every proposer i to every target j; j takes the least move (`offers`,
        # `accept`). E^i(U_ij) and E^i(U_ji) share i's exponent and the distance, so U_s, U_f
        # and U_sq (i's 0.5^r_i, kept in exposure[]) are computed once for both
        for i in range(n):
            exposure[i] = power_of(0.5, r[i])
        change = 0.0
        for j in range(n):
            best, moved = np.inf, x[j]
            for i in range(n):
                if i == j:
                    continue
                d = abs(x[i] - x[j]) / scale
                u_s, u_f = success_failure_of(d, r[i], exposure[i])
                u_sq = 2.0 - 4.0 * exposure[i]
                own = challenge_utility_of(u_s, u_f, u_sq, s[j], p[i * n + j], q, t, r[i], d, abs(x[i] - mu) / scale)
                perceived = challenge_utility_of(u_s, u_f, u_sq, s[i], p[j * n + i], q, t, r[i],
                                                 abs(x[j] - x[i]) / scale, abs(x[j] - mu) / scale)
                kind, target = offer_of(own, perceived, x[i], x[j])
                if kind != NO_MOVE:
                    move = abs(target - x[j])
                    if move < best:
                        best, moved = move, target
            new[j] = moved
            step = abs(moved - x[j])
            change = step if step > change else change
        for k in range(n):
            x[k] = new[k]
        if change <= TOLERANCE * scale:
            break
    return x


@kernel
def text_collective_of(c: np.ndarray, x0: np.ndarray, s: np.ndarray, rounds: int, scratch: np.ndarray) -> float:
    """The `bdm` rule, `text` reading, for one run (`bdm_collective`): the weighted mean of
    the positions after the rounds."""
    return weighted_mean_of(c, text_positions_of(c, x0, s, rounds, scratch), s)
