"""Expected failures of every command-line tool are one line and exit code 2, never a
traceback, and leave no output that looks complete (issue 15, case 10): a full or
read-only disk, a date the calendar cannot hold, a bad seed, an unknown key, an address
where no Ray cluster answers, a bad table of actors.

Disks are real: a file-size limit (RLIMIT_FSIZE, so a write fails with EFBIG) works for
any user; a full disk (ENOSPC) and a read-only one (EROFS) are small tmpfs mounts made in
a private mount namespace (`unshare -m`), skipped where the user may not mount. The disk
is filled *during* the sweep (once plan.json is written), after the sweep's own check of
the free space passed, as when another program fills it.
"""

from __future__ import annotations

import json
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import assert_one_line_failure, env, lines, run_parallel

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d && rmdir $d"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs unshare -m and mount (root or CAP_SYS_ADMIN)")


def in_namespace(script: str, tmp_path: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a bash script in a private mount namespace; $D is a folder it may mount on, $PY
    the interpreter; the mounts vanish with the namespace."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    return subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-c", script], cwd=REPO,
                          env=env(D=str(mount_point), PY=PY), capture_output=True, text=True, timeout=timeout)


def small_files(limit: int):
    """preexec_fn: writes beyond `limit` bytes fail with EFBIG (SIGXFSZ ignored)."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


# ---------------------------------------------------------------- disks
@pytest.mark.slow
def test_sweep_on_a_file_size_limit_is_one_line_and_resumes(tmp_path):
    """Chunks of 5,000 runs cannot be written under a 64 KB file-size limit: one line naming
    the folder and the problem, exit 2, no runs.parquet; without the limit the same command
    finishes the sweep."""
    out = tmp_path / "out"
    cmd = [PY, "-m", "sim.sweep", "experiment=baseline", "runs=10000", "chunk_size=5000", "workers=1", f"out={out}"]
    proc = subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True, timeout=300,
                          preexec_fn=small_files(64 * 1024))
    assert_one_line_failure(proc, f"sweep error: cannot write to {out}: the file is too large (EFBIG)",
                            "running the same command again resumes")
    assert not (out / "runs.parquet").exists() and not (out / "metadata.json").exists()
    assert not list(out.rglob("*.partial"))
    again = subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads((out / "metadata.json").read_text())["run_count"] == 10000


def test_single_run_on_a_file_size_limit_writes_no_summary(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run([PY, "-m", "sim", f"hydra.run.dir={out}"], cwd=REPO, env=env(), capture_output=True,
                          text=True, timeout=300, preexec_fn=small_files(16 * 1024))
    assert_one_line_failure(proc, "run error: cannot write the run's files: ", "the file is too large (EFBIG)")
    assert not (out / "summary.json").exists()


@needs_mount
def test_sweep_onto_a_disk_that_fills_up(tmp_path):
    """A 20 MB disk passes the sweep's free-space check, then another program fills it:
    one line (ENOSPC), exit 2, the finished chunks kept and nothing that looks complete."""
    script = """
mount -t tmpfs -o size=20m tmpfs "$D" || exit 90
"$PY" -m sim.sweep experiment=baseline runs=200000 chunk_size=10000 workers=1 out="$D/out" 2>"$D/../err" &
pid=$!
while [ ! -f "$D/out/plan.json" ] && kill -0 $pid 2>/dev/null; do sleep 0.05; done
cat /dev/zero > "$D/filler" 2>/dev/null
wait $pid; echo "exit=$?"
ls "$D/out"
"""
    proc = in_namespace(script, tmp_path)
    assert "exit=2" in proc.stdout, (proc.stdout, (tmp_path / "err").read_text()[-3000:])
    err = subprocess.CompletedProcess([], 2, "", (tmp_path / "err").read_text())
    assert_one_line_failure(err, "sweep error: ", "no space left on the device (ENOSPC)",
                            "running the same command again resumes")
    listed = proc.stdout.split("exit=2", 1)[1].split()
    assert "plan.json" in listed and "runs.parquet" not in listed and "metadata.json" not in listed


@needs_mount
def test_a_calibration_onto_a_nearly_full_disk_is_refused_before_it_starts(tmp_path):
    """A 64 KB disk (row 18 of docs/attacks.md): the calibration computed its first chunk,
    then failed without naming the folder. Now it is refused in one line naming the folder,
    as the sweep is, and writes nothing."""
    script = """
mount -t tmpfs -o size=64k tmpfs "$D" || exit 90
"$PY" -m sim.calibrate sets=400 replications=2 workers=1 chunk_sets=6 screening.enabled=false out="$D/cal"
echo "exit=$?"
ls -A "$D"
"""
    proc = in_namespace(script, tmp_path)
    assert "exit=2" in proc.stdout, (proc.stdout, proc.stderr[-3000:])
    assert proc.stdout.split("exit=2", 1)[1].split() == []  # nothing written
    assert_one_line_failure(subprocess.CompletedProcess([], 2, "", proc.stderr), "calibrate error: out = ",
                            f"{tmp_path / 'disk' / 'cal'}' is not allowed: a folder on a disk with room for the "
                            "calibration")


@needs_mount
def test_every_tool_on_a_read_only_disk(tmp_path):
    """The sweep, a single run, the analysis and an exercise, each writing onto a read-only
    disk: one line each naming the problem, exit 2."""
    sweep = tmp_path / "sweep"
    subprocess.run([PY, "-m", "sim.sweep", "experiment=baseline", "runs=50", "workers=1", f"out={sweep}"], cwd=REPO,
                   env=env(), capture_output=True, check=True, timeout=300)
    script = f"""
