"""Configs and the command line: every scenario composes and runs; `python -m sim` is
reproducible, writes all its files, refuses bad values before running anything (exit 2,
a message naming key, value and range), refuses unknown keys and wrong types (Hydra, a
non-zero exit), and treats seed=null as fresh entropy that it records.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, params_for

from sim.abm import NegotiationModel
from sim.config import available_scenarios, run_config
from sim.engines.batch import simulate, summaries
from sim.model import outcomes

SCENARIO_DIR = REPO / "configs" / "scenario"
RUN_FILES = ("summary.json", "events.md", "trajectory.parquet", "trajectory.png", "trajectory.svg", "trajectory.pdf",
             "config.yaml")


def run_cli(out_dir: Path, *overrides: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """`python -m sim OVERRIDES hydra.run.dir=OUT_DIR` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *overrides, f"hydra.run.dir={out_dir}"],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )


# ------------------------------------------------------------------ scenarios
def test_scenario_files_are_the_available_scenarios():
    """The scenario group holds the eight scenarios of the design, baseline among them."""
    names = available_scenarios()
    assert names == sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    assert "baseline" in names and len(names) >= 8


@pytest.mark.parametrize("name", available_scenarios())
def test_scenario_composes_and_runs(name):
    """Each scenario composes and validates, carries its own name, runs 50 runs in the batch
    engine with valid outcomes, and one Mesa run (run 0) that agrees with the batch engine."""
    cfg = run_config(name)
    assert cfg.scenario.name == name
    assert cfg.scenario.title and cfg.scenario.description
    p = params_for(f"scenario={name}")
    r = simulate(p, np.arange(50))
    assert np.all((r["outcome"] >= 0) & (r["outcome"] < len(outcomes.OUTCOMES)))
    assert np.all((r["final_troops"] >= 0) & (r["final_troops"] <= p.world.initial_troops))
    m = NegotiationModel(p, run_index=0, record=True)
    summary = m.run()
    assert summary["outcome"] in outcomes.OUTCOMES
    assert summary == summaries(p, [0])[0]
    assert len(m.event_log) > 4 and len(m.trajectory()) == summary["weeks_simulated"] + 1


def test_no_target_in_scenario_files():
    """Scenarios are data, not object factories: no `_target_` in any file under configs/scenario."""
    offenders = [p.name for p in SCENARIO_DIR.rglob("*") if p.is_file() and "_target_" in p.read_text(encoding="utf-8")]
    assert offenders == []


# ------------------------------------------------------------------ the CLI
@pytest.fixture(scope="module")
def two_identical_runs(tmp_path_factory):
    """The CLI run twice with the same config and seed (scenario anti_american_pm, seed 7)."""
    root = tmp_path_factory.mktemp("cli")
    procs = [run_cli(root / name, "scenario=anti_american_pm", "seed=7") for name in ("first", "second")]
    return root, procs


def test_cli_writes_every_file(two_identical_runs):
    """A finished run folder holds summary.json, events.md, trajectory.parquet, the figure
    as trajectory.png, .svg and .pdf, and config.yaml, none empty; the summary names
    scenario and seed."""
    root, procs = two_identical_runs
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
    for name in RUN_FILES:
        path = root / "first" / name
        assert path.is_file() and path.stat().st_size > 0, name
    summary = json.loads((root / "first" / "summary.json").read_text())
    assert summary["scenario"] == "anti_american_pm" and summary["seed"] == 7
    assert summary["outcome"] in outcomes.OUTCOMES
    assert not list(root.rglob("*.partial"))


def test_cli_is_reproducible_byte_for_byte(two_identical_runs):
    """Same config and seed: summary.json and trajectory.parquet (and events.md) are
    byte-identical between the two runs."""
    root, procs = two_identical_runs
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
    for name in ("summary.json", "trajectory.parquet", "events.md"):
        assert (root / "first" / name).read_bytes() == (root / "second" / name).read_bytes(), name


def test_cli_summary_matches_the_in_process_model(two_identical_runs):
    """The CLI's summary is the summary of the same model run in-process."""
    root, _ = two_identical_runs
    summary = json.loads((root / "first" / "summary.json").read_text())
    assert summary == NegotiationModel.from_scenario("anti_american_pm", 7).run()


RANGE_ERRORS = [
    ("scenario.sanctions.credibility=1.5", "scenario.sanctions.credibility", "1.5", "must lie in [0, 1]"),
    ("horizon_weeks=0", "horizon_weeks", "0", "must lie in [1, 1040]"),
    ("scenario.washington.linkage_cost=-1", "scenario.washington.linkage_cost", "-1.0", "must lie in [0, 1]"),
    ("scenario.factions.kurds.seats=300", "scenario.factions.*.seats", "543", "at most 329"),
]


@pytest.mark.parametrize("override, key, value, allowed", RANGE_ERRORS, ids=[e[0] for e in RANGE_ERRORS])
def test_cli_refuses_bad_values(tmp_path, override, key, value, allowed):
    """A value outside its range (or seats summing to 73+54+61+300+55 = 543 > 329): exit
    code 2, one line on stderr "config error: KEY = VALUE is not allowed: ..." naming the
    key, the value and what is allowed, and no summary.json anywhere."""
    proc = run_cli(tmp_path / "run", override)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    line = f"config error: {key} = {value} is not allowed: "
    assert line in proc.stderr, proc.stderr[-2000:]
    assert allowed in proc.stderr.split(line, 1)[1].splitlines()[0]
    assert not list(tmp_path.rglob("summary.json"))


@pytest.mark.parametrize("override", ["scenario.bogus=1", "seed=abc"], ids=["unknown_key", "wrong_type"])
def test_cli_refuses_unknown_keys_and_wrong_types(tmp_path, override):
    """Hydra refuses an unknown key or a wrong type while composing: non-zero exit, the
    offending key named on stderr, no summary.json."""
    proc = run_cli(tmp_path / "run", override)
    assert proc.returncode != 0
    assert override.split("=")[0].split(".")[-1] in proc.stderr
    assert not list(tmp_path.rglob("summary.json"))


def test_cli_seed_null_draws_fresh_entropy_and_records_it(tmp_path):
    """seed=null (None means unseeded, tested with `is None`): the run succeeds,
    summary.json records the entropy drawn as an int seed (also noted in config.yaml), and
    re-running with that seed reproduces the summary."""
    proc = run_cli(tmp_path / "run", "seed=null")
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert isinstance(summary["seed"], int) and summary["seed"] >= 0
    assert str(summary["seed"]) in (tmp_path / "run" / "config.yaml").read_text()
    assert NegotiationModel.from_scenario("baseline", summary["seed"]).run() == summary


def test_validator_names_key_value_and_range_in_process():
    """The same checks through the Python API: ConfigError carries key, value and allowed."""
    from sim.config.validate import ConfigError

    with pytest.raises(ConfigError) as err:
        run_config("baseline", 0, ["scenario.sanctions.credibility=1.5"])
    assert (err.value.key, err.value.value) == ("scenario.sanctions.credibility", 1.5)
    assert re.search(r"\[0, 1\]", err.value.allowed)
