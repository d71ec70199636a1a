"""The elementary functions the model's kernels call: e^x, e^x - 1 and tanh x, written here
rather than called from the C library (issue 28; benchmarks/HISTORY.md).

They are the GNU C library's algorithms, written out operation for operation, with the fused
multiply-adds where that library's build for processors that have them puts them (read from
its machine code: `__ieee754_exp_fma`, `__expm1_fma`, and `tanh` on `expm1`). So:

- on this project's machines (glibc 2.28 or later, processors with FMA) they give the C
  library's numbers bit for bit, and the model's tables did not change when it took them up
  (tests/test_elementary_functions.py compares millions of values);
- on any other machine they give the same numbers, where a call of the platform's library
  used to give its own (the C library's `log` and `sqrt` remain, in the tails of the normal
  draws; `sqrt` is exact by IEEE);
- they are compiled into the loops that use them instead of called: numba binds `math.exp`
  to a helper of its own that calls the library's `exp` through its error-reporting wrapper,
  three calls per value; an `exp` here costs about 3.3 ns against 5.1 to 6.5 (two runs of
  `python -m benchmarks.step_costs`).

The constants are the published ones of each algorithm (named where they are defined); the
table of e^x is computed from its definition when this module is imported.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np

from .compiled import add64, bits_of_float, float_of_bits, fma, kernel


#: e^x's table: 2^(j/128) = H_j (1 + T_j) for j = 0..127, H_j the double nearest 2^(j/128) and
#: T_j the double nearest 2^(j/128) / H_j - 1; stored as the bits of T_j, then the bits of H_j
#: less j x 2^45 (so adding k x 2^45 for k = 128 m + j gives the bits of 2^m H_j). Computed
#: here from the definition, in decimal arithmetic with 60 digits.
def _exp_table() -> np.ndarray:
    with localcontext() as ctx:
        ctx.prec = 60
        rows = []
        for j in range(128):
            exact = Decimal(2) ** (Decimal(j) / Decimal(128))
            h = float(exact)
            t = float((exact - Decimal(h)) / Decimal(h))
            rows += [bits_of_float(t) if t != 0.0 else 0, bits_of_float(h) - (j << 45)]
    return np.array(rows, dtype=np.int64)


_EXP_TABLE = _exp_table()
#: e^x's constants: 128 / ln 2; 1.5 x 2^52 (adding it rounds to an integer); -ln 2 / 128 in two
#: parts; the polynomial's coefficients of r^2 .. r^5 (a minimax fit on |r| <= ln 2 / 256)
_INV_LN2_N = float.fromhex("0x1.71547652b82fep+7")
_SHIFT = float.fromhex("0x1.8p52")
_NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")
_NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")
_P2 = float.fromhex("0x1.ffffffffffdbdp-2")
_P3 = float.fromhex("0x1.555555555543cp-3")
_P4 = float.fromhex("0x1.55555cf172b91p-5")
_P5 = float.fromhex("0x1.1111167a4d017p-7")
_TWO_1009 = 2.0**1009
_TWO_M1022 = 2.0**-1022


@kernel(inline=True)
def _exp_scaled(tmp: float, sbits: int, ki: int) -> float:
    """`exp` where 2^k is not a normal number's scale (|x| from 512 to 1024): the scale taken
    apart in two factors; below 1 after the first, the sum done in two parts so the result
    rounds once (a subnormal result)."""
    if (ki & 0x80000000) == 0:  # k > 0
        scale = float_of_bits(add64(sbits, -(1009 << 52)))
        return fma(scale, tmp, scale) * _TWO_1009
    scale = float_of_bits(add64(sbits, 1022 << 52))
    st = scale * tmp
    y = scale + st
    if y < 1.0:
        hi = y + 1.0
        lo = (scale - y) + st
        y = ((((1.0 - hi) + y) + lo) + hi) - 1.0
        if y == 0.0:
            y = 0.0
    return y * _TWO_M1022


@kernel(inline=True)
def exp(x: float) -> float:
    """e^x, bit for bit the exponential of the GNU C library from version 2.28 on where the
    processor has fused multiply-adds (its `__exp_fma`), on every machine: the model's numbers
    then do not depend on the platform's mathematical library, and the exponential is
    compiled into the kernels that call it (no library call; a loop of them can interleave).

    The algorithm is Szabolcs Nagy's for ARM's optimized-routines (2018), which glibc ships:
    x = (k / 128) ln 2 + r with k the integer nearest 128 x / ln 2 and |r| <= ln 2 / 256,
    e^x = 2^(k // 128) x 2^((k mod 128) / 128) x e^r, the middle factor from a table
    (`_EXP_TABLE`, H (1 + T)) and e^r - 1 by a polynomial of degree 5, summed as
    scale + scale x (T + r + r^2 (p2 + p3 r) + r^4 (p4 + p5 r)); the fused multiply-adds are
    where glibc's build for such processors places them (read from its machine code),
    which is what makes the bits the same (tests/test_elementary_functions.py checks millions of values
    against the C library's). Error under 0.52 units in the last place; 1 + x below 2^-54;
    0 below about -745.13, inf above about 709.78, NaN for NaN."""
    ix = bits_of_float(x)
    abstop = (ix >> 52) & 0x7FF
    special = False
    if abstop - 0x3C9 < 0:  # |x| < 2^-54 (and zero)
        return 1.0 + x
    if abstop >= 0x408:  # |x| >= 512, inf, NaN
        if abstop >= 0x409:
            if ix == _NEG_INF_BITS:
                return 0.0
            if abstop == 0x7FF:
                return 1.0 + x
            return 0.0 if ix < 0 else math.inf
        special = True
    kd = fma(x, _INV_LN2_N, _SHIFT)
    ki = bits_of_float(kd)
    kd = kd - _SHIFT
    r = fma(kd, _NEG_LN2_HI_N, x)
    r = fma(kd, _NEG_LN2_LO_N, r)
    idx = 2 * (ki & 127)
    tail = float_of_bits(_EXP_TABLE[idx])
    sbits = add64(_EXP_TABLE[idx + 1], add64((ki & 0x7FFFF) << 45, 0))
    low = fma(r, _P3, _P2)
    head = r + tail
    r2 = r * r
    high = fma(r, _P5, _P4)
    tmp = fma(r2 * r2, high, fma(low, r2, head))
    if special:
        return _exp_scaled(tmp, sbits, ki)
    scale = float_of_bits(sbits)
    return fma(scale, tmp, scale)


_NEG_INF_BITS = bits_of_float(-math.inf)


#: e^x - 1's constants: ln 2 in two parts (the high part's last 32 bits zero), 1 / ln 2, and
#: the rational approximation's coefficients Q1..Q5 (Sun's fdlibm `s_expm1.c`, 1993)
_EM_LN2_HI = float.fromhex("0x1.62e42fee00000p-1")
_EM_LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
_EM_INV_LN2 = float.fromhex("0x1.71547652b82fep+0")
_EM_Q1 = float.fromhex("-0x1.11111111110f4p-5")
_EM_Q2 = float.fromhex("0x1.a01a019fe5585p-10")
_EM_Q3 = float.fromhex("-0x1.4ce199eaadbb7p-14")
_EM_Q4 = float.fromhex("0x1.0cfca86e65239p-18")
_EM_Q5 = float.fromhex("-0x1.afdb76e09c32dp-23")
_EM_OVERFLOW = float.fromhex("0x1.62e42fefa39efp+9")  # the largest x whose e^x is finite, about 709.78


@kernel(inline=True)
def _with_exponent_added(y: float, k: int) -> float:
    """y with k added to its binary exponent (its high 32 bits, wrapping as they do)."""
    bits = bits_of_float(y)
    high = ((bits >> 32) + (k << 20)) & 0xFFFFFFFF
    return float_of_bits((high << 32) | (bits & 0xFFFFFFFF))


@kernel(inline=True)
def expm1(x: float) -> float:
    """e^x - 1, bit for bit the GNU C library's where it computes with fused multiply-adds
    (its `__expm1_fma`), on every machine, compiled into the kernels like `exp`.

    The algorithm is Sun's fdlibm `expm1` (1993) as glibc builds it: x = k ln 2 + r with
    |r| <= ln 2 / 2 (k = 0 below that, k = +-1 up to 1.5 ln 2, else k by rounding x / ln 2),
    with c the rounding error of r; e^r - 1 from a rational approximation in r^2 / 2 whose
    polynomial R1 + h^2 R2 + h^4 R3 has the coefficients Q1..Q5; then 2^k (e^r - 1 + 1) - 1
    rearranged per range of k so that it rounds once. The fused multiply-adds stand where
    glibc's build places them (read from its machine code); tests/test_elementary_functions.py checks
    millions of values against the C library. Error under 1 unit in the last place; x itself
    below 2^-54; -1 below -56 ln 2; inf above about 709.78; NaN for NaN."""
    ix = bits_of_float(x)
    high = (ix >> 32) & 0xFFFFFFFF
    negative = (high & 0x80000000) != 0
    hx = high & 0x7FFFFFFF
    k = 0
    c = 0.0
    if hx >= 0x4043687A:  # |x| >= 56 ln 2
        if hx >= 0x40862E42:  # |x| >= 709.78..., inf, NaN
            if hx >= 0x7FF00000:
                if ((hx & 0xFFFFF) | (ix & 0xFFFFFFFF)) != 0:
                    return x + x  # NaN
                return -1.0 if negative else x
            if x > _EM_OVERFLOW:
                return math.inf
        if negative:
            return -1.0
    if hx > 0x3FD62E42:  # |x| > ln 2 / 2: reduce
        if hx < 0x3FF0A2B2:  # and |x| < 1.5 ln 2
            if negative:
                hi, lo, k = x + _EM_LN2_HI, -_EM_LN2_LO, -1
            else:
                hi, lo, k = x - _EM_LN2_HI, _EM_LN2_LO, 1
        else:
            k = int(_EM_INV_LN2 * x + (-0.5 if negative else 0.5))
            t = float(k)
            hi = fma(-t, _EM_LN2_HI, x)
            lo = t * _EM_LN2_LO
        x = hi - lo
        c = (hi - x) - lo
    elif hx < 0x3C900000:  # |x| < 2^-54
        return x
    hfx = 0.5 * x
    hxs = x * hfx
    h2 = hxs * hxs
    r1 = fma(h2 * h2, fma(hxs, _EM_Q5, _EM_Q4), fma(h2, fma(hxs, _EM_Q3, _EM_Q2), fma(hxs, _EM_Q1, 1.0)))
    t = fma(-r1, hfx, 3.0)
    e = (r1 - t) / fma(-x, t, 6.0) * hxs
    if k == 0:
        return x - fma(e, x, -hxs)
    e = fma(e - c, x, -c) - hxs
    if k == -1:
        return fma(0.5, x - e, -0.5)
    if k == 1:
        if x < -0.25:
            return (e - (x + 0.5)) * -2.0
        return fma(x - e, 2.0, 1.0)
    if k <= -2 or k > 56:  # e^x - 1 is e^x to the precision kept
        return _with_exponent_added(1.0 - (e - x), k) - 1.0
    if k < 20:
        t = float_of_bits((0x3FF00000 - (0x200000 >> k)) << 32)  # 1 - 2^-k
        return _with_exponent_added(t - (e - x), k)
    t = float_of_bits((0x3FF - k) << 52)  # 2^-k
    return _with_exponent_added((x - (e + t)) + 1.0, k)


@kernel(inline=True)
def tanh(x: float) -> float:
    """tanh x, bit for bit the GNU C library's (Sun's fdlibm `tanh`, 1993, on `expm1`), on
    every machine: x itself for |x| < 2^-55 (as x (1 + x)); for |x| < 1, -t / (t + 2) with
    t = expm1(-2|x|); up to 22, 1 - 2 / (t + 2) with t = expm1(2|x|); +-1 from 22 on and at
    +-inf; NaN for NaN."""
    ix = bits_of_float(x)
    high = (ix >> 32) & 0xFFFFFFFF
    negative = (high & 0x80000000) != 0
    hx = high & 0x7FFFFFFF
    if hx >= 0x7FF00000:  # inf or NaN
        return 1.0 / x - 1.0 if negative else 1.0 / x + 1.0
    if hx < 0x40360000:  # |x| < 22
        if (hx | (ix & 0xFFFFFFFF)) == 0:
            return x  # +-0
        if hx < 0x3C800000:  # |x| < 2^-55
            return (1.0 + x) * x
        ax = abs(x)
        if hx >= 0x3FF00000:  # |x| >= 1
            z = 1.0 - 2.0 / (expm1(ax + ax) + 2.0)
        else:
            t = expm1(ax * -2.0)
            z = -t / (t + 2.0)
    else:
        z = 1.0  # 1 - 1e-300 rounds to 1
    return -z if negative else z
