"""How the model's math is compiled: numba's `njit`, with the machine code cached on disk.

A kernel is a function of plain numbers and NumPy arrays written once, usually for one run,
and compiled to machine code (numba, `@kernel`). A formula is a kernel of plain numbers;
its rows kernel applies it to arrays of values (`elementwise`), and other kernels call it
directly. The batch engine calls a kernel's loop over
the runs axis for thousands of runs; the Mesa model calls the same loop for its one run, so
the two engines run the same machine code. benchmarks/HISTORY.md says
why numba and what was measured.

- Compilation happens on the first call of each kernel in a fresh installation and is
  cached on disk (`cache=True`); later processes, sweep workers included, load the cached
  code. The cache lives in one directory per version of the model's code (`CACHE_DIR`,
  named by a digest of every file of `sim/model` and of the parameter schema, under
  `sim/model/__pycache__` or `NUMBA_CACHE_DIR`): numba checks only a kernel's own file for changes, and a kernel
  compiled into another (a formula of `valuation` inside `payoffs.stopping_day`) would
  otherwise survive an edit of the file it came from. The digest reads the code, not the
  text: comments and docstrings do not count, so editing them recompiles nothing
  (`code_digest`, `_ModelCacheLocator`).
- Kernels release the GIL (`nogil=True`), so threads can run them side by side.
- Floating point is IEEE without reassociation or implicit fused multiply-adds (no
  `fastmath` anywhere, the block draws included), so a kernel computes what its NumPy
  formulation computed, operation for operation, and a loop that LLVM vectorises computes in
  each lane what the scalar code computes (tests/test_draw_blocks.py). A fused multiply-add
  is written out where one is meant (`fma`).
- Reference counts: numba counts every array a kernel views or hands to an inlined kernel
  with an atomic (locked) increment and decrement. In the step's loops over runs these took
  about a third of the batch engine's time (issue 28, benchmarks/HISTORY.md), so a run's
  parameter row (`at`) and the stages' scratch arrays are views that hold no reference
  (`unowned`; a scratch array is kept alive to the end of its kernel by `alive`).
- Blocks of runs: a stage may compute a block of runs' random numbers first, in loops
  without branches that vectorise (`draws.uniform_block`, `draws.normal_block`), and then
  run its branchy per-run code on them; a run's numbers are still its own (pure functions of
  the run's key), never a reduction over the block, so they do not depend on which runs
  share it.
- The elementary functions (`exp`, `expm1`, `tanh`) are compiled into the kernels, not
  called from the C library: the GNU C library's algorithms, written here operation for
  operation, so they give that library's numbers bit for bit where it computes with fused
  multiply-adds (this project's machines: the tables did not change when the model took
  them up) and the same numbers on every other machine, where they used to follow the
  platform's library (the C library's `log` and `sqrt` remain, in the tails of the normal
  draws; `sqrt` is exact by IEEE). An `exp` costs about 3.3 ns against 6.5 ns for numba's
  call of the library's (`python -m benchmarks.step_costs`); benchmarks/HISTORY.md, issue 28.
- `NUMBA_DISABLE_JIT=1` runs the same functions as plain Python (for a debugger).

Per-run and shared values: a parameter may be a number shared by all runs or an array with
one value per run (sweeps). Kernels take both as 1-d arrays (`runs_of`) and read run i's
value with `at(x, i)`: x[0] for a shared value, x[i] otherwise.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import math
import os
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, TypeVar, cast

import numba
import numba.core.config
import numpy as np
from llvmlite import ir
from numba import types
from numba.core.caching import CacheImpl, UserProvidedCacheLocator
from numba.extending import intrinsic, overload
from numpy.typing import ArrayLike, DTypeLike

F = TypeVar("F", bound=Callable[..., Any])


def code_digest(path: Path) -> str:
    """A digest of what a Python file computes: its syntax tree without docstrings and
    without the texts players and stories read (the values of module-level names ending in
    `TEXTS`, an actor's `brief`), so an edited comment, docstring or text, or code moved down
    a line, leaves it unchanged. Computed once per version of the file in a process (numba
    asks for every kernel the file defines)."""
    stat = path.stat()
    return _code_digest(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=None)
def _code_digest(path: str, mtime_ns: int, size: int) -> str:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        if isinstance(node, ast.keyword) and node.arg == "brief":
            node.value = ast.Constant(None)
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id.endswith("TEXTS") for t in targets):
            node.value = ast.Constant(None)  # type: ignore[attr-defined]
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()[:16]


#: files of this package that no kernel reads (plain texts): editing them keeps the compiled kernels
_NOT_COMPILED = {"action_texts.py"}
#: the files whose code decides the compiled kernels: the model's and the parameter schema's
#: (the packed columns and the state's storage are derived from them)
MODEL_DIR = Path(__file__).parent
CODE_FILES = (*sorted(p for p in MODEL_DIR.rglob("*.py") if "__pycache__" not in p.parts and p.name not in _NOT_COMPILED),
              MODEL_DIR.parent / "config" / "schema.py")


def _source_digest() -> str:
    """A digest of the model's code and schema (`code_digest` of every file of `CODE_FILES`,
    by name): the key of the compiled kernels' cache. Remembered beside the cache against
    the files' sizes and modification times (as Python remembers a module's bytecode), so
    a process reads the code's syntax trees only after a file has changed."""
    root = MODEL_DIR.parent
    stamp = hashlib.sha256(repr([(p.relative_to(root).as_posix(), p.stat().st_mtime_ns, p.stat().st_size)
                                 for p in CODE_FILES]).encode()).hexdigest()
    memo = _CACHE_ROOT / "code-digest.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if known.get("stamp") == stamp and isinstance(known.get("digest"), str):
            return str(known["digest"])
    except (OSError, ValueError, AttributeError):
        pass
    digest = hashlib.sha256()
    for path in CODE_FILES:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + code_digest(path).encode())
    value = digest.hexdigest()[:16]
    try:  # written whole or not at all; a read-only installation computes it each time
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f"code-digest.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"stamp": stamp, "digest": value}), encoding="utf-8")
        os.replace(tmp, memo)
    except OSError:
        pass
    return value


