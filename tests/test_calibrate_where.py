"""The calibration computed anywhere (issue 28, item 1): its sets are the same on every
executor and number of workers, it shows its progress with the time left, and its
`--help` names every setting. Sizes: four chunks of two parameter sets, two runs each
(`tiny_tasks`); the command-line runs are 40 sets of 2 runs per lever, without screening.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clitools import env

from sim.calibrate import runner
from sim.config import run_config

REPO = Path(__file__).resolve().parents[1]


def tiny_tasks() -> list[tuple]:
    levers = {"status_quo": run_config("baseline", 0)}
    values = np.linspace(2.0, 16.0, 8)[:, None]
    return [(levers, ["behaviour.rationality"], values[a:a + 2], np.arange(a, a + 2), 2, [], None, "set")
            for a in range(0, 8, 2)]


@pytest.mark.parametrize("where", [runner.Where("local", 2), runner.Where("threads", 2), runner.Where("threads", 1)],
                         ids=["2 workers", "2 threads", "1 thread"])
def test_the_sets_are_the_same_wherever_they_are_computed(tmp_path, where):
    reference = runner.compute(tiny_tasks(), tmp_path / "one", "prior-aaaa", runner.Where(workers=1))
    other = runner.compute(tiny_tasks(), tmp_path / "other", "prior-aaaa", where)
    pd.testing.assert_frame_equal(other, reference, check_exact=True)
    assert other.attrs["reused_chunks"] == 0 and len(other) == 8


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs Ray (pip install '.[ray]')")
def test_the_sets_are_the_same_on_a_local_ray_instance(tmp_path):
    """Ray's tasks (a local instance of two CPUs; the two-node cluster with a node killed is
    scripts/ray_two_node_check.sh, tests/test_sweep_ray_cluster.py)."""
    reference = runner.compute(tiny_tasks(), tmp_path / "one", "prior-aaaa", runner.Where(workers=1))
    on_ray = runner.compute(tiny_tasks(), tmp_path / "ray", "prior-aaaa", runner.Where("ray", 2))
    pd.testing.assert_frame_equal(on_ray, reference, check_exact=True)


def test_progress_is_a_bar_with_the_time_left_or_a_line_at_each_tenth(caplog, capsys):
    import logging

    with caplog.at_level(logging.INFO, logger="sim.calibrate.runner"):
        meter = runner.Meter("prior sweep", bar=False).start(total=100, done=30)
        for _ in range(70):
            meter.update(1)
        meter.close()
    said = [r.getMessage() for r in caplog.records]
    assert said[0] == "prior sweep: 30 of 100 sets already computed (resumed)"
    assert said[1:] == [f"prior sweep: {n} of 100 sets" for n in (40, 50, 60, 70, 80, 90, 100)]
    capsys.readouterr()
    meter = runner.Meter("prior sweep", bar=True).start(total=100, done=30)
    meter.update(70)
    meter.close()
    err = capsys.readouterr().err
    assert "prior sweep" in err and "100/100" in err and "set/s" in err and "<00:00" in err  # elapsed<left


def command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sim.calibrate", "sets=40", "replications=2", "chunk_sets=10",
            "screening.enabled=false", f"out={out}", *extra]


def test_the_command_shows_its_progress_and_gives_the_same_posterior_on_threads(tmp_path):
    local = subprocess.run(command(tmp_path / "local", "workers=2"), cwd=REPO, env=env(),
                           capture_output=True, text=True, timeout=600)
    threads = subprocess.run(command(tmp_path / "threads", "executor=threads", "workers=2", "progress=true"),
                             cwd=REPO, env=env(), capture_output=True, text=True, timeout=600)
    assert local.returncode == 0 and threads.returncode == 0, (local.stderr[-2000:], threads.stderr[-2000:])
    assert "prior sweep: 40 of 40 sets" in local.stdout + local.stderr  # log lines without a bar (CI is set)
    assert "40/40" in threads.stderr and "set/s" in threads.stderr  # the bar, asked for
    for name in ("posterior.parquet", "prior_sets.parquet"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "threads" / name).read_bytes(), name
    assert not (tmp_path / "local" / "calibration.lock").exists()


def test_help_names_every_setting_with_its_default_and_what_is_allowed():
    from sim.calibrate.schema import CalibrateConfig

    done = subprocess.run([sys.executable, "-m", "sim.calibrate", "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    keys = [f.name for f in dataclasses.fields(CalibrateConfig) if f.name not in ("experiment", "screening")]
    keys += [f"screening.{f.name}" for f in dataclasses.fields(CalibrateConfig.__dataclass_fields__["screening"]
                                                                .default_factory())]
    for key in keys:
        assert f"  {key} = " in text, key
    for words in ("local | threads | ray", "resumes", "refused", "experiment.seed = ", "calibration "):
        assert words in text, words
