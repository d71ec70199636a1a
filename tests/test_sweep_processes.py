"""The sweep's processes (issue 15, cases 3 and 4), with signals sent to real subprocesses:

- `kill -9` or SIGTERM of the sweep's main process leaves no process behind (the old runner
  left the forkserver, the resource tracker and two workers, ~500 MB, blocked forever);
  SIGTERM is reported like Ctrl-C (a message saying a rerun resumes, exit 143);
- a worker killed mid-sweep stops the sweep with one line saying a rerun resumes (exit 1),
  no traceback, no process left;
- two identical sweeps into one folder: the second is refused while the first runs,
  naming it (exit 2), and every chunk in the folder is the first's.

Each sweep runs in its own session (start_new_session), so "no process left" is checked as
"no process of that session is alive" (read from /proc), which also catches processes
re-parented to init. Only the main process is signalled (not its group). Sizes: the
baseline experiment, 2 workers, chunks of 2,000 runs; the signal is sent once the first
chunk file exists, so the sweep is mid-way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from clitools import ctrl_c_reaches_it

REPO = Path(__file__).resolve().parents[1]
CHUNK = 2000
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")


def command(out: Path, runs: int, workers: int = 2) -> list[str]:
    return [sys.executable, "-m", "sim.sweep", "experiment=baseline", f"runs={runs}", f"workers={workers}",
            f"chunk_size={CHUNK}", f"out={out}", "progress=false"]


def session_members(sid: int) -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every live process in session `sid`."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        state, ppid, session = fields[0], int(fields[1]), int(fields[3])
        if session == sid and state != "Z":
            members[int(entry.name)] = (ppid, cmdline)
    return members


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the sweep ended (exit {proc.returncode}) before {what}:\n{proc.stderr.read()[-3000:]}")
        time.sleep(0.05)
    pytest.fail(f"no {what} within {timeout} s")


def chunks(out: Path) -> list[Path]:
    return sorted((out / "chunks").glob("*.parquet")) if (out / "chunks").is_dir() else []


class Sweep:
    """A sweep (or another command, `cmd`) started in its own session; on exit, anything of
    the session still alive is killed (so a failing test leaves nothing behind either)."""

    def __init__(self, out: Path, runs: int = 0, workers: int = 2, cmd: list[str] | None = None):
        self.out = out
        self.proc = subprocess.Popen(cmd or command(out, runs, workers), cwd=REPO, env=dict(os.environ, CI="1"),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True, preexec_fn=ctrl_c_reaches_it)
        self.sid = self.proc.pid

    def __enter__(self) -> "Sweep":
        return self

    def __exit__(self, *exc) -> None:
        for pid in session_members(self.sid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()

    def wait_mid_sweep(self, workers: int = 2) -> dict[int, tuple[int, str]]:
        """Wait until a chunk is written and the workers are up; return the session's processes."""
        wait_for(lambda: chunks(self.out), 300, "chunk file", self.proc)
        members = wait_for(lambda: (m := session_members(self.sid)) and len(self.workers(m)) >= workers and m,
                           60, "worker processes", self.proc)
        return members

    def workers(self, members) -> list[int]:
        """The worker processes: children of the forkserver (itself a child of the main process)."""
        servers = {pid for pid, (ppid, cmd) in members.items() if ppid == self.sid and "forkserver" in cmd}
        return [pid for pid, (ppid, _) in members.items() if ppid in servers]

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        _, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, err

    def left_behind(self, grace: float = 15) -> dict[int, tuple[int, str]]:
        """The session's processes still alive `grace` seconds after the main process ended."""
        deadline = time.monotonic() + grace
        while session_members(self.sid) and time.monotonic() < deadline:
            time.sleep(0.1)
        return session_members(self.sid)