_CACHE_ROOT = Path(os.environ.get("NUMBA_CACHE_DIR") or MODEL_DIR / "__pycache__")

#: where the compiled kernels of this version of the model's code are cached
SOURCE_DIGEST = _source_digest()
CACHE_DIR = _CACHE_ROOT / f"kernels-{SOURCE_DIGEST}"
# read by numba when a kernel is defined (below and in the modules that import this one)
numba.core.config.CACHE_DIR = str(CACHE_DIR)  # type: ignore[attr-defined]


class _ModelCacheLocator(UserProvidedCacheLocator):
    """Where numba keeps and finds a model kernel: in `CACHE_DIR`, stamped with the whole
    code's digest and named by its qualified name, not by its file's bytes and the line it
    starts on (numba's defaults). A comment edited in a model file then recompiles nothing;
    a change to the code changes `CACHE_DIR` and recompiles everything (a kernel compiled
    into another from a third file would survive an edit of that file otherwise)."""

    def __init__(self, py_func: Any, py_file: str) -> None:
        super().__init__(py_func, py_file)
        self._qualname = py_func.__qualname__
        # the file's folder relative to the model's (or to the cache, for the assembled step), so
        # two checkouts of the same code that share NUMBA_CACHE_DIR share their kernels
        path = Path(py_file).resolve()
        for root in (MODEL_DIR.resolve(), CACHE_DIR.resolve()):
            if path.is_relative_to(root):
                self._cache_path = str(CACHE_DIR / "code" / path.parent.relative_to(root).as_posix().replace("/", "."))
                break

    def get_source_stamp(self) -> Any:
        # the whole code's digest: it names the cache already, so a kernel's own file needs
        # no stamp of its own (and is not read again)
        return SOURCE_DIGEST

    def get_disambiguator(self) -> str:
        return self._qualname.replace(".", "_").replace("<locals>", "locals")

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        inside = Path(py_file).resolve().is_relative_to(MODEL_DIR.resolve()) or Path(py_file).resolve().is_relative_to(
            CACHE_DIR.resolve())
        return super().from_function(py_func, py_file) if inside else None


if _ModelCacheLocator not in CacheImpl._locator_classes:
    CacheImpl._locator_classes.insert(0, _ModelCacheLocator)


