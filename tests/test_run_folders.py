"""Runs that never overwrite each other (sim/run_folders.py), typos refused before anything
runs (sim/config/overrides.py), and help built from the schema."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from sim.config import CONFIG_DIR, ConfigError
from sim.config.overrides import check_command_overrides, field_paths, format_value, override_strings
from sim.config.schema import RunConfig
from sim.run_folders import claim, config_difference, run_name
from sim.sweep.schema import SweepConfig


def _sim(*args: str, cwd: Path, module: str = "sim", timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


# ---------------------------------------------------------------- names and claims
@pytest.mark.parametrize("seed, overrides, expected", [
    (0, [], "seed_0"),
    (0, ["scenario=max_pressure", "seed=0"], "seed_0"),
    (7, ["scenario.sanctions.credibility=0.95"], "seed_7__sanctions.credibility=0.95"),
    (0, ["seed=0", "scenario.world.isis_mean=0.5", "horizon_weeks=52"], "seed_0__horizon_weeks=52,world.isis_mean=0.5"),
    (3, ["~scenario.factions.kurds"], "seed_3__~factions.kurds"),
])
def test_run_name(seed, overrides, expected):
    assert run_name(seed, overrides) == expected


def test_run_name_falls_back_to_a_hash_for_long_or_odd_overrides():
    odd = run_name(0, ["step_order=[world,tehran,factions,parliament,government,washington,consequences]"])
    long = run_name(0, [f"scenario.world.initial_troops={1000 + i}" for i in range(20)])
    assert odd.startswith("seed_0__cfg-") and long.startswith("seed_0__cfg-") and odd != long
    assert len(odd) == len("seed_0__cfg-") + 10
    assert run_name(0, ["a=1", "b=2"]) == run_name(0, ["b=2", "a=1"])  # the order does not matter


def test_config_difference_names_the_first_key():
    assert config_difference({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 2}}) is None
    assert config_difference({"a": {"b": 1}}, {"a": {"b": 2}}) == "a.b: 1 there, 2 here"
    assert config_difference({"a": 1}, {"a": 1, "z": 0}) == "z: absent there, 0 here"


def test_claim_reuses_only_a_folder_with_the_same_config(tmp_path):
    cfg, other = {"seed": 0, "x": 1}, {"seed": 0, "x": 2}
    folder = tmp_path / "seed_0"
    assert claim(folder, cfg, named_by_user=False, option="o") == (folder, None)  # absent
    folder.mkdir()
    assert claim(folder, cfg, named_by_user=True, option="o") == (folder, None)   # empty
    (folder / "config.yaml").write_text(yaml.safe_dump(cfg))
    assert claim(folder, cfg, named_by_user=True, option="o") == (folder, None)   # the same run
    moved, why = claim(folder, other, named_by_user=False, option="o")
    assert moved == tmp_path / "seed_0-2" and "x: 1 there, 2 here" in why
    with pytest.raises(ConfigError, match="another config"):
        claim(folder, other, named_by_user=True, option="hydra.run.dir")
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("mine")
    assert claim(stray, cfg, named_by_user=False, option="o")[0] == tmp_path / "stray-2"
    assert (stray / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------- the command line
def test_multirun_gives_every_job_its_own_folder(tmp_path):
    """`python -m sim -m scenario.sanctions.credibility=0,1 seed=0,1` leaves four folders whose
    config.yaml differ exactly as the overrides do."""
    done = _sim("-m", "scenario.sanctions.credibility=0,1", "seed=0,1", f"hydra.sweep.dir={tmp_path}", "horizon_weeks=5",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    folders = sorted(p.parent for p in tmp_path.rglob("summary.json"))
    assert [f.name for f in folders] == [f"seed_{s}__horizon_weeks=5,sanctions.credibility={c}"
                                         for s, c in itertools.product((0, 1), (0, 1))]
    configs = {f.name: _flat(yaml.safe_load((f / "config.yaml").read_text())) for f in folders}
    for a, b in itertools.combinations(configs, 2):
        differing = {k for k in configs[a] if configs[a][k] != configs[b].get(k)}
        expected = set()
        if configs[a]["seed"] != configs[b]["seed"]:
            expected.add("seed")
        if configs[a]["scenario.sanctions.credibility"] != configs[b]["scenario.sanctions.credibility"]:
            expected.add("scenario.sanctions.credibility")
        assert expected and differing == expected, (a, b, differing)
    for f in folders:
        summary = json.loads((f / "summary.json").read_text())
        assert summary["seed"] == configs[f.name]["seed"]
        assert f.name == run_name(summary["seed"], yaml.safe_load((f / "overrides.yaml").read_text()))


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@pytest.mark.slow
def test_single_runs_are_named_by_overrides_and_never_overwrite(tmp_path):
    runs = tmp_path / "results" / "runs"
    plain = _sim("scenario=max_pressure", "horizon_weeks=20", cwd=tmp_path)
    varied = _sim("scenario=max_pressure", "horizon_weeks=20", "scenario.sanctions.credibility=0.95", cwd=tmp_path)
    assert plain.returncode == 0 and varied.returncode == 0, (plain.stderr[-2000:], varied.stderr[-2000:])
    a = runs / "max_pressure" / "seed_0__horizon_weeks=20"
    b = runs / "max_pressure" / "seed_0__horizon_weeks=20,sanctions.credibility=0.95"
    assert (a / "summary.json").is_file() and (b / "summary.json").is_file()
    first = (a / "summary.json").read_text()
    again = _sim("scenario=max_pressure", "horizon_weeks=20", cwd=tmp_path)  # the same run: the same folder
    assert again.returncode == 0 and (a / "summary.json").read_text() == first
    assert sorted(p.name for p in (runs / "max_pressure").iterdir()) == sorted([a.name, b.name])
    # a folder holding another config: the default name moves on, a named folder is refused
    cfg = yaml.safe_load((a / "config.yaml").read_text())
    cfg["scenario"]["sanctions"]["credibility"] = 0.11
    (a / "config.yaml").write_text(yaml.safe_dump(cfg))
    moved = _sim("scenario=max_pressure", "horizon_weeks=20", cwd=tmp_path)
    assert moved.returncode == 0 and (runs / "max_pressure" / f"{a.name}-2" / "summary.json").is_file()
    assert "credibility: 0.11 there, 0.9 here" in moved.stderr + moved.stdout
    before = {p.name: p.stat().st_mtime_ns for p in a.iterdir()}
    refused = _sim("scenario=max_pressure", "horizon_weeks=20", f"hydra.run.dir='{a}'", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0 and "hydra.run.dir" in refused.stderr and "another config" in refused.stderr
    assert {p.name: p.stat().st_mtime_ns for p in a.iterdir()} == before


def test_seed_null_is_named_by_the_seed_drawn(tmp_path):
    """Two runs with seed=null (here the two jobs of one multirun) draw two seeds and go to two
    folders named by them, each config.yaml saying which seed was drawn."""
    done = _sim("-m", "seed=null,null", "horizon_weeks=5", f"hydra.sweep.dir={tmp_path}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    folders = sorted(p.parent for p in tmp_path.rglob("summary.json"))
    assert len(folders) == 2
    for f in folders:
        summary = json.loads((f / "summary.json").read_text())
        assert f.name == f"seed_{summary['seed']}__horizon_weeks=5"
        assert f"fresh entropy drawn: {summary['seed']}" in (f / "config.yaml").read_text()


# ---------------------------------------------------------------- typos
@pytest.mark.parametrize("module, args, key, hint", [
    ("sim", ["+scenario.sanctions.credibilty=0.95"], "+scenario.sanctions.credibilty",
     "did you mean scenario.sanctions.credibility"),
    ("sim", ["scenario.sanctions.credibilty=0.95"], "scenario.sanctions.credibilty",
     "did you mean scenario.sanctions.credibility"),
    ("sim", ["+scenario.sanctions.credibility=0.95"], "+scenario.sanctions.credibility", "without '+'"),
    ("sim", ["scenario.factions.kurdz.seats=40"], "scenario.factions.kurdz.seats", "scenario.factions.kurds.seats"),
    ("sim", ["experiment=conditions"], "experiment", "not one of its groups"),
    ("sim.sweep", ["wokers=2"], "wokers", "did you mean workers"),
    ("sim.sweep", ["+experiment.sed=3"], "+experiment.sed", "did you mean experiment.seed"),
])
def test_typos_are_refused_before_anything_runs(tmp_path, module, args, key, hint):
    done = _sim(*args, cwd=tmp_path, module=module)
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "\n" not in line and line.split(": ", 1)[1].startswith(key) and hint in line, line
    assert not (tmp_path / "results").exists()


def test_the_override_check_accepts_what_the_schema_has():
    """Every leaf key of the run schema (factions as the baseline names them), set plainly,
    passes; so do dropping or adding a faction, and group choices."""
    baseline_factions = ["iran_aligned", "sadrists", "other_shia", "kurds", "sunni"]
    keys = [k for k, _, _ in field_paths(RunConfig, entries={"scenario.factions": baseline_factions})]
    assert len(keys) > 150
    check_command_overrides([f"{k}=1" for k in keys], RunConfig, "config", CONFIG_DIR, "python -m sim")
    check_command_overrides(["scenario=max_pressure", "~scenario.factions.kurds", "+scenario.factions.new={seats:3}",
                             "hydra.run.dir=x", "-m", "seed=0,1"], RunConfig, "config", CONFIG_DIR, "python -m sim")
    sweep_keys = [k for k, _, _ in field_paths(SweepConfig)]
    check_command_overrides([f"{k}=1" for k in sweep_keys], SweepConfig, "sweep", CONFIG_DIR, "python -m sim.sweep")


def test_python_values_become_override_strings():
    assert override_strings({"sanctions__credibility": 0.9, "horizon_weeks": 52, "override": None},
                            {"sanctions": "scenario"}) == ["scenario.sanctions.credibility=0.9", "horizon_weeks=52",
                                                           "override=null"]
    assert format_value(True) == "true" and format_value(float("inf")) == "inf"
    assert format_value("it's") == "'it\\'s'" and format_value([52, 104]) == "[52,104]"
    assert format_value({"weeks": [1]}) == "{weeks:[1]}"


# ---------------------------------------------------------------- help
@pytest.fixture(scope="module")
def run_help():
    done = _sim("--help", cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def sweep_help():
    done = _sim("--help", cwd=REPO, module="sim.sweep")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_run_help_lists_scenarios_experiments_and_every_option(run_help):
    from sim.config import available_experiments, available_scenarios

    assert "powered by Hydra" not in run_help
    for name in available_scenarios() + available_experiments():
        assert f"\n  {name} " in run_help, name
    for key, f, _ in field_paths(RunConfig, entries={"scenario.factions": ["NAME"]}):
        line = next((ln for ln in run_help.splitlines() if ln.startswith(f"  {key} = ")), None)
        assert line is not None, key
        if "range" in f.metadata:
            lo, hi = f.metadata["range"]
            assert f"{lo:g}, " in line and (f"{hi:g}]" in line or "inf]" in line), line
        if f.metadata.get("source"):
            assert f"source: {f.metadata['source']}" in line, line
        if f.metadata.get("doc"):
            assert " ".join(f.metadata["doc"].split()[:3]) in run_help, key
    assert 'README.md, section "Running other scenarios and parameters"' in run_help


def test_sweep_help_lists_experiments_and_every_option(sweep_help):
    from sim.config import available_experiments
    from sim.config.experiment import ExperimentConfig

    for name in available_experiments():
        assert f"\n  {name} " in sweep_help, name
    for key, _f, _ in [*field_paths(SweepConfig), *field_paths(ExperimentConfig, "experiment.")]:
        if key.startswith("experiment.") and key.count(".") == 1 or not key.startswith("experiment"):
            assert f"\n  {key} = " in sweep_help, key
    for key, f, _ in field_paths(SweepConfig):
        if f.metadata.get("doc"):
            assert " ".join(f.metadata["doc"].split()[:3]) in sweep_help, key
    assert 'README.md, section "Sweeps"' in sweep_help


# ---------------------------------------------------------------- sim.teach run
def test_teach_run_names_its_folder_and_refuses_other_settings(tmp_path):
    first = _sim("run", "max_pressure", "--runs", "60", cwd=tmp_path, module="sim.teach")
    assert first.returncode == 0, first.stderr[-2000:]
    folder = tmp_path / "results" / "teach" / "max_pressure" / "seed_0__runs=60"
    assert (folder / "summary.json").is_file() and (folder / "config.yaml").is_file()
    second = _sim("run", "max_pressure", "--runs", "80", "--out", str(folder), cwd=tmp_path, module="sim.teach")
    assert second.returncode == 2 and "runs: 60 there, 80 here" in second.stderr
    assert json.loads((folder / "summary.json").read_text())["runs"] == 60