def check_resumes(out: Path, runs: int) -> None:
    """The same command again finishes the sweep: every run id once, the table complete."""
    again = subprocess.run(command(out, runs), cwd=REPO, env=dict(os.environ, CI="1"), capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming" in again.stderr
    table = pd.read_parquet(out / "runs.parquet")
    assert table["run_id"].tolist() == list(range(runs))
    assert json.loads((out / "metadata.json").read_text())["run_count"] == runs


# ---------------------------------------------------------------- case 3: no orphans
def test_kill_9_of_the_main_process_leaves_no_process(tmp_path):
    with Sweep(tmp_path / "out", runs=200_000) as sweep:
        members = sweep.wait_mid_sweep()
        assert len(members) >= 4, members  # main, forkserver, resource tracker, 2 workers
        os.kill(sweep.proc.pid, signal.SIGKILL)
        code, _ = sweep.finish()
        assert code == -signal.SIGKILL
        left = sweep.left_behind()
        assert left == {}, f"processes left after kill -9 of the sweep: {left}"
    assert not (tmp_path / "out" / "runs.parquet").exists()


@pytest.mark.slow
def test_sigterm_stops_with_a_message_leaves_no_process_and_resumes(tmp_path):
    """SIGTERM (what timeout, SLURM and containers send): exit 143, one line saying what is
    saved and that the same command resumes; no process left; the rerun finishes the table.
    Slow: the rerun computes the remaining 36,000 runs."""
    out, runs = tmp_path / "out", 40_000
    with Sweep(out, runs=runs) as sweep:
        sweep.wait_mid_sweep()
        os.kill(sweep.proc.pid, signal.SIGTERM)
        code, err = sweep.finish()
        assert code == 143, err[-3000:]
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines[-1].startswith("terminated (SIGTERM): ") and "Run the same command again" in lines[-1], err
        assert "Traceback" not in err
        assert sweep.left_behind() == {}
    assert not (out / "runs.parquet").exists() and not (out / "metadata.json").exists()
    check_resumes(out, runs)


def test_sigterm_of_the_main_process_leaves_no_process(tmp_path):
    with Sweep(tmp_path / "out", runs=200_000) as sweep:
        sweep.wait_mid_sweep()
        os.kill(sweep.proc.pid, signal.SIGTERM)
        code, err = sweep.finish()
        assert code == 143, err[-3000:]
        assert "terminated (SIGTERM)" in err and "Run the same command again" in err
        assert sweep.left_behind() == {}


def test_a_killed_worker_stops_the_sweep_with_one_line(tmp_path):
    """kill -9 of one worker: exit 1 and one line naming the lost worker and saying a rerun
    resumes (the old runner printed a BrokenProcessPool traceback); nothing left behind."""
    with Sweep(tmp_path / "out", runs=200_000) as sweep:
        members = sweep.wait_mid_sweep()
        os.kill(sweep.workers(members)[0], signal.SIGKILL)
        code, err = sweep.finish()
        assert code == 1, err[-3000:]
        assert "Traceback" not in err and "BrokenProcessPool" not in err
        last = [line for line in err.splitlines() if line.strip()][-1]
        assert last.startswith("sweep stopped: a worker process died") and "Run the same command again" in last
        assert sweep.left_behind() == {}
    assert not (tmp_path / "out" / "metadata.json").exists()


# ---------------------------------------------------------------- case 4: one sweep per folder
def test_a_second_sweep_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    """Two identical commands into one folder: the second exits 2 with one line naming the
    first (its pid) and computes nothing; every chunk in the folder is the first's (the old
    runner let both compute everything, and one failed on the other's .partial file). The
    first is then stopped with Ctrl-C; test_sweep_resume shows such a folder resumes."""
    out, runs = tmp_path / "out", 200_000
    with Sweep(out, runs=runs, workers=1) as first:
        wait_for(lambda: chunks(out), 300, "chunk file of the first sweep", first.proc)
        second = subprocess.run(command(out, runs, workers=1), cwd=REPO, env=dict(os.environ, CI="1"),
                                capture_output=True, text=True, timeout=300)
        still_running = first.proc.poll() is None
        os.kill(first.proc.pid, signal.SIGINT)
        code, err = first.finish()
    assert second.returncode == 2, (second.returncode, still_running, second.stderr[-3000:])
    assert still_running, "the first sweep ended before the second was refused; the test proves nothing"
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"sweep error: out = '{out}' is not allowed: "), second.stderr
    assert f"sweep pid {first.proc.pid} on host" in lines[0] and "experiment=baseline" in lines[0]
    assert code == 130, err[-3000:]
    writers = {json.loads(pq.read_schema(f).metadata[b"sim.sweep.chunk"])["invocation"]["pid"] for f in chunks(out)}
    assert writers == {first.proc.pid}
    assert not (out / "runs.parquet").exists() and not (out / "sweep.lock").exists()


