"""The arithmetic exponential every kernel uses (`compiled.exp`, issue 28): within 1e-14 of
the C library's `exp` (relative) wherever the result is a normal number, the C library's
0, inf and NaN outside, and the same bits whether a loop over a block of values computes it
(vectorised) or one call computes one value."""

from __future__ import annotations

import math
import re

import numba
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.model.compiled import exp

pytestmark = pytest.mark.model

#: the smallest x whose e^x is a normal number, and the largest whose e^x is finite
_NORMAL_FROM = math.log(np.finfo(np.float64).tiny)
_FINITE_TO = 709.782712893384


@numba.njit(nogil=True, error_model="numpy")
def _block(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        out[i] = exp(x[i])


def _bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).view(np.uint64)


@settings(max_examples=500, deadline=None)
@given(x=st.floats(min_value=_NORMAL_FROM, max_value=_FINITE_TO))
@example(0.0)
@example(-0.0)
@example(1e-300)
@example(-708.0)
@example(709.78)
@example(0.34657359027997264)  # ln 2 / 2, the edge of the reduced range
def test_within_1e14_of_libm(x: float) -> None:
    got, want = exp(x), math.exp(x)
    assert abs(got - want) <= 1e-14 * want


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=-746.0, max_value=_NORMAL_FROM))
def test_subnormal_results_within_a_unit_of_the_last_place(x: float) -> None:
    assert abs(exp(x) - math.exp(x)) <= 2.0**-1074


@pytest.mark.parametrize("x, want", [(-math.inf, 0.0), (-746.0, 0.0), (-1e300, 0.0), (709.79, math.inf),
                                     (710.0, math.inf), (1e300, math.inf), (math.inf, math.inf)])
def test_zero_and_overflow(x: float, want: float) -> None:
    assert exp(x) == want


def test_nan() -> None:
    assert math.isnan(exp(math.nan))


@settings(max_examples=100, deadline=None)
@given(xs=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=0, max_size=70),
       wide=st.lists(st.floats(min_value=-800.0, max_value=800.0), min_size=0, max_size=70))
def test_block_and_one_value_the_same_bits(xs: list[float], wide: list[float]) -> None:
    x = np.array(xs + wide, dtype=np.float64)
    out = np.full(x.shape[0], 7.0)
    _block(x, out)
    one = np.array([exp(v) for v in x])
    assert np.array_equal(_bits(out), _bits(one))


def test_the_block_loop_vectorises() -> None:
    _block(np.zeros(8), np.empty(8))
    llvm = _block.inspect_llvm(_block.signatures[0])
    assert re.search(r"<\d+ x double>", llvm), "the loop over a block of values did not vectorise"
