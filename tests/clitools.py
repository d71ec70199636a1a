"""Running the command-line tools as a user does, for the tests of their failures: each
command in its own subprocess, several at a time (they are independent, and most of their
time is Python's start-up), and the checks every expected failure must pass: exit code 2,
one line on stderr, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def ctrl_c_reaches_it() -> None:
    """`preexec_fn` for a child a test will stop with SIGINT, as a user's Ctrl-C would: the
    default action for SIGINT. A shell starts background jobs with SIGINT ignored and an
    ignored signal stays ignored across exec, so under a backgrounded test run the child
    would otherwise never see the signal (Python installs its KeyboardInterrupt handler only
    when SIGINT is not ignored at start)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def env(**extra: str) -> dict:
    return dict(os.environ, CI="1", **extra)


def run_parallel(commands: dict[str, list[str]], *, cwd: Path = REPO, timeout: float = 300,
                 environ: dict | None = None) -> dict[str, subprocess.CompletedProcess]:
    """Run `python ARGS...` for each named argument list, a few at a time; name -> result.
    A command still running after `timeout` seconds is killed and its result has returncode None."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
    limit = max(2, min(4, 2 * cores))
    results, running, queue = {}, {}, list(commands)
    while queue or running:
        while queue and len(running) < limit:
            name = queue.pop(0)
            running[name] = subprocess.Popen([sys.executable, *commands[name]], cwd=cwd, env=environ or env(),
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        name = next(iter(running))
        proc = running.pop(name)
        try:
            out, err = proc.communicate(timeout=timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            code = None
        results[name] = subprocess.CompletedProcess(proc.args, code, out, err)
    return results


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def assert_one_line_failure(proc: subprocess.CompletedProcess, *parts: str) -> str:
    """Exit code 2, exactly one line on stderr holding every one of `parts`, no traceback;
    returns the line."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    got = lines(proc.stderr)
    assert len(got) == 1, f"expected one line on stderr, got {len(got)}:\n{proc.stderr[-3000:]}"
    for part in parts:
        assert part in got[0], f"{part!r} not in {got[0]!r}"
    return got[0]
