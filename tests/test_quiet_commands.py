"""Quiet commands (issue 27): a successful `python -m sim` prints at most five lines (it used
to print 111, fontTools' font subsetting at INFO under Hydra's job logging); libraries stay
at WARNING unless `hydra.verbose` asks for more."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def test_python_m_sim_prints_at_most_five_lines(tmp_path):
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "sim", "scenario=max_pressure", "seed=3", f"hydra.run.dir={out}"],
                       cwd=REPO, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    lines = (r.stdout + r.stderr).splitlines()
    assert 1 <= len(lines) <= 5, lines[:20]
    assert lines[-1].startswith("outcome: ") and str(out) in lines[-1]
    assert json.loads((out / "summary.json").read_text())["scenario"] == "max_pressure"
    assert (out / "trajectory.pdf").stat().st_size > 0  # the figure whose fonts were logged is written


def test_quiet_logging_leaves_the_project_s_loggers_at_info(monkeypatch):
    import logging

    from hydra.core.hydra_config import HydraConfig

    from sim.cli import quiet_logging

    root, own = logging.getLogger(), logging.getLogger("sim")
    monkeypatch.setattr(root, "level", logging.INFO)
    monkeypatch.setattr(own, "level", logging.NOTSET)
    monkeypatch.setattr(HydraConfig, "initialized", staticmethod(lambda: False))
    quiet_logging()
    assert root.level == logging.WARNING and own.level == logging.INFO
    assert logging.getLogger("fontTools.subset").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("sim.single_run").getEffectiveLevel() == logging.INFO