mount -t tmpfs -o size=1m,ro tmpfs "$D" || exit 90
run() {{ "$@" >/dev/null 2>"$D/../$name.err"; echo "$name=$?"; }}
name=sweep run "$PY" -m sim.sweep experiment=baseline runs=50 workers=1 out="$D/out"
name=single run "$PY" -m sim hydra.run.dir="$D/run"
name=analyze run "$PY" -m sim.analyze "{sweep}" --no-fan --quiet --out "$D/report"
name=teach run "$PY" -m sim.teach run baseline --runs 50 --out "$D/teach"
"""
    proc = in_namespace(script, tmp_path)
    codes = dict(line.split("=") for line in proc.stdout.split())
    expected = {"sweep": "sweep error: ", "single": "run error: cannot write the run folder: ",
                "analyze": "analyze error: cannot write the report: ", "teach": "python -m sim.teach: error: "}
    for name, prefix in expected.items():
        err = subprocess.CompletedProcess([], int(codes[name]), "", (tmp_path / f"{name}.err").read_text())
        assert_one_line_failure(err, prefix, "read-only (EROFS)")


@needs_mount
def test_teach_on_a_full_disk_prints_no_results(tmp_path):
    """The exercise's plots do not fit: one line, exit 2, no shares printed, no summary.json."""
    script = """
mount -t tmpfs -o size=24k tmpfs "$D" || exit 90
"$PY" -m sim.teach run baseline --runs 50 --out "$D/teach"; echo "exit=$?"
ls "$D/teach"
"""
    proc = in_namespace(script, tmp_path)
    assert "exit=2" in proc.stdout, proc.stdout + proc.stderr[-2000:]
    assert "Scenario baseline" not in proc.stdout and "summary.json" not in proc.stdout
    assert_one_line_failure(subprocess.CompletedProcess([], 2, "", proc.stderr), "no space left on the device")


# ---------------------------------------------------------------- inputs
CASES = {
    "start_date_9999": (["sim", "start_date=9999-12-01"],
                        ["config error: start_date = '9999-12-01' is not allowed: an ISO date no later than"]),
    "unknown_key": (["sim", "scenario.bogus=1"],
                    ["config error: scenario.bogus = '1' is not allowed: an existing key"]),
    "wrong_type": (["sim", "seed=abc"], ["config error: seed = 'abc' is not allowed:", "Integer"]),
    "bad_override_syntax": (["sim", "seed=["], ["config error: cannot read the override 'seed=['"]),
    "sweep_unknown_key": (["sim.sweep", "experiment=baseline", "experiment.bogus=1", "runs=10"],
                          ["sweep error: experiment.bogus = '1' is not allowed: an existing key"]),
    "teach_seed_minus_1": (["sim.teach", "run", "baseline", "--seed", "-1"],
                           ["python -m sim.teach run: error: argument --seed: -1 is outside [0, "]),
    "teach_unknown_scenario": (["sim.teach", "run", "nope"], ["python -m sim.teach: error: unknown scenario 'nope'"]),
    "play_seed_2_63": (["sim.play", "--as", "pm", "seed=9223372036854775808"],
                       ["python -m sim.play: error: seed = 9223372036854775808 is not allowed"]),
    "ray_nobody_there": (["sim.sweep", "experiment=baseline", "runs=10", "executor=ray", "ray_address=127.0.0.1:9"],
                         ["sweep error: ray_address = '127.0.0.1:9' is not allowed: the HOST:PORT of a running Ray"]),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    commands = {}
    for name, (args, _) in CASES.items():
        out = base / name
        extra = {"sim": [f"hydra.run.dir={out}"], "sim.sweep": [f"out={out}"]}.get(args[0], [])
        if args[0] == "sim.teach" and args[1] == "run":
            extra = ["--runs", "20", "--out", str(out)]
        commands[name] = ["-m", *args, *extra]
    return {name: (proc, base / name) for name, proc in run_parallel(commands, timeout=120).items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_and_writes_nothing(case, results):
    proc, out = results[case]
    assert_one_line_failure(proc, *CASES[case][1])
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()], list(out.rglob("*"))


def test_bargain_on_a_full_stdout_is_one_line(tmp_path):
    table = tmp_path / "actors.csv"
    table.write_text("Actor,Capability,Position,Salience\nA,1,0,0.5\nB,2,1,0.5\n")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([PY, "-m", "sim.bargain", "--protocol", "median", "--actors", str(table),
                               "--scale", "0", "1"], cwd=REPO, stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=120)
    assert proc.returncode == 2 and lines(proc.stderr) == [
        "python -m sim.bargain: error: cannot write the table to stdout: no space left on the device (ENOSPC)"]
