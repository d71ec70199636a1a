"""Quantal response (logit) choice over expected payoffs.

McKelvey & Palfrey (1995), "Quantal response equilibria for normal form games", Games and
Economic Behavior 10: P(a) = exp(lambda U_a) / sum_b exp(lambda U_b). lambda = 0 is a uniform
choice among available actions; lambda = inf is the best response (ties go to the lowest
action index). All functions take payoffs with a leading runs axis, shape (R, A), and a
per-run or scalar rationality lambda.

The rules are compiled kernels (`sim/model/compiled.py`): each is written once, for one
run (`_logit_row`, `revision_one`), and applied to every run of the batch by a loop over
the runs axis; the Mesa model calls the same kernels with one run. Sums over actions are
taken in the order NumPy's summation uses (`compiled.row_sum`), so the numbers are those
of the array formulation this module had before it was compiled, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .compiled import at, kernel, row_sum, runs_of
from .elementary import exp, expm1, tanh


@kernel(inline=True)
def _logit_row(u: np.ndarray, lam: float, available: np.ndarray, out: np.ndarray) -> None:
    """One run's logit probabilities over its actions `u` into `out`; unavailable actions
    get 0. At lambda = inf, all mass on the first maximiser."""
    n = u.shape[0]
    best = u[0] if available[0] else -math.inf
    for a in range(1, n):
        v = u[a] if available[a] else -math.inf
        best = max(best, v)
    if math.isinf(lam):
        taken = False
        for a in range(n):
            first = (not taken) and available[a] and (u[a] - best == 0.0)
            out[a] = 1.0 if first else 0.0
            taken = taken or first
        return
    total = 0.0
    for a in range(n):
        out[a] = exp(lam * (u[a] - best)) if available[a] else 0.0
        total = out[a] if a == 0 else total + out[a]
    for a in range(n):
        out[a] = out[a] / total


@kernel
def _logit_rows(u: np.ndarray, lam: np.ndarray, available: np.ndarray, out: np.ndarray) -> None:
    for i in range(u.shape[0]):
        _logit_row(u[i], at(lam, i), available[i], out[i])


def _inputs(payoffs: np.ndarray, available: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    u = np.ascontiguousarray(np.atleast_2d(np.asarray(payoffs, dtype=np.float64)))
    avail = np.ones(u.shape, dtype=np.bool_) if available is None else np.ascontiguousarray(
        np.broadcast_to(np.asarray(available, dtype=np.bool_), u.shape))
    return u, avail


def logit_probabilities(payoffs: np.ndarray, rationality: ArrayLike, available: np.ndarray | None = None) -> np.ndarray:
    """Choice probabilities, shape (R, A); unavailable actions get probability 0."""
    u, avail = _inputs(payoffs, available)
    out = np.empty_like(u)
    _logit_rows(u, runs_of(rationality), avail, out)
    return out


@kernel
def _sample_rows(probs: np.ndarray, u: np.ndarray, out: np.ndarray) -> None:
    for i in range(probs.shape[0]):
        cum = 0.0
        last = 0
        pick = -1
        for a in range(probs.shape[1]):
            p = probs[i, a]
            cum = cum + p
            if p > 0:
                last = a
                if pick < 0 and at(u, i) < cum:
                    pick = a
        # rounding can leave u just above the last cumulative sum: take the last possible action
        out[i] = last if pick < 0 else pick


def logit_choice(payoffs: np.ndarray, rationality: ArrayLike, u: np.ndarray,
                 available: np.ndarray | None = None) -> np.ndarray:
    """Sample one action index per run: the first action whose cumulative probability
    exceeds the uniform number `u` (inverse-CDF sampling)."""
    probs = logit_probabilities(payoffs, rationality, available)
    out = np.empty(probs.shape[0], dtype=np.int64)
    _sample_rows(probs, runs_of(u), out)
    return out


def rationality_of(own: object, default: object) -> np.ndarray | float:
    """An actor's rationality: its own where set (not None, not NaN), else the default
    (`behaviour.rationality`). Either may be a per-run array in sweeps."""
    if own is None:
        return default  # type: ignore[return-value]
    o = np.asarray(own, dtype=np.float64)
    d = np.asarray(default, dtype=np.float64)
    if o.ndim == 0 and d.ndim == 0:
        return float(d) if np.isnan(o) else float(o)
    return np.where(np.isnan(o), d, o)


@kernel
def move_chance(gain: float, lam: float) -> float:
    """Logit chance of a move worth `gain` against the status quo (value 0), one run."""
    if math.isinf(lam):
        return 1.0 if gain > 0 else 0.0
    return 0.5 * (1.0 + tanh(0.5 * lam * gain))  # = 1 / (1 + e^(-lambda gain)), without overflow


@kernel
def _move_rows(gain: np.ndarray, lam: np.ndarray, out: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = move_chance(at(gain, i), at(lam, i))


def move_probability(gain: ArrayLike, rationality: ArrayLike) -> np.ndarray:
    """Logit chance of a move worth `gain` against keeping the status quo (value 0):
    1 / (1 + exp(-lambda gain)); at lambda = inf, 1 for a positive gain and 0 otherwise
    (ties go to the status quo, as in `logit_probabilities`)."""
    g, lam = runs_of(gain), runs_of(rationality)
    shape = np.broadcast_shapes(np.shape(gain), np.shape(rationality))
    out = np.empty(max(g.size, lam.size))
    _move_rows(g, lam, out)
    return out.reshape(shape)


@kernel(inline=True)
def revision_one(u: np.ndarray, lam: float, available: np.ndarray, status_quo: int, mass: float, ring: float,
                 triggered: bool, u_change: float, u_choice: float, probs: np.ndarray) -> int:
    """One run of `revision_choice`; `ring` is 1 - e^(-mass), the chance the clock rings in
    the step (`valuation.chance_within`, which the caller has computed already: the same
    number); `probs` is scratch space of the actions' length."""
    _logit_row(u, lam, available, probs)
    n = u.shape[0]
    sq = min(max(status_quo, 0), n - 1)
    keep = probs[sq] if status_quo >= 0 else 0.0
    stay_clock = exp(-mass * (1.0 - keep))
    if triggered:
        p_change = 1.0 - keep * stay_clock
    else:
        p_change = (1.0 - stay_clock) / ring if ring > 0 else 0.0
    if status_quo >= 0:
        probs[sq] = 0.0  # the others: the status quo is what a change leaves
    total = row_sum(probs)
    target = u_choice * (total if total > 0 else 1.0)
    cum = 0.0
    last = 0
    pick = -1
    for a in range(n):
        share = probs[a]
        cum = cum + share
        if share > 0:
            last = a
            if pick < 0 and target < cum:
                pick = a
    if pick < 0:
        pick = last
    return pick if (u_change < p_change) and (total > 0) else status_quo


