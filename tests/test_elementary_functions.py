"""The elementary functions every kernel uses (`sim.model.elementary`: `exp`, `expm1`,
`tanh`, issue 28): the GNU C library's numbers bit for bit where that library
computes with fused multiply-adds (this project's Linux machines), within the library's
stated error of the exact value everywhere, and the same numbers in plain Python
(`NUMBA_DISABLE_JIT`) as compiled. And the fused multiply-add they are built on
(`sim.model.compiled.fma`): one rounding of the exact a x b + c."""

from __future__ import annotations

import math
import platform
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.model import elementary
from sim.model.compiled import fma
from sim.model.elementary import exp, expm1, tanh

pytestmark = pytest.mark.model


def _glibc_with_fma() -> bool:
    """Whether the C library is glibc 2.28 or later (its exp is the one `exp` follows) and the
    processor has fused multiply-adds (the library's build that uses them)."""
    name, version = platform.libc_ver()
    if name != "glibc" or tuple(int(v) for v in version.split(".")[:2]) < (2, 28):
        return False
    cpuinfo = Path("/proc/cpuinfo")
    return cpuinfo.exists() and " fma " in cpuinfo.read_text(encoding="utf-8", errors="replace")


def _loop(fn):
    """A compiled loop applying `fn` to every value of an array."""
    @numba.njit(nogil=True, error_model="numpy")
    def apply(x: np.ndarray, out: np.ndarray) -> None:
        for i in range(x.shape[0]):
            out[i] = fn(x[i])
    return apply


# ours against the C library's (numba's math.exp, math.expm1, math.tanh call it)
_PAIRS = {"exp": (_loop(exp), _loop(math.exp)), "expm1": (_loop(expm1), _loop(math.expm1)),
          "tanh": (_loop(tanh), _loop(math.tanh))}
_OURS = {"exp": exp, "expm1": expm1, "tanh": tanh}


@numba.njit(nogil=True, error_model="numpy")
def _fused(a: float, b: float, c: float) -> float:
    return fma(a, b, c)


_LN2 = math.log(2.0)
_SPECIAL = [0.0, -0.0, 1e-300, -1e-300, 5e-324, 2.0**-54, -2.0**-54, 2.0**-55, -2.0**-55, 2.0**-56, math.inf, -math.inf,
            math.nan, 709.782712893384, 709.79, -745.13, -745.14, -708.4, -708.39, -720.0, 512.0, -512.0, 511.99999,
            -511.99999, 1023.9, -1023.9, 1024.0, -1024.0, 1e300, -1e300, 0.34657359027997264, -0.0027076061740622863,
            0.5 * _LN2, -0.5 * _LN2, 1.5 * _LN2, -1.5 * _LN2, 56 * _LN2, -56 * _LN2, 0.25, -0.25, 1.0, -1.0, 22.0, -22.0,
            21.999999]


