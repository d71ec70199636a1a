"""Interrupting and resuming a sweep from the command line (sim/sweep/runner.py):
chunks are written atomically, a killed sweep (SIGKILL to its process group) or a
Ctrl-C'd one (SIGINT, exit 130) is finished by running the same command again, and the
table is then identical to an uninterrupted sweep's. A complete sweep is not recomputed,
and a different sweep is not written into the same folder without overwrite=true.

Sample sizes: experiment=baseline (no uncertainty, no lever) with the batch engine,
workers=1, chunk_size=500: runs=2,000 (4 chunks) in the default suite, runs=40,000
(80 chunks) in the slow one. The signal is sent as soon as the first chunk file exists;
if the sweep had already finished, the attempt is repeated with 4x as many runs (at most
twice) and the test fails if no attempt was interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from clitools import ctrl_c_reaches_it

REPO = Path(__file__).resolve().parents[1]
CHUNK = 500
N_FAST = 2000


def command(runs: int, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sim.sweep", "experiment=baseline", f"runs={runs}", "engine=batch",
            "workers=1", f"chunk_size={CHUNK}", f"out={out}", *extra]


def run(cmd: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, env=dict(os.environ, CI="1"), capture_output=True, text=True, timeout=timeout)


def read_table(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "runs.parquet").sort_values("run_id").reset_index(drop=True)


def chunk_files(out: Path) -> list[Path]:
    return sorted((out / "chunks").glob("*.parquet")) if (out / "chunks").exists() else []


def interrupt(runs: int, out: Path, sig: int) -> tuple[subprocess.CompletedProcess | None, int]:
    """Start the sweep, send `sig` to its process group once a chunk file exists.
    Returns (the finished process with its output, number of chunk files right after the
    signal), or (None, 0) when the sweep finished before it could be interrupted."""
    proc = subprocess.Popen(command(runs, out), cwd=REPO, env=dict(os.environ, CI="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=ctrl_c_reaches_it)
    try:
        deadline = time.monotonic() + 300
        while not chunk_files(out):
            if proc.poll() is not None:
                break
            assert time.monotonic() < deadline, "no chunk file appeared within 300 s"
            time.sleep(0.01)
        finished = proc.poll() is not None or (out / "runs.parquet").exists()
        if not finished:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:  # it has just ended
                pass
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if finished or (out / "runs.parquet").exists():
        if proc.returncode != 0 and not (out / "runs.parquet").exists():
            pytest.fail(f"the sweep failed on its own (exit {proc.returncode}):\n{stderr[-3000:]}")
        return None, 0
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), len(chunk_files(out))


def interrupted_sweep(runs: int, out_for, sig: int):
    """Interrupt a sweep of `runs` runs (or 4x, 16x as many if it finished too early)."""
    for attempt in range(3):
        n = runs * 4 ** attempt
        out = out_for(n)
        proc, chunks = interrupt(n, out, sig)
        if proc is not None:
            return n, out, proc, chunks
    pytest.fail(f"the sweep finished before it could be interrupted, even with {n} runs")


@pytest.fixture(scope="module")
def clean_sweeps(tmp_path_factory):
    """Uninterrupted sweeps of the same commands, computed once per run count:
    get(runs) -> (table, out folder)."""
    cache: dict[int, tuple[pd.DataFrame, Path]] = {}

    def get(runs: int) -> tuple[pd.DataFrame, Path]:
        if runs not in cache:
            out = tmp_path_factory.mktemp(f"clean_{runs}") / "out"
            proc = run(command(runs, out))
            assert proc.returncode == 0, proc.stderr
            cache[runs] = read_table(out), out
        return cache[runs]

    return get


def check_complete(out: Path, runs: int, clean: pd.DataFrame) -> None:
    table = read_table(out)
    assert len(table) == runs
    assert table["run_id"].tolist() == list(range(runs))  # each run id 0..N-1 exactly once
    assert not table["run_id"].duplicated().any()
    pd.testing.assert_frame_equal(table, clean, check_exact=True)
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["run_count"] == runs
    assert meta["resumed"] is True
    assert 0 < meta["runs_computed_this_invocation"] < runs
    assert chunk_files(out) == []  # chunks are removed once runs.parquet is assembled


def _sigkill_then_resume(runs: int, tmp_path: Path, clean_sweeps) -> None:
    n, out, proc, chunks = interrupted_sweep(runs, lambda n: tmp_path / f"kill_{n}", signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "runs.parquet").exists() and not (out / "metadata.json").exists()
    assert 1 <= chunks < n // CHUNK, f"{chunks} chunk files after the kill: the sweep was not interrupted"
    resumed = run(command(n, out))
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr
    check_complete(out, n, clean_sweeps(n)[0])


def _sigint_then_resume(runs: int, tmp_path: Path, clean_sweeps) -> None:
    n, out, proc, chunks = interrupted_sweep(runs, lambda n: tmp_path / f"int_{n}", signal.SIGINT)
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert "run the same command again" in proc.stderr.lower(), proc.stderr
    assert not (out / "runs.parquet").exists() and not (out / "metadata.json").exists()
    assert 1 <= chunks < n // CHUNK, f"{chunks} chunk files after Ctrl-C: the sweep was not interrupted"
    resumed = run(command(n, out))
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr
    check_complete(out, n, clean_sweeps(n)[0])


def test_sigkill_then_resume(tmp_path, clean_sweeps):
    _sigkill_then_resume(N_FAST, tmp_path, clean_sweeps)


def test_sigint_then_resume(tmp_path, clean_sweeps):
    _sigint_then_resume(N_FAST, tmp_path, clean_sweeps)


@pytest.mark.slow
def test_sigkill_then_resume_40000_runs(tmp_path, clean_sweeps):
    _sigkill_then_resume(40000, tmp_path, clean_sweeps)


@pytest.mark.slow
def test_sigint_then_resume_40000_runs(tmp_path, clean_sweeps):
    _sigint_then_resume(40000, tmp_path, clean_sweeps)


def test_complete_sweep_is_not_recomputed(clean_sweeps, tmp_path):
    """Rerunning the command of a complete sweep (the clean 2,000-run sweep, copied)."""
    _, clean_out = clean_sweeps(N_FAST)
    out = tmp_path / "done"
    shutil.copytree(clean_out, out)
    def snapshot():
        return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir() if p.is_file()}
    before = snapshot()
    assert {"runs.parquet", "metadata.json"} <= set(before)
    again = run(command(N_FAST, out))
    assert again.returncode == 0, again.stderr
    assert "already complete" in again.stderr
    assert snapshot() == before          # nothing rewritten
    assert chunk_files(out) == []        # nothing computed


def test_different_sweep_into_same_out_is_refused(clean_sweeps, tmp_path):
    _, clean_out = clean_sweeps(N_FAST)
    out = tmp_path / "taken"
    shutil.copytree(clean_out, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    other = run([sys.executable, "-m", "sim.sweep", "experiment=conditions", "runs=30", "workers=1", f"out={out}"])
    assert other.returncode == 2, other.stderr
    assert "sweep error: out = " in other.stderr and "overwrite=true" in other.stderr
    # the same experiment with a different number of runs is a different sweep too
    more = run(command(N_FAST + 500, out))
    assert more.returncode == 2, more.stderr
    assert "sweep error: out = " in more.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not (out / "chunks").exists() or chunk_files(out) == []
    # overwrite=true replaces it
    replaced = run([sys.executable, "-m", "sim.sweep", "experiment=conditions", "runs=30", "workers=1", f"out={out}",
                    "overwrite=true"])
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads((out / "metadata.json").read_text())["experiment"] == "conditions"
    assert len(read_table(out)) == 30


def test_resume_in_process_with_other_workers_and_chunk_size(tmp_path, monkeypatch):
    """An interruption after 2 of 5 chunks (KeyboardInterrupt from the executor), then a
    resume with 2 workers and another chunk size: the chunk size of the first invocation
    is kept and the table equals a clean sweep's. 90 runs of the conditions experiment."""
    from omegaconf import OmegaConf

    from sim.sweep import executors
    from sim.sweep.plan import make_plan
    from sim.sweep.runner import SweepInterrupted, run_sweep
    from sim.sweep.schema import ExperimentConfig

    exp = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                                              OmegaConf.load(REPO / "configs" / "experiment" / "conditions.yaml")))
    plan = make_plan(exp, 90)
    real = executors.run_local

    def interrupted(plan, engine, chunks, workers):
        for i, item in enumerate(real(plan, engine, chunks, workers)):
            if i == 2:
                raise KeyboardInterrupt
            yield item

    out = tmp_path / "out"
    monkeypatch.setattr(executors, "run_local", interrupted)
    with pytest.raises(SweepInterrupted, match="(?i)run the same command again"):
        run_sweep(plan, out, workers=1, chunk_size=20)
    monkeypatch.undo()
    assert len(chunk_files(out)) == 2
    assert not (out / "runs.parquet").exists() and not (out / "metadata.json").exists()
    meta = run_sweep(plan, out, workers=2, chunk_size=7)
    assert meta["resumed"] is True and meta["chunk_size"] == 20
    assert meta["runs_computed_this_invocation"] == 90 - 40
    run_sweep(plan, tmp_path / "clean", workers=1, chunk_size=1000)
    table = read_table(out)
    assert table["run_id"].tolist() == list(range(90))
    pd.testing.assert_frame_equal(table, read_table(tmp_path / "clean"), check_exact=True)
    assert chunk_files(out) == []