@kernel
def _revise_rows(u: np.ndarray, lam: np.ndarray, available: np.ndarray, status_quo: np.ndarray, mass: np.ndarray,
                 triggered: np.ndarray, u_change: np.ndarray, u_choice: np.ndarray, out: np.ndarray) -> None:
    probs = np.empty(u.shape[1])
    for i in range(u.shape[0]):
        m = at(mass, i)
        out[i] = revision_one(u[i], at(lam, i), available[i], at(status_quo, i), m, -expm1(-m), at(triggered, i),
                              at(u_change, i), at(u_choice, i), probs)


def revision_choice(payoffs: np.ndarray, rationality: ArrayLike, available: np.ndarray, status_quo: np.ndarray,
                    clock_mass: ArrayLike, triggered: np.ndarray, u_change: np.ndarray,
                    u_choice: np.ndarray) -> np.ndarray:
    """An actor's action at the end of a step in continuous-time logit-response dynamics
    (Blume 1993): revision opportunities come at a Poisson rate q a day, and at each one the
    actor picks an action by logit choice; `status_quo` (its standing posture, or waiting)
    is what it keeps unless it picks another.

    Over a step of dt days the opportunities number Poisson(m), m = q dt (`clock_mass`).
    With pi the logit probabilities and nu = 1 - pi[status quo], the actor changes with
    probability 1 - exp(-m nu): the hazard of a switch to action b is q pi[b] a day whatever
    the step length. A trigger event adds one opportunity at once (`triggered`). The caller
    passes only runs where the actor could act: triggered runs, or runs whose clock rang at
    least once (probability 1 - exp(-m)), for which the chance of a change is
    (1 - exp(-m nu)) / (1 - exp(-m)); a triggered run changes with 1 - pi[sq] exp(-m nu).
    The new action is drawn from pi over the others (inverse CDF on `u_choice`). A status
    quo that is not open is left at the first opportunity. At lambda = inf the actor moves
    to its best open action, and only then (tested)."""
    u, avail = _inputs(payoffs, available)
    out = np.empty(u.shape[0], dtype=np.int64)
    _revise_rows(u, runs_of(rationality), avail, runs_of(status_quo, np.int64), runs_of(clock_mass),
                 runs_of(triggered, np.bool_), runs_of(u_change), runs_of(u_choice), out)
    return out
