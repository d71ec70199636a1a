"""Sweeps and calibrations build and write their Arrow tables with the C library's
allocator (`sim.sweep.chunk.use_system_allocator`): in this process, in local workers and
in threads; an allocator the user names in ARROW_DEFAULT_MEMORY_POOL is kept. Each case
runs in a fresh interpreter, so pyarrow starts from its own default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, sys
import pyarrow as pa
from sim.sweep.executors import run_items
from tests.test_sweep_allocator import backend

before = pa.default_memory_pool().backend_name
workers = [name for _, name in run_items(sys.argv[1], backend, [(0,), (1,)], 2)]
print(json.dumps({"before": before, "main": pa.default_memory_pool().backend_name, "workers": workers}))
"""


def backend(_: int) -> str:
    """The allocator Arrow uses where this runs (a worker or a thread)."""
    import pyarrow as pa

    return pa.default_memory_pool().backend_name


def _run(executor: str, **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, executor], cwd=REPO, capture_output=True, text=True,
                          env={**environ, "PYTHONPATH": str(REPO), **env}, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("executor", ["threads", "local"])
def test_the_executors_use_the_c_library_allocator(executor):
    got = _run(executor)
    assert got["before"] != "system", "pyarrow's default is already the system allocator: the test shows nothing"
    assert got["main"] == "system"
    assert got["workers"] == ["system", "system"]


def test_an_allocator_named_in_the_environment_is_kept():
    got = _run("threads", ARROW_DEFAULT_MEMORY_POOL="jemalloc")
    assert got == {"before": "jemalloc", "main": "jemalloc", "workers": ["jemalloc", "jemalloc"]}