@pytest.mark.slow
def test_the_lock_is_released_by_a_killed_holder(tmp_path):
    """kill -9 of a sweep holding the folder: the kernel drops its lock, so the same command
    can resume at once (nothing stale to clean by hand)."""
    out, runs = tmp_path / "out", 6_000
    with Sweep(out, runs=runs, workers=1) as sweep:
        wait_for(lambda: chunks(out), 300, "chunk file", sweep.proc)
        os.kill(sweep.proc.pid, signal.SIGKILL)
        sweep.finish()
    check_resumes(out, runs)


def test_the_lock_names_its_holder_and_is_free_after_release(tmp_path):
    from sim.config.validate import ConfigError
    from sim.sweep.lock import SweepLock

    with SweepLock(tmp_path):
        holder = json.loads((tmp_path / "sweep.lock").read_text())
        assert holder["pid"] == os.getpid()
        with pytest.raises(ConfigError) as info:
            SweepLock(tmp_path).acquire()
        assert info.value.key == "out" and f"sweep pid {os.getpid()} on host" in info.value.allowed
    assert not (tmp_path / "sweep.lock").exists()
    with SweepLock(tmp_path):
        pass


def calibration(out: Path) -> Sweep:
    """`python -m sim.calibrate` in its own session: 2 workers, chunks of 2 sets of 4 runs per
    lever, so a chunk file exists within seconds and the sweep runs for minutes."""
    return Sweep(out, cmd=[sys.executable, "-m", "sim.calibrate", "sets=2000", "replications=4", "workers=2",
                           "chunk_sets=2", f"out={out}", "screening.enabled=false"])


def saved_sets(out: Path) -> list[Path]:
    return sorted(out.rglob("*.parquet"))


def test_kill_9_of_a_calibration_leaves_no_process(tmp_path):
    """The calibration's prior sweep uses the sweep's worker pool (`executors.local_processes`):
    kill -9 of `python -m sim.calibrate` mid-sweep leaves no process of its session alive,
    and the sets finished so far stay saved for a rerun. Size: 2 workers, chunks of 2 sets
    of 4 runs per lever, killed once the first chunk file exists."""
    out = tmp_path / "cal"
    with calibration(out) as cal:
        wait_for(lambda: saved_sets(out), 300, "saved chunk of sets", cal.proc)
        members = wait_for(lambda: (m := session_members(cal.sid)) and len(cal.workers(m)) >= 2 and m,
                           60, "worker processes", cal.proc)
        assert len(members) >= 4, members  # main, forkserver, resource tracker, 2 workers
        os.kill(cal.proc.pid, signal.SIGKILL)
        returncode, _ = cal.finish(timeout=60)
        assert returncode == -signal.SIGKILL
        left = cal.left_behind()
        assert left == {}, f"processes left after kill -9 of the calibration: {left}"
        assert saved_sets(out), "the finished sets were not kept"
        assert not (out / "posterior.parquet").exists()


@pytest.mark.parametrize("sig,code,start", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                            (signal.SIGINT, 130, "interrupted")])
def test_sigterm_of_a_calibration_is_one_line_and_leaves_no_process(tmp_path, sig, code, start):
    """SIGTERM (or Ctrl-C) of `python -m sim.calibrate` mid-sweep is reported as the sweep
    reports it (issue 30): one line naming the folder of the kept chunks (it said `OUT/chunks`
    literally before) and saying a rerun resumes, exit 143 (130), no process of its session
    left, the sets finished so far kept. Size: as the kill -9 test above."""
    out = tmp_path / "cal"
    with calibration(out) as cal:
        wait_for(lambda: saved_sets(out), 300, "saved chunk of sets", cal.proc)
        os.kill(cal.proc.pid, sig)
        returncode, err = cal.finish(timeout=120)
        lines = [line for line in err.splitlines() if line.strip()]
        assert returncode == code, (returncode, err[-3000:])
        assert len(lines) == 1 and lines[0].startswith(start) and "resumes" in lines[0], lines
        assert f"kept in {out / 'chunks'} " in lines[0] and "OUT/" not in lines[0], lines
        left = cal.left_behind()
        assert left == {}, f"processes left after SIGTERM of the calibration: {left}"
        assert saved_sets(out), "the finished sets were not kept"
        assert not (out / "posterior.parquet").exists()