def kernel(fn: F | None = None, *, inline: bool = False) -> Any:
    """Compile `fn` with numba (no Python objects, cached on disk, GIL released; division
    by zero gives inf or NaN as in NumPy). `@kernel(inline=True)` marks a small kernel that
    other kernels call once per run with arrays (a row of parameters, a scratch row): numba
    copies its body into theirs (`inline="always"`), which saves the call and the reference
    counting of the arrays passed, about 10 ns a call; the operations are the same."""
    options: dict[str, Any] = {"cache": True, "nogil": True, "error_model": "numpy"}
    if inline:
        options["inline"] = "always"
    if fn is None:
        return lambda f: cast(F, numba.njit(**options)(f))
    return cast(F, numba.njit(**options)(fn))


def runs_of(x: ArrayLike, dtype: DTypeLike = np.float64) -> np.ndarray:
    """A shared value or a per-run array as a contiguous 1-d array (length 1 or R)."""
    return np.ascontiguousarray(np.asarray(x, dtype=dtype).reshape(-1))


def unowned(x: np.ndarray) -> np.ndarray:
    """`x` itself, as a view that holds no reference on its memory (compiled: the array's
    meminfo is null; in Python, `x`). A view taken from it (`unowned(par)[i]`) and every
    copy of it handed to an inlined kernel then cost no reference counting: numba counts
    each array passed or viewed with an atomic (locked) increment and decrement, and in the
    step's loops over runs those counts took about a third of the time (benchmarks/HISTORY.md,
    issue 28). Only for an array that outlives every use of the view: a kernel's argument,
    or a scratch array the kernel keeps referenced until after its last use (`alive`)."""
    return x


@intrinsic
def _unowned(typingctx: Any, x: Any) -> Any:
    if not isinstance(x, types.Array):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        out = context.make_array(sig.return_type)(context, builder)
        context.populate_array(out, data=ary.data, shape=ary.shape, strides=ary.strides, itemsize=ary.itemsize,
                               meminfo=None, parent=None)
        return out._getvalue()

    return x(x), codegen


@overload(unowned, inline="always")
def _unowned_overload(x: Any) -> Any:
    if isinstance(x, types.Array):
        def implementation(x: Any) -> Any:  # the overload's parameters, annotations included (numba checks)
            return _unowned(x)  # type: ignore[call-arg]
        return implementation
    return None


def alive(x: np.ndarray) -> None:
    """Nothing: a use of `x` that keeps a kernel's scratch array referenced up to here, so the
    `unowned` views of it stay valid until then (numba frees an array after its last use)."""


@intrinsic
def _alive(typingctx: Any, x: Any) -> Any:
    if not isinstance(x, types.Array):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return context.get_dummy_value()

    return types.none(x), codegen


@overload(alive, inline="always")
def _alive_overload(x: Any) -> Any:
    if isinstance(x, types.Array):
        def implementation(x: Any) -> Any:
            return _alive(x)  # type: ignore[call-arg]
        return implementation
    return None


@kernel(inline=True)
def at(x: np.ndarray, i: int) -> Any:
    """Run i's value of a shared (length 1) or per-run (length R) array; for a matrix, run
    i's row, as a view without a reference of its own (`unowned`: `x` outlives it)."""
    return unowned(x)[i if x.shape[0] > 1 else 0]


@kernel(inline=True)
def _block_sum(x: np.ndarray, lo: int, n: int) -> float:
    """NumPy's sum of x[lo:lo + n] for n up to 128: left to right below 8 entries, else eight
    partial sums combined pairwise, then the rest left to right."""
    if n < 8:
        total = 0.0
        for k in range(n):
            total = x[lo] if k == 0 else total + x[lo + k]
        return total
    r0, r1, r2, r3 = x[lo], x[lo + 1], x[lo + 2], x[lo + 3]
    r4, r5, r6, r7 = x[lo + 4], x[lo + 5], x[lo + 6], x[lo + 7]
    k = 8
    while k < n - n % 8:
        r0 += x[lo + k]
        r1 += x[lo + k + 1]
        r2 += x[lo + k + 2]
        r3 += x[lo + k + 3]
        r4 += x[lo + k + 4]
        r5 += x[lo + k + 5]
        r6 += x[lo + k + 6]
        r7 += x[lo + k + 7]
        k += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while k < n:
        total += x[lo + k]
        k += 1
    return total


