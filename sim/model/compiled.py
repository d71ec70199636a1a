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
- Bit casts (`bits_of_float`, `float_of_bits`), wrapping 64-bit addition (`add64`) and the
  fused multiply-add (`fma`) work compiled and in plain Python alike: the model's own
  elementary functions are built on them (`sim.model.elementary`).
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


def bits_of_float(x: float) -> int:
    return int(np.array(x, dtype=np.float64).view(np.int64))


@overload(bits_of_float, inline="always")
def _bits_of_float_overload(x: Any) -> Any:
    if isinstance(x, types.Float):
        def implementation(x: Any) -> Any:
            return _bits_of_float(np.float64(x))  # type: ignore[call-arg]
        return implementation
    return None


def float_of_bits(n: int) -> float:
    return float(np.array(int(n) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).view(np.float64))  # wrapped as int64 would


@overload(float_of_bits, inline="always")
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


def add64(a: int, b: int) -> int:
    """a + b in 64-bit two's complement, wrapping as machine integers do (compiled: one add)."""
    return ((int(a) + int(b) + 2**63) % 2**64) - 2**63


@overload(add64, inline="always")
def _add64_overload(a: Any, b: Any) -> Any:
    if isinstance(a, types.Integer) and isinstance(b, types.Integer):
        def implementation(a: Any, b: Any) -> Any:
            return np.int64(a) + np.int64(b)
        return implementation
    return None