def test_a_second_calibration_into_a_folder_in_use_is_refused_naming_the_first(tmp_path):
    """Two calibrations into one folder both ran, each writing the other's chunks (issue 28).
    Now the second is refused while the first runs: one line naming the first (its pid and
    command), exit 2, nothing of its own written; the first finishes its sets undisturbed.
    Size: as the kill -9 test above; the first is killed once the refusal is checked."""
    out = tmp_path / "cal"
    with calibration(out) as first:
        wait_for(lambda: saved_sets(out), 300, "saved chunk of sets", first.proc)
        before = saved_sets(out)
        second = subprocess.run([sys.executable, "-m", "sim.calibrate", "sets=2000", "replications=4", "workers=2",
                                 "chunk_sets=2", f"out={out}", "screening.enabled=false"], cwd=REPO,
                                env=dict(os.environ, CI="1"), capture_output=True, text=True, timeout=120)
        lines = [line for line in second.stderr.splitlines() if line.strip()]
        assert second.returncode == 2, second.stderr[-2000:]
        assert len(lines) == 1 and lines[0].startswith("calibrate error: out = "), lines
        assert f"calibration pid {first.proc.pid} " in lines[0] and "calibrate/__main__.py sets=2000" in lines[0], lines[0]
        assert first.proc.poll() is None, "the first calibration stopped"
        assert set(before) <= set(saved_sets(out))


@pytest.mark.slow
def test_a_calibration_killed_half_way_resumes_to_the_same_posterior(tmp_path):
    """`kill -9` of a calibration once half of its chunks are saved, then the same command
    again: posterior.parquet and prior_sets.parquet are the same files, byte for byte, as
    an uninterrupted calibration's. Size: 1,000 sets of 4 runs per lever in 100 chunks, 2
    workers, killed at 50 or more chunks saved."""
    def cmd(out: Path) -> list[str]:
        return [sys.executable, "-m", "sim.calibrate", "sets=1000", "replications=4", "workers=2", "chunk_sets=10",
                f"out={out}", "screening.enabled=false", "progress=false"]

    whole = subprocess.run(cmd(tmp_path / "whole"), cwd=REPO, env=dict(os.environ, CI="1"), capture_output=True,
                           text=True, timeout=900)
    assert whole.returncode == 0, whole.stderr[-3000:]
    out = tmp_path / "killed"
    with Sweep(out, cmd=cmd(out)) as cal:
        wait_for(lambda: len(saved_sets(out)) >= 50, 600, "half of the chunks", cal.proc)
        os.kill(cal.proc.pid, signal.SIGKILL)
        cal.finish(timeout=60)
        assert cal.left_behind() == {}
    kept = len(saved_sets(out))
    assert 50 <= kept < 100 and not (out / "posterior.parquet").exists(), kept
    again = subprocess.run(cmd(out), cwd=REPO, env=dict(os.environ, CI="1"), capture_output=True, text=True,
                           timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{kept * 10} of 1000 sets already computed (resumed)" in again.stdout + again.stderr
    for name in ("posterior.parquet", "prior_sets.parquet"):
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


# ---------------------------------------------------------------- a worker killed mid-message
def large_result(size: int) -> bytes:
    """What a worker sends back: `size` bytes, so that sending takes a while."""
    return b"x" * size


KILLED_WHILE_SENDING = r"""
import sys, time
from sim.sweep.executors import _kill_all, local_processes
from tests.test_sweep_processes import large_result

with local_processes(1, []) as pool:
    future = pool.submit(large_result, 200_000_000)
    pid = next(iter(pool._processes))
    deadline = time.monotonic() + 120
    while not future.done() and time.monotonic() < deadline:
        try:
            call = open(f"/proc/{pid}/syscall").read().split()[0]
        except OSError:
            break
        if call == "1":  # write(2): the worker is sending its result through the pipe
            _kill_all(pool)
            print("killed while sending", flush=True)
            break
        time.sleep(0.0002)
print("left the pool", flush=True)
"""


def test_workers_killed_while_sending_a_result_let_the_process_exit():
    """A worker killed while it writes its result leaves half a message in the results pipe:
    the pool's manager thread used to wait for the rest forever, and with it the pool's
    shutdown and the interpreter's exit (a SIGTERM'd sweep that never ended, seen under load).
    Here the worker is killed at its write(2) (read from /proc/PID/syscall); the process
    must leave the pool and exit within the timeout."""
    proc = subprocess.run([sys.executable, "-c", KILLED_WHILE_SENDING], cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests")])), timeout=60,
                          check=False)
    assert "killed while sending" in proc.stdout, (proc.stdout, proc.stderr[-3000:])
    assert proc.returncode == 0 and "left the pool" in proc.stdout, (proc.returncode, proc.stderr[-3000:])