@kernel(inline=True)
def row_sum(x: np.ndarray) -> float:
    """The sum of a 1-d array in the order NumPy's `sum` adds a contiguous row (`part_sum`).
    Kernels that replace a NumPy reduction use it so the numbers stay the same bit for bit."""
    n = x.shape[0]
    if n <= 128:  # the common case, without `part_sum`'s call
        return _block_sum(x, 0, n)
    return _halving_sum(x, 0, n)


@kernel
def part_sum(x: np.ndarray, start: int, n: int) -> float:
    """The sum of x[start:start + n] as NumPy's `sum` adds a contiguous row (pairwise
    summation): up to 128 entries `_block_sum`; above, the first half (a multiple of 8
    long) and the rest summed so, and added. Kernels pass an offset rather than a slice,
    which costs more than the sum of a few numbers. (Written without recursion: numba's
    disk cache does not keep recursive functions safely.)"""
    return _block_sum(x, start, n) if n <= 128 else _halving_sum(x, start, n)


@kernel
def _halving_sum(x: np.ndarray, start: int, n: int) -> float:
    """`part_sum` above 128 entries."""
    # the halving tree walked depth first with a stack: a part waits for its left half's
    # sum (stage 1), then for its right half's (stage 2)
    los = np.empty(64, dtype=np.int64)
    ns = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int64)
    left = np.empty(64)
    top = 0
    los[0], ns[0], stage[0] = start, n, 0
    value = 0.0
    while True:
        if ns[top] > 128:  # split: its left half first
            half = ns[top] // 2
            half -= half % 8
            stage[top] = 1
            top += 1
            los[top], ns[top], stage[top] = los[top - 1], half, 0
            continue
        value = _block_sum(x, los[top], ns[top])  # a part of at most 128 entries
        top -= 1  # a part's sum is `value`: hand it to the part it belongs to
        while top >= 0 and stage[top] == 2:
            value = left[top] + value
            top -= 1
        if top < 0:
            return value
        left[top] = value  # stage 1: the left half is done, now the right
        half = ns[top] // 2
        half -= half % 8
        stage[top] = 2
        top += 1
        los[top], ns[top], stage[top] = los[top - 1] + half, ns[top - 1] - half, 0


def elementwise(rows: Callable[..., None], *args: ArrayLike) -> np.ndarray:
    """Apply a formula's rows kernel to its arguments broadcast against each other (NumPy's
    rules): `rows(out, *flat)` fills `out` from 1-d arrays read with `at`. A formula is a
    kernel for one value of each argument; its rows kernel loops it over the values."""
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    size = int(np.prod(shape))
    flat = [np.ascontiguousarray((a if a.size in (1, size) else np.broadcast_to(a, shape)).reshape(-1))
            for a in arrays]
    out = np.empty(size)
    rows(out, *flat)
    return out.reshape(shape)


@intrinsic
def _float_of_bits(typingctx: Any, n: Any) -> Any:
    """The float64 whose IEEE bits are the int64 `n` (a bit cast, no conversion)."""
    if n != types.int64:
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(n), codegen


@intrinsic
def _bits_of_float(typingctx: Any, x: Any) -> Any:
    """The int64 whose bits are those of the float64 `x` (a bit cast, no conversion)."""
    if x != types.float64:
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(x), codegen


def _bits_of_float_py(x: float) -> int:
    return int(np.array(x, dtype=np.float64).view(np.int64))


@overload(_bits_of_float_py, inline="always")
def _bits_of_float_overload(x: Any) -> Any:
    if isinstance(x, types.Float):
        def implementation(x: Any) -> Any:
            return _bits_of_float(np.float64(x))  # type: ignore[call-arg]
        return implementation
    return None


def _float_of_bits_py(n: int) -> float:
    return float(np.array(int(n) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).view(np.float64))  # wrapped as int64 would


@overload(_float_of_bits_py, inline="always")
def _float_of_bits_overload(n: Any) -> Any:
    if isinstance(n, types.Integer):
        def implementation(n: Any) -> Any:
            return _float_of_bits(np.int64(n))  # type: ignore[call-arg]
        return implementation
    return None


