"""A block of runs' draws (`draws.uniform_block`, `normal_block`, the loops that vectorise) and
a draw from a run's key for the step (`uniform_of`, what the stages call) are the numbers of
each run's own draw (`uniform_at`, `normal_at`) bit for bit, whichever runs share the block and
wherever it starts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import draws

pytestmark = pytest.mark.model

_U64 = st.integers(min_value=0, max_value=2**64 - 1)


def _bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).view(np.uint64)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), first=st.integers(0, 10**6), lo=st.integers(0, 80), n=st.integers(0, 64),
       week=_U64, pid=_U64)
def test_blocks_are_each_runs_own_draws(seed: int, first: int, lo: int, n: int, week: int, pid: int) -> None:
    keys = draws.run_key(seed, np.arange(first, first + 150))
    w, p = np.uint64(week), np.uint64(pid)
    one_u = np.array([draws.uniform_at(keys[i], w, p) for i in range(lo, lo + n)])
    one_n = np.array([draws.normal_at(keys[i], w, p) for i in range(lo, lo + n)])
    block_u, block_n, ys = np.full(64, np.nan), np.full(64, np.nan), np.empty(64)
    step_keys = draws.step_keys(keys, w)
    draws.uniform_block(step_keys, lo, n, p, block_u)
    draws.normal_block(step_keys, lo, n, p, ys, block_n)
    one_of = np.array([draws.uniform_of(step_keys[i], p) for i in range(lo, lo + n)])
    assert np.array_equal(_bits(one_of), _bits(one_u))
    assert np.array_equal(_bits(block_u[:n]), _bits(one_u))
    assert np.array_equal(_bits(block_n[:n]), _bits(one_n))
    assert np.isnan(block_u[n:]).all() and np.isnan(block_n[n:]).all()  # nothing written past the block


@settings(max_examples=200, deadline=None)
@given(y=st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True))
def test_central_formula_is_the_quantiles(y: float) -> None:
    if draws.is_central(y):
        assert _bits(draws.central_quantile(y)) == _bits(draws.normal_quantile(y))


def test_region_edges_and_tails() -> None:
    from scipy.special import ndtri

    e = np.exp(-2.0)
    for y in (e, np.nextafter(e, 1.0), 1.0 - e, np.nextafter(1.0 - e, 1.0), 1e-300, 0.5, 1.0 - 2.0**-53):
        assert _bits(draws.normal_quantile(y)) == _bits(ndtri(y))
