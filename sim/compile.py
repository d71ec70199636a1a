"""Compile the model's kernels once, ahead of use: `python -m sim.compile`.

The model's math is compiled by numba on the first call of each kernel and cached on disk
(sim/model/compiled.py, one cache directory per version of the model's source). Without
this step the first process to run the model pays the compilation (tens of seconds), and
so does every process started before that cache exists (sweep workers, the test suite's
parallel workers and the commands it starts). `scripts/setup.sh` runs this module, so
`make baseline` and `make test` start from a filled cache.

It runs the code paths whose argument types differ: a recorded Mesa run (the single-run
command and the browser app), the batch engine on shared parameters (ensembles), and a
sweep of the `conditions` experiment (per-run parameters and levers) with the batch engine
and with the Mesa engine, in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def compile_kernels() -> float:
    """Call every kernel once on each kind of argument; the seconds it took."""
    from . import api

    start = time.perf_counter()
    api.run("baseline", seed=0)
    api.ensemble("baseline", runs=8)
    with tempfile.TemporaryDirectory(prefix="sim-compile-") as tmp:
        api.sweep("conditions", runs=30, out=str(Path(tmp) / "batch"), workers=1)
        api.sweep("conditions", runs=30, out=str(Path(tmp) / "mesa"), workers=1, engine="mesa", chunk_size=30)
    return time.perf_counter() - start


def main() -> None:
    from .model import compiled

    seconds = compile_kernels()
    print(f"compiled the model's kernels in {seconds:.1f} s (cached in {compiled.CACHE_DIR})", file=sys.stderr)


if __name__ == "__main__":
    main()