@intrinsic
def _fma(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    """a x b + c rounded once (LLVM's `llvm.fma.f64`: one instruction where the processor has
    fused multiply-adds, a correctly rounded library call where it has not)."""
    if not (a == types.float64 and b == types.float64 and c == types.float64):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.fma(*args)

    return types.float64(a, b, c), codegen


def fma(a: float, b: float, c: float) -> float:
    """a x b + c with one rounding (compiled: a fused multiply-add; in Python, exact rational
    arithmetic rounded once, or the plain expression where an operand is not finite)."""
    if math.isfinite(a) and math.isfinite(b) and math.isfinite(c):
        exact = Fraction(a) * Fraction(b) + Fraction(c)
        if exact == 0:
            return a * b + c  # the sign of a zero as IEEE gives it
        return float(exact)
    return a * b + c


@overload(fma, inline="always")
def _fma_overload(a: Any, b: Any, c: Any) -> Any:
    if all(isinstance(v, (types.Float, types.Integer)) for v in (a, b, c)):
        def implementation(a: Any, b: Any, c: Any) -> Any:
            return _fma(np.float64(a), np.float64(b), np.float64(c))  # type: ignore[call-arg]
        return implementation
    return None


def _add64(a: int, b: int) -> int:
    """a + b in 64-bit two's complement, wrapping as machine integers do (compiled: one add)."""
    return ((int(a) + int(b) + 2**63) % 2**64) - 2**63


@overload(_add64, inline="always")
def _add64_overload(a: Any, b: Any) -> Any:
    if isinstance(a, types.Integer) and isinstance(b, types.Integer):
        def implementation(a: Any, b: Any) -> Any:
            return np.int64(a) + np.int64(b)
        return implementation
    return None


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
            rows += [_bits_of_float_py(t) if t != 0.0 else 0, _bits_of_float_py(h) - (j << 45)]
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
        scale = _float_of_bits_py(_add64(sbits, -(1009 << 52)))
        return fma(scale, tmp, scale) * _TWO_1009
    scale = _float_of_bits_py(_add64(sbits, 1022 << 52))
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
    ix = _bits_of_float_py(x)
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
    ki = _bits_of_float_py(kd)
    kd = kd - _SHIFT
    r = fma(kd, _NEG_LN2_HI_N, x)
    r = fma(kd, _NEG_LN2_LO_N, r)
    idx = 2 * (ki & 127)
    tail = _float_of_bits_py(_EXP_TABLE[idx])
    sbits = _add64(_EXP_TABLE[idx + 1], _add64((ki & 0x7FFFF) << 45, 0))
    low = fma(r, _P3, _P2)
    head = r + tail
    r2 = r * r
    high = fma(r, _P5, _P4)
    tmp = fma(r2 * r2, high, fma(low, r2, head))
    if special:
        return _exp_scaled(tmp, sbits, ki)
    scale = _float_of_bits_py(sbits)
    return fma(scale, tmp, scale)


_NEG_INF_BITS = _bits_of_float_py(-math.inf)


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
    bits = _bits_of_float_py(y)
    high = ((bits >> 32) + (k << 20)) & 0xFFFFFFFF
    return _float_of_bits_py((high << 32) | (bits & 0xFFFFFFFF))


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
    ix = _bits_of_float_py(x)
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
        t = _float_of_bits_py((0x3FF00000 - (0x200000 >> k)) << 32)  # 1 - 2^-k
        return _with_exponent_added(t - (e - x), k)
    t = _float_of_bits_py((0x3FF - k) << 52)  # 2^-k
    return _with_exponent_added((x - (e + t)) + 1.0, k)


@kernel(inline=True)
def tanh(x: float) -> float:
    """tanh x, bit for bit the GNU C library's (Sun's fdlibm `tanh`, 1993, on `expm1`), on
    every machine: x itself for |x| < 2^-55 (as x (1 + x)); for |x| < 1, -t / (t + 2) with
    t = expm1(-2|x|); up to 22, 1 - 2 / (t + 2) with t = expm1(2|x|); +-1 from 22 on and at
    +-inf; NaN for NaN."""
    ix = _bits_of_float_py(x)
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
