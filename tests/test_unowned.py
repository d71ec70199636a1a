"""Views without reference counting (`compiled.unowned`, `alive`, `at`) read and write the
same memory as ordinary views, and the agreement benchmark's helpers classify as documented."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from benchmarks.agreement import FLIPPED_INSIDE, FLIPPED_LATER, LAST_DIGITS, OTHER, classify_trace, wilson
from sim.model.compiled import alive, at, unowned

pytestmark = pytest.mark.model


@numba.njit
def _rows_through_at(par: np.ndarray, runs: int) -> np.ndarray:
    out = np.empty((runs, par.shape[1]))
    for i in range(runs):
        pr = at(par, i)
        for k in range(par.shape[1]):
            out[i, k] = pr[k]
    return out


@numba.njit
def _scratch_sums(x: np.ndarray) -> np.ndarray:
    own = np.zeros(x.shape[1])
    scratch = unowned(own)
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        row = unowned(x)[i]
        for k in range(row.shape[0]):
            scratch[k] = row[k] * 2.0
        out[i] = scratch.sum()
    alive(own)
    return out


def test_at_reads_a_runs_row_or_the_shared_one() -> None:
    par = np.arange(24.0).reshape(6, 4)
    assert np.array_equal(_rows_through_at(par, 6), par)
    assert np.array_equal(_rows_through_at(par[:1].copy(), 6), np.repeat(par[:1], 6, axis=0))
    assert at(par, 2) is not None and np.array_equal(at(par, 2), par[2])  # plain Python too
    assert float(at(np.array([5.0]), 3)) == 5.0


def test_unowned_views_write_and_read_the_same_memory() -> None:
    x = np.random.default_rng(0).normal(size=(50, 7))
    assert np.array_equal(_scratch_sums(x), (x * 2.0).sum(axis=1))
    y = np.zeros(3)
    assert unowned(y) is y  # in Python, the array itself


def test_wilson_interval() -> None:
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-4) and hi == pytest.approx(0.5962, abs=1e-4)
    assert wilson(0, 10)[0] == pytest.approx(0.0, abs=1e-12)


def _traces(changes: list[tuple[int, str, float]]) -> tuple[dict, dict]:
    a = {"troops": np.full((5, 1), 100.0), "outcome": np.zeros((5, 1), dtype=np.int8)}
    b = {k: v.copy() for k, v in a.items()}
    for step, name, value in changes:
        b[name][step:, 0] = value
    return a, b


@pytest.mark.parametrize("changes, expected", [
    ([(1, "troops", 100.0 * (1 + 1e-15))], LAST_DIGITS),
    ([(1, "troops", 100.0 * (1 + 1e-15)), (3, "outcome", 2)], FLIPPED_LATER),
    ([(2, "outcome", 2)], FLIPPED_INSIDE),
    ([(1, "troops", 90.0)], OTHER),
])
def test_trace_classes(changes: list, expected: str) -> None:
    a, b = _traces(changes)
    assert classify_trace(a, b, 0, 5)[0] == expected
