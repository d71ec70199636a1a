"""The headline experiment end to end (python -m experiments.which_conditions) at a tiny
size: both sweeps, the stability rounds, the report with its extra section and the
metadata. Slow (about a minute): `pytest -m slow`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_which_conditions_writes_report_and_metadata(tmp_path):
    out, sweeps = tmp_path / "report", tmp_path / "sweeps"
    done = subprocess.run(
        [sys.executable, "-m", "experiments.which_conditions", "--points", "60", "--base-samples", "4", "--rounds", "2",
         "--fan-runs", "6", "--curve-points", "20", "--structure-points", "6", "--workers", "1", "--out", str(out),
         "--sweeps", str(sweeps)],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    text = (out / "report.md").read_text()
    for heading in ("## The answer", "## How many runs, and why", "## Experiment", "## Limits of the model"):
        assert heading in text
    assert text.split("## The answer", 1)[1].lstrip().startswith("**As a curve, and per collective rule.**")
    # the answer as a curve: every rule, over the condition's whole domain, per strategy
    curve = pd.read_csv(out / "curve.csv")
    assert set(curve["variant"]) == {"compromise", "median", "bdm (text reading)", "bdm (replication reading)"}
    assert curve["x_low"].min() == 0.0 and curve["x_high"].max() == 1.0
    assert set(curve["group"]) == {"status_quo", "quiet_diplomacy", "maximum_pressure"}
    for heading in ("## The answer as a curve", "## How the answer changes with the model's structure"):
        assert heading in text
    assert "best response (rationality = inf)" in text and "step of 14 days" in text
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["conditions_sweep"]["experiment"] == "conditions"
    assert meta["sobol_sweep"]["experiment"] == "conditions_sobol"
    rounds = meta["rounds"]
    assert 1 <= len(rounds["sobol"]) <= 2 and 1 <= len(rounds["conditions"]) <= 2
    assert rounds["sobol"][0]["runs"] == 4 * 14 * 16 and rounds["conditions"][0]["runs"] == 60 * 3 * 10
    assert meta["runs_total"] == sum(r["runs"] for r in rounds["sobol"] + rounds["conditions"])
    assert meta["timings_s"]["total"] > 0
    assert not list(out.glob("*.parquet"))          # the tables stay with the sweeps
    assert (out / "heatmap.svg").exists() and (out / "sobol.png").exists()


def test_a_label_that_starts_with_the_gets_no_second_one():
    from sim.analysis import answer

    assert answer.the("the swing bloc's stake") == "the swing bloc's stake"
    assert answer.the("Kurdish seats") == "the Kurdish seats"
    text, _ = answer.limit_phrase("the swing bloc's stake", 0.0, 0.5, (0.0, 1.0))
    assert "the the" not in text and text.startswith("the swing bloc's stake is at most")