def _sample(n: int) -> np.ndarray:
    """n values per scale from 1e-17 to 400, the whole range where e^x is neither 0 nor inf
    (subnormal results included), every branch of e^x - 1's reduction (k ln 2 + [-0.6, 0.6]
    for k from -60 to 60), and the special values."""
    rng = np.random.default_rng(2028)
    parts = [rng.normal(0.0, scale, n) for scale in (1e-17, 1e-8, 1e-3, 0.1, 0.5, 1.0, 3.0, 10.0, 40.0, 100.0, 400.0)]
    parts += [rng.uniform(-760.0, 720.0, n), rng.uniform(-1100.0, 1100.0, n // 10)]
    parts += [k * _LN2 + rng.uniform(-0.6, 0.6, n // 50) for k in range(-60, 61)]
    return np.concatenate(parts + [np.array(_SPECIAL)])


@pytest.mark.skipif(not _glibc_with_fma(), reason="the C library here is not glibc >= 2.28 computing with FMA")
@pytest.mark.parametrize("name", sorted(_PAIRS))
def test_the_c_library_numbers_bit_for_bit(name: str) -> None:
    """About 6.5 million values each: not one bit differs."""
    ours_loop, library_loop = _PAIRS[name]
    x = _sample(400_000)
    ours, library = np.empty_like(x), np.empty_like(x)
    ours_loop(x, ours)
    library_loop(x, library)
    differ = np.flatnonzero(ours.view(np.uint64) != library.view(np.uint64))
    assert differ.size == 0, f"{name}: {differ.size} of {x.size} differ, first at x={x[differ[0]]!r}"


def _exact_exp(x: float) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return Decimal(x).exp()


def _exact(name: str, x: float) -> Decimal:
    """The value in 700 decimal digits: enough that e^x - 1 and tanh x keep 60 correct
    digits for every x down to the smallest normal number (no cancellation left)."""
    with localcontext() as ctx:
        ctx.prec = 700
        e = Decimal(x).exp()
        if name == "exp":
            return e
        if name == "expm1":
            return e - 1
        inverse = 1 / e
        return (e - inverse) / (e + inverse)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=-708.0, max_value=709.78), name=st.sampled_from(sorted(_OURS)))
@example(x=0.0, name="exp")
@example(x=1e-300, name="expm1")
@example(x=0.34657359027997264, name="exp")
@example(x=-0.0027076061740622863, name="tanh")
@example(x=6.07922681627579e-17, name="tanh")  # just over one unit off
def test_within_the_library_error_of_the_exact_value(x: float, name: str) -> None:
    """Within the GNU C library's stated error of the value (`_exact`) wherever it is a normal
    number: 0.52 units in the last place for exp (its algorithm's bound), 1 for expm1 and 2
    for tanh (the library's table of known errors for double precision on x86-64)."""
    got = _OURS[name](x)
    exact = _exact(name, x)
    if exact == 0 or abs(exact) < Decimal(np.finfo(np.float64).tiny):
        return
    bound = {"exp": Decimal("0.52"), "expm1": Decimal(1), "tanh": Decimal(2)}[name]
    assert abs(Decimal(got) - exact) <= bound * Decimal(math.ulp(float(exact)))


@pytest.mark.parametrize("x, want", [(-math.inf, 0.0), (-746.0, 0.0), (-1e300, 0.0), (709.79, math.inf),
                                     (710.0, math.inf), (1e300, math.inf), (math.inf, math.inf), (0.0, 1.0),
                                     (-0.0, 1.0)])
def test_zero_one_and_overflow(x: float, want: float) -> None:
    assert exp(x) == want
    assert exp.py_func(x) == want


def test_nan() -> None:
    assert math.isnan(exp(math.nan))
    assert math.isnan(exp.py_func(math.nan))


@pytest.mark.parametrize("x, want", [(-math.inf, -1.0), (-40.0, -1.0), (math.inf, math.inf), (710.0, math.inf),
                                     (0.0, 0.0), (1e-300, 1e-300)])
def test_expm1_limits(x: float, want: float) -> None:
    assert expm1(x) == want
    assert expm1.py_func(x) == want
    assert math.copysign(1.0, expm1(-0.0)) == -1.0


@pytest.mark.parametrize("x, want", [(-math.inf, -1.0), (-22.0, -1.0), (math.inf, 1.0), (30.0, 1.0), (0.0, 0.0),
                                     (1e-300, 1e-300)])
def test_tanh_limits(x: float, want: float) -> None:
    assert tanh(x) == want
    assert tanh.py_func(x) == want
    assert math.copysign(1.0, tanh(-0.0)) == -1.0
    assert math.isnan(tanh(math.nan)) and math.isnan(expm1(math.nan))


@settings(max_examples=300, deadline=None)
@given(x=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=-1100.0, max_value=1100.0),
                   st.sampled_from(_SPECIAL)), name=st.sampled_from(sorted(_OURS)))
def test_plain_python_gives_the_compiled_numbers(x: float, name: str) -> None:
    """What a debugger runs (`NUMBA_DISABLE_JIT=1`: the functions' Python, their bit casts and
    fused multiply-adds done by Python's integers and fractions) is what the kernels run."""
    fn = _OURS[name]
    compiled_value, python_value = fn(x), fn.py_func(x)
    assert (math.isnan(compiled_value) and math.isnan(python_value)) or (
        np.float64(compiled_value).view(np.uint64) == np.float64(python_value).view(np.uint64))


def test_the_table_is_two_to_the_j_over_128() -> None:
    """Each of the 128 entries H_j (1 + T_j) is 2^(j/128) to within a unit in the 106th bit."""
    table = elementary._EXP_TABLE
    for j in range(128):
        tail = float(np.int64(table[2 * j]).view(np.float64))
        head = float(np.int64(table[2 * j + 1] + (j << 45)).view(np.float64))
        with localcontext() as ctx:
            ctx.prec = 60
            exact = Decimal(2) ** (Decimal(j) / Decimal(128))
            assert abs(Decimal(head) * (1 + Decimal(tail)) - exact) <= exact * Decimal(2) ** -106


_finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e150, max_value=1e150)


@settings(max_examples=300, deadline=None)
@given(a=_finite, b=_finite, c=_finite)
@example(1.0 + 2.0**-52, 1.0 - 2.0**-52, -1.0)  # the product's last bits survive only fused
def test_fma_rounds_the_exact_value_once(a: float, b: float, c: float) -> None:
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    want = float(exact) if exact != 0 else a * b + c
    assert _fused(a, b, c) == want
    assert fma(a, b, c) == want
    assert (1.0 + 2.0**-52) * (1.0 - 2.0**-52) - 1.0 == 0.0  # unfused, the same sum loses them
