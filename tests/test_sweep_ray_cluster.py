"""A sweep (and a calibration) on a two-node Ray cluster on 127.0.0.1 survives the loss of a node and gives the
local executor's table (issue 15): `scripts/ray_two_node_check.sh` starts a head and a
worker node with token authentication, checks that a sweep without the token is refused in
one line, kills the worker node once the cluster sweep has written its first chunk, and
compares the table with the local one. Slow: starting Ray and two sweeps of 21,000 runs
take minutes.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import env

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs Ray (pip install '.[ray]')")
@pytest.mark.skipif(shutil.which("setsid") is None or shutil.which("ps") is None, reason="needs setsid and ps")
def test_two_node_cluster_loses_a_node_and_gives_the_local_table():
    proc = subprocess.run(["bash", "scripts/ray_two_node_check.sh"], cwd=REPO, capture_output=True, text=True,
                          timeout=3000, env=env(PY=sys.executable, RUNS="21000", CHUNK="1000"))
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "ray_two_node_check: killed the worker node's processes" in proc.stderr
    assert "ray_two_node_check: identical tables: runs.parquet: 21000 rows" in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs Ray (pip install '.[ray]')")
@pytest.mark.skipif(shutil.which("setsid") is None or shutil.which("ps") is None, reason="needs setsid and ps")
def test_a_calibration_on_two_nodes_loses_a_node_and_gives_the_local_posterior():
    """The calibration's prior sweep on the same two-node cluster (issue 28, item 5): 600 sets
    of 4 runs per lever in 30 chunks, the worker node killed once the first chunk is saved;
    posterior.parquet and prior_sets.parquet are the local executor's, byte for byte."""
    proc = subprocess.run(["bash", "scripts/ray_two_node_check.sh"], cwd=REPO, capture_output=True, text=True,
                          timeout=3000, env=env(PY=sys.executable, JOB="calibration", SETS="600", CHUNK="20"))
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "ray_two_node_check: killed the worker node's processes" in proc.stderr
    for name in ("posterior.parquet", "prior_sets.parquet: 600 rows"):
        assert f"ray_two_node_check: identical tables: {name}" in proc.stderr, name
    assert proc.stderr.count("(the same bytes)") == 2
