"""python -m sim.teach: list, brief, run (its ensemble numbers and plots) and the error
for an unknown exercise (exit code 2, naming the allowed names)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO, params_for

from sim.engines.batch import simulate
from sim.ensembles import run_ensemble, statistics
from sim.teach.__main__ import main


def test_list_names_every_scenario(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("baseline", "anti_american_pm", "max_pressure", "permanent_caretaker"):
        assert name in out


def test_brief_prints_the_card(capsys):
    assert main(["brief", "max_pressure"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Exercise") and "## Questions for students" in out and "F22" in out


def test_run_prints_the_distribution_and_writes_plots(tmp_path, capsys):
    assert main(["run", "anti_american_pm", "--runs", "300", "--seed", "4", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for outcome in ("no_request", "negotiated_drawdown", "request_withdrawn", "withdrawal_completed", "occupation"):
        assert outcome in out
    for f in ("outcomes", "time_to_request", "compare_outcomes", "compare_time_to_request"):
        assert (tmp_path / f"{f}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / f"{f}.pdf").read_bytes()[:5] == b"%PDF-"
        assert b"<svg" in (tmp_path / f"{f}.svg").read_bytes()[:2000]
    assert "against the baseline (same seed, same runs)" in out  # the comparison the cards ask for
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["runs"] == 300 and summary["seed"] == 4
    assert abs(sum(summary["outcome_shares"].values()) - 1.0) < 1e-9
    assert summary["share_request_by_end_2020"] <= summary["share_request_by_end_2021"] <= summary["share_with_request"]


def test_ensemble_numbers_are_the_batch_engine_s():
    e = run_ensemble("baseline", 200, seed=5)
    cols = simulate(params_for("scenario=baseline", "seed=5"), np.arange(200))
    assert np.array_equal(e.outcome, cols["outcome"])
    s = statistics(e)
    w = cols["formal_request_week"]
    assert s["share_with_request"] == pytest.approx((w >= 0).mean())
    assert s["share_request_by_end_2020"] == pytest.approx(((w >= 0) & (w <= 51)).mean())  # 28 Dec 2020 is week 51
    assert s["median_request_week"] == (float(np.median(w[w >= 0])) if (w >= 0).any() else None)


def test_unknown_exercise_exits_2_naming_the_allowed():
    r = subprocess.run([sys.executable, "-m", "sim.teach", "brief", "nowhere"], cwd=REPO, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2
    assert "unknown scenario 'nowhere'" in r.stderr and "baseline" in r.stderr and "max_pressure" in r.stderr


@pytest.mark.parametrize("argv", [["run", "nowhere"], ["facilitator", "nowhere"]])
def test_unknown_exercise_in_other_commands(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "unknown scenario 'nowhere'" in capsys.readouterr().err
