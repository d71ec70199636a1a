"""`python -m sim.cases` (issue 29, item 4): the calibration across cases, each case left
out and predicted, scored against the base rate of the others. Size: 24 parameter sets of
2 runs per case (enough that some meet the article's bands), 4,000 predictive runs per case, one
worker; the scores are checked against the rules they state, not against numbers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clitools import assert_one_line_failure, env, run_parallel

from sim.cases import library
from sim.cases import scores as sc

REPO = Path(__file__).resolve().parents[1]
THREE = "baseline,philippines_1991,uzbekistan_2005,kyrgyzstan_2009"
SMALL = ["--sets", "400", "--replications", "2", "--workers", "1", "--progress", "false"]


def test_the_library_lists_the_four_cases_by_start_date():
    assert library.names() == ["philippines_1991", "uzbekistan_2005", "kyrgyzstan_2009", "niger_2024"]
    kg = library.case("kyrgyzstan_2009")
    assert kg.observed == "request_withdrawn" and kg.country == "Kyrgyzstan" and kg.source
    assert library.case(library.IRAQ).observed is None  # Iraq 2020's course is not data


def test_a_case_keeps_what_its_file_sets_and_shares_the_rest():
    paths = ["behaviour.rationality", "government.base_revision_rate", "factions.sadrists.salience",
             "world.initial_isis_threat"]
    niger = library.case("niger_2024")
    kept = library.kept_paths(niger, paths)
    assert "behaviour.rationality" not in kept and "factions.sadrists.salience" in kept
    assert ("government.base_revision_rate" in kept) == ("government.base_revision_rate" in niger.sets)
    assert "world.initial_isis_threat" in kept  # Niger's file sets the threat (NE8)
    assert library.kept_paths(library.case(library.IRAQ), paths) == ()


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("cases") / "out"
    done = subprocess.run([sys.executable, "-m", "sim.cases", *SMALL, "--out", str(out), "--cases", THREE],
                          cwd=REPO, env=env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_scores_follow_their_rules(scored):
    table = pd.read_csv(scored / "scores.csv")
    assert table["case"].tolist() == ["philippines_1991", "uzbekistan_2005", "kyrgyzstan_2009"]
    required = ["case", "observed", "p_observed", *[f"p_{n}" for n in sc.CLASSES], "log_score", "brier",
                "base_log_score"]
    assert set(required) <= set(table.columns)
    probs = table[[f"p_{n}" for n in sc.CLASSES]].to_numpy()
    assert (probs > 0).all() and np.allclose(probs.sum(axis=1), 1.0)
    counts = probs * (table["runs"].to_numpy()[:, None] + 5) - 1  # (count + 1) / (runs + 5)
    assert np.allclose(counts, np.rint(counts), atol=1e-6) and (table["runs"] >= 4000).all()
    for _, row in table.iterrows():
        assert row["p_observed"] == row[f"p_{row['observed']}"]
        assert row["log_score"] == pytest.approx(np.log(row["p_observed"]), abs=1e-5)
        truth = np.array([n == row["observed"] for n in sc.CLASSES], dtype=float)
        p = row[[f"p_{n}" for n in sc.CLASSES]].to_numpy(float)
        assert row["brier"] == pytest.approx(((p - truth) ** 2).sum(), abs=1e-5)
        others = [library.case(c).observed for c in table["case"] if c != row["case"]]
        base = sc.base_rate(others)  # the two other scored cases (Iraq 2020 has no outcome)
        assert row["base_log_score"] == pytest.approx(np.log(base[sc.CLASSES.index(row["observed"])]), abs=1e-5)
        assert row["case"] not in row["calibrated_on"].split()  # out of sample
    report = (scored / "report.md").read_text()
    assert "| philippines_1991 | withdrawal_completed |" in report and "scores.png" in report
    assert (scored / "scores.png").stat().st_size > 10_000
    iraq = pd.read_csv(scored / "iraq_2020.csv")
    assert iraq["case"].tolist() == ["baseline"] and (iraq[[f"p_{n}" for n in sc.CLASSES]] > 0).all(axis=None)


def test_a_case_outside_the_calibration_is_scored_against_it_alone(scored):
    """--score: the case against the calibration on the others (the same prior sweep, read
    back), written to its own files; the leave-one-out table is left as it was."""
    before = (scored / "scores.csv").read_bytes()
    done = subprocess.run([sys.executable, "-m", "sim.cases", *SMALL, "--out", str(scored), "--cases", THREE,
                           "--score", "niger_2024"], cwd=REPO, env=env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    niger = pd.read_csv(scored / "score_niger_2024.csv")
    assert niger["case"].tolist() == ["niger_2024"] and niger["observed"].tolist() == ["withdrawal_completed"]
    assert niger["calibrated_on"][0].split() == THREE.split(",")
    base = sc.base_rate(["withdrawal_completed", "withdrawal_completed", "request_withdrawn"])
    assert niger["base_log_score"][0] == pytest.approx(np.log(base[sc.CLASSES.index("withdrawal_completed")]), abs=1e-5)
    assert "chunks of the prior sweep read back" in (scored / "score_niger_2024.md").read_text()
    assert (scored / "scores.csv").read_bytes() == before


@pytest.mark.slow
def test_a_rerun_reads_the_prior_sweep_back_and_gives_the_same_scores(scored):
    before = (scored / "scores.csv").read_bytes()
    again = subprocess.run([sys.executable, "-m", "sim.cases", *SMALL, "--out", str(scored), "--cases", THREE],
                           cwd=REPO, env=env(), capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert (scored / "scores.csv").read_bytes() == before
    assert "chunks of the prior sweep read back" in (scored / "report.md").read_text()


def test_bad_input_is_one_line():
    res = run_parallel({
        "one": ["-m", "sim.cases", "--cases", "baseline,niger_2024"],
        "unknown": ["-m", "sim.cases", "--cases", "baseline,atlantis_2030,niger_2024"],
        "runs": ["-m", "sim.cases", "--runs", "100"],
        "score": ["-m", "sim.cases", "--cases", "baseline,niger_2024,kyrgyzstan_2009", "--score", "niger_2024"],
        "iraq": ["-m", "sim.cases", "--score", "baseline"],
        "twice": ["-m", "sim.cases", "--cases", "niger_2024,niger_2024,kyrgyzstan_2009"],
    })
    assert_one_line_failure(res["one"], "--cases", "at least two cases with an observed outcome")
    assert_one_line_failure(res["unknown"], "case", "atlantis_2030", "philippines_1991")
    assert_one_line_failure(res["runs"], "--runs", "100")
    assert_one_line_failure(res["score"], "--score", "niger_2024", "not among --cases")
    assert_one_line_failure(res["twice"], "--cases", "distinct")
    assert_one_line_failure(res["iraq"], "--score", "baseline", "observed outcome")
