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
