"""Scores of a probabilistic prediction of one case's outcome (pure functions).

A probability is never zero: from `count` of `runs` runs, (count + 1) / (runs + 5) over the
five outcomes (a uniform pseudo-count, Laplace's rule over five classes), so a log score
is always finite and an outcome no run produced still costs a finite amount. The base rate
a model must beat is the same rule over the other cases' observed outcomes:
(count among the other cases + 1) / (cases + 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..model import outcomes

#: the outcome classes a case is scored on, in code order
CLASSES: tuple[str, ...] = outcomes.OUTCOMES


def smoothed(counts: Sequence[float], total: float) -> np.ndarray:
    """(count + 1) / (total + k) for each of the k classes: probabilities summing to 1 when
    the counts sum to `total`, none of them zero."""
    c = np.asarray(counts, dtype=float)
    if total < 0 or (c < 0).any() or c.sum() > total + 1e-9:
        raise ValueError(f"counts {c.tolist()} do not fit in a total of {total}")
    return (c + 1.0) / (float(total) + c.size)


def outcome_counts(codes: Sequence[int]) -> np.ndarray:
    """How many runs ended in each outcome (code order)."""
    codes = np.asarray(codes, dtype=np.int64)
    if ((codes < 0) | (codes >= len(CLASSES))).any():
        raise ValueError("an outcome code outside the five outcomes (an undecided run?)")
    return np.bincount(codes, minlength=len(CLASSES)).astype(float)


def base_rate(others: Sequence[str]) -> np.ndarray:
    """The base rate from the other cases' observed outcomes (names), smoothed."""
    counts = [sum(1 for o in others if o == name) for name in CLASSES]
    return smoothed(counts, len(others))


def log_score(p: np.ndarray, observed: str) -> float:
    """ln P(observed): 0 for a certain right prediction, more negative the worse (higher is better)."""
    return math.log(float(p[CLASSES.index(observed)]))


def brier(p: np.ndarray, observed: str) -> float:
    """Sum over the classes of (p - 1[observed])^2: 0 for a certain right prediction, 2 for a
    certain wrong one (lower is better)."""
    truth = np.zeros(len(CLASSES))
    truth[CLASSES.index(observed)] = 1.0
    return float(((np.asarray(p, dtype=float) - truth) ** 2).sum())
