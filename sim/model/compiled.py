"""How the model's math is compiled: numba's `njit`, with the machine code cached on disk.

A kernel is a function of plain numbers and NumPy arrays written once, usually for one run,
and compiled to machine code (numba, `@kernel`). A formula is a kernel of plain numbers;
its rows kernel applies it to arrays of values (`elementwise`), and other kernels call it
directly. The batch engine calls a kernel's loop over
the runs axis for thousands of runs; the Mesa model calls the same loop for its one run, so
the two engines run the same machine code. docs/architecture.md ("Compiled kernels") says
why numba and what was measured.

- Compilation happens on the first call of each kernel in a fresh installation and is
  cached on disk (`cache=True`); later processes, sweep workers included, load the cached
  code. The cache lives in one directory per version of the model's source (`CACHE_DIR`,
  named by a digest of every file of `sim/model`, under `sim/model/__pycache__` or
  `NUMBA_CACHE_DIR`): numba checks only a kernel's own file for changes, and a kernel
  compiled into another (a formula of `valuation` inside `payoffs.stopping_day`) would
  otherwise survive an edit of the file it came from.
- Kernels release the GIL (`nogil=True`), so threads can run them side by side.
- Floating point is IEEE without reassociation or fused multiply-adds (no `fastmath`), so
  a kernel computes what its NumPy formulation computed, operation for operation.
- `NUMBA_DISABLE_JIT=1` runs the same functions as plain Python (for a debugger).

Per-run and shared values: a parameter may be a number shared by all runs or an array with
one value per run (sweeps). Kernels take both as 1-d arrays (`runs_of`) and read run i's
value with `at(x, i)`: x[0] for a shared value, x[i] otherwise.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Callable, TypeVar, cast

import numba
import numba.core.config
import numpy as np
from numpy.typing import ArrayLike, DTypeLike

F = TypeVar("F", bound=Callable[..., Any])


def _source_digest() -> str:
    """A digest of the model's source: every file of this package, by name and content."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


#: where the compiled kernels of this version of the model's source are cached
CACHE_DIR = Path(os.environ.get("NUMBA_CACHE_DIR") or Path(__file__).parent / "__pycache__") / (
    f"kernels-{_source_digest()}")
# read by numba when a kernel is defined (below and in the modules that import this one)
numba.core.config.CACHE_DIR = str(CACHE_DIR)  # type: ignore[attr-defined]


def kernel(fn: F) -> F:
    """Compile `fn` with numba (no Python objects, cached on disk, GIL released; division
    by zero gives inf or NaN as in NumPy)."""
    return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


def runs_of(x: ArrayLike, dtype: DTypeLike = np.float64) -> np.ndarray:
    """A shared value or a per-run array as a contiguous 1-d array (length 1 or R)."""
    return np.ascontiguousarray(np.asarray(x, dtype=dtype).reshape(-1))


@kernel
def at(x: np.ndarray, i: int) -> Any:
    """Run i's value of a shared (length 1) or per-run (length R) array."""
    return x[i] if x.shape[0] > 1 else x[0]


@kernel
def row_sum(x: np.ndarray) -> float:
    """The sum of a short 1-d array (fewer than 128 entries) in the order NumPy's `sum`
    adds a contiguous row: left to right below 8 entries; from 8 on, eight partial sums
    combined pairwise, then the rest left to right (NumPy's pairwise summation). Kernels
    that replace a NumPy reduction use it so the numbers stay the same bit for bit."""
    n = x.shape[0]
    if n < 8:
        total = 0.0
        for k in range(n):
            total = x[k] if k == 0 else total + x[k]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
    k = 8
    while k < n - n % 8:
        r0 += x[k]
        r1 += x[k + 1]
        r2 += x[k + 2]
        r3 += x[k + 3]
        r4 += x[k + 4]
        r5 += x[k + 5]
        r6 += x[k + 6]
        r7 += x[k + 7]
        k += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while k < n:
        total += x[k]
        k += 1
    return total



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
