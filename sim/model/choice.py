"""Quantal response (logit) choice over expected payoffs.

McKelvey & Palfrey (1995), "Quantal response equilibria for normal form games", Games and
Economic Behavior 10: P(a) = exp(lambda U_a) / sum_b exp(lambda U_b). lambda = 0 is a uniform
choice among available actions; lambda = inf is the best response (ties go to the lowest
action index). All functions take payoffs with a leading runs axis, shape (R, A), and a
per-run or scalar rationality lambda.

Action sets are small (A <= 7) and runs many, so reductions over actions are written as
loops over action columns: elementwise work on (R,) arrays, fast and bit-identical for
any number of runs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def logit_probabilities(payoffs: np.ndarray, rationality: ArrayLike, available: np.ndarray | None = None) -> np.ndarray:
    """Choice probabilities, shape (R, A); unavailable actions get probability 0."""
    u = np.atleast_2d(np.asarray(payoffs, dtype=np.float64))
    n_actions = u.shape[1]
    if available is not None:
        u = np.where(available, u, -np.inf)
    best = u[:, 0]
    for a in range(1, n_actions):
        best = np.maximum(best, u[:, a])
    lam = np.asarray(rationality, dtype=np.float64)
    is_inf = np.isinf(lam)
    finite_lam = np.where(is_inf, 0.0, lam).reshape(-1, 1) if lam.ndim else (0.0 if is_inf else float(lam))
    gap = u - best[:, None]  # -inf for unavailable actions
    if available is None:
        weights = np.exp(finite_lam * gap)
    else:  # 0 x -inf would be NaN: exponentiate available gaps only
        weights = np.where(available, np.exp(finite_lam * np.where(available, gap, 0.0)), 0.0)
    total = weights[:, 0]
    for a in range(1, n_actions):
        total = total + weights[:, a]
    probs = weights / total[:, None]
    if not np.any(is_inf):
        return probs
    # best response for lambda = inf: all mass on the first maximiser
    br = np.zeros_like(probs)
    taken = np.zeros(u.shape[0], dtype=bool)
    for a in range(n_actions):
        first = ~taken & (gap[:, a] == 0.0)
        br[:, a] = first
        taken |= first
    return np.where(is_inf.reshape(-1, 1) if lam.ndim else True, br, probs)


def logit_choice(payoffs: np.ndarray, rationality: ArrayLike, u: np.ndarray,
                 available: np.ndarray | None = None) -> np.ndarray:
    """Sample one action index per run: the first action whose cumulative probability
    exceeds the uniform number `u` (inverse-CDF sampling)."""
    probs = logit_probabilities(payoffs, rationality, available)
    u = np.asarray(u, dtype=np.float64).reshape(-1)
    n_actions = probs.shape[1]
    choice = np.full(probs.shape[0], -1, dtype=np.int64)
    last_possible = np.zeros(probs.shape[0], dtype=np.int64)
    cum = np.zeros(probs.shape[0])
    for a in range(n_actions):
        p = probs[:, a]
        cum = cum + p
        last_possible = np.where(p > 0, a, last_possible)
        choice = np.where((choice < 0) & (u < cum) & (p > 0), a, choice)
    # rounding can leave u just above the last cumulative sum: take the last possible action
    return np.where(choice < 0, last_possible, choice)


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


def move_probability(gain: ArrayLike, rationality: ArrayLike) -> np.ndarray:
    """Logit chance of a move worth `gain` against keeping the status quo (value 0):
    1 / (1 + exp(-lambda gain)); at lambda = inf, 1 for a positive gain and 0 otherwise
    (ties go to the status quo, as in `logit_probabilities`)."""
    g = np.asarray(gain, dtype=np.float64)
    lam = np.asarray(rationality, dtype=np.float64)
    finite = np.where(np.isinf(lam), 0.0, lam)
    with np.errstate(over="ignore"):
        p = 0.5 * (1.0 + np.tanh(0.5 * finite * g))  # = 1 / (1 + e^(-lambda g)), without overflow
    return np.where(np.isinf(lam), (g > 0).astype(np.float64), p)


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
    probs = logit_probabilities(payoffs, rationality, available)
    rows = np.arange(probs.shape[0])
    sq = np.clip(np.asarray(status_quo, dtype=np.int64), 0, probs.shape[1] - 1)
    keep = np.where(np.asarray(status_quo) >= 0, probs[rows, sq], 0.0)
    nu = 1.0 - keep
    m = np.asarray(clock_mass, dtype=np.float64)
    stay_clock = np.exp(-m * nu)
    rang = -np.expm1(-m)
    p_change = np.where(np.asarray(triggered, dtype=bool), 1.0 - keep * stay_clock,
                        np.where(rang > 0, (1.0 - stay_clock) / np.where(rang > 0, rang, 1.0), 0.0))
    others = probs.copy()
    others[rows, sq] = np.where(np.asarray(status_quo) >= 0, 0.0, others[rows, sq])
    total = others.sum(axis=1)
    safe_total = np.where(total > 0, total, 1.0)
    pick = np.full(probs.shape[0], -1, dtype=np.int64)
    cum = np.zeros(probs.shape[0])
    u = np.asarray(u_choice, dtype=np.float64) * safe_total
    last = np.zeros(probs.shape[0], dtype=np.int64)
    for a in range(probs.shape[1]):
        share = others[:, a]
        cum = cum + share
        last = np.where(share > 0, a, last)
        pick = np.where((pick < 0) & (u < cum) & (share > 0), a, pick)
    pick = np.where(pick < 0, last, pick)
    change = (np.asarray(u_change, dtype=np.float64) < p_change) & (total > 0)
    return np.where(change, pick, np.asarray(status_quo, dtype=np.int64))
