"""The Python interface (sim.run, sim.ensemble, sim.sweep, sim.analyze): the names stay
functions whatever is imported later, the commands of the same names still run, `import sim`
stays cheap, and each function gives what its command gives, with overrides checked as on
the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

import sim
from sim import api
from sim.abm.model import NegotiationModel
from sim.config import ConfigError, run_config
from sim.model.outcomes import OUTCOMES

SUMMARY_FIELDS = ("outcome", "formal_request_week", "formal_request_day", "withdrawal_complete_week",
                  "withdrawal_complete_day", "final_troops", "final_iran_influence", "requests_made", "drawdowns_agreed",
                  "resolutions_passed", "factions_posture_changes", "pm_changes", "request_by_caretaker", "government_posture_changes",
                  "sanctions_imposed", "washington_posture_changes", "tehran_posture_changes",
                  "weeks_simulated", "days_simulated", "seed", "scenario", "run_index")


def _python(code: str, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


# ---------------------------------------------------------------- the names
def test_the_functions_are_the_package_attributes():
    assert (sim.run, sim.ensemble, sim.sweep, sim.analyze) == (api.run, api.ensemble, api.sweep, api.analyze)


def test_the_functions_survive_every_later_import():
    """In a fresh interpreter: import sim, then every module of the package (the command
    packages sim.sweep and sim.analyze and their submodules included, and `from sim.analyze
    import main` as the tests do); the four names are still the functions, and the command
    packages are still reachable as modules."""
    done = _python("""
        import importlib, pkgutil, sys, types
        import sim
        from sim import api
        import importlib.util
        optional = () if importlib.util.find_spec("ema_workbench") else ("sim.ema",)  # the `ema` extra
        names = [m.name for m in pkgutil.walk_packages(sim.__path__, "sim.")
                 if not m.name.endswith("__main__") and not m.name.startswith("sim.webapp") and m.name not in optional]
        for name in names:
            importlib.import_module(name)
        import sim.sweep.runner, sim.analyze.cli, sim.single_run
        from sim.analyze import main as analyze_main
        from sim import sweep, analyze
        assert (sim.run, sim.ensemble, sim.sweep, sim.analyze) == (api.run, api.ensemble, api.sweep, api.analyze)
        assert (sweep, analyze) == (api.sweep, api.analyze)
        assert isinstance(sys.modules["sim.sweep"], types.ModuleType) and callable(analyze_main)
        assert importlib.import_module("sim.sweep.runner").run_sweep
        print(len(names))
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.split()[-1]) > 50


def test_hydra_targets_in_the_configs_resolve():
    """Hydra resolves `_target_` by attribute lookup from `sim`; a target through sim.sweep or
    sim.analyze (functions) would fail, so every target of configs/ must resolve."""
    from hydra.utils import get_class

    targets = [line.split(":", 1)[1].strip() for p in (REPO / "configs").rglob("*.yaml")
               for line in p.read_text().splitlines() if line.strip().startswith("_target_:")]
    assert targets
    for target in targets:
        assert isinstance(get_class(target), type), target


@pytest.mark.parametrize("args", [["-m", "sim", "--help"], ["-m", "sim.sweep", "--help"],
                                  ["-m", "sim.analyze", "--help"]])
def test_the_commands_run_without_runpy_warnings(args):
    """`python -m sim`, `python -m sim.sweep` and `python -m sim.analyze` run, with runpy's
    'found in sys.modules' warning turned into an error (it would fire if a command's module
    were imported by `import sim`)."""
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "found in sys.modules" not in done.stderr and done.stdout.strip()


def test_import_sim_is_cheap():
    """`import sim` loads neither the model's heavy libraries nor the config machinery."""
    done = _python("""
        import sys, time
        t0 = time.perf_counter()
        import sim
        elapsed = time.perf_counter() - t0
        heavy = [m for m in ("matplotlib", "pyarrow", "hydra", "pandas", "mesa", "omegaconf", "scipy", "numpy")
                 if m in sys.modules]
        print(heavy, elapsed)
    """)
    assert done.returncode == 0, done.stderr
    heavy, elapsed = done.stdout.rsplit("]", 1)
    assert heavy + "]" == "[]", heavy
    assert float(elapsed) < 1.0


# ---------------------------------------------------------------- sim.run
@pytest.fixture(scope="module")
def baseline_run():
    return sim.run("baseline", seed=0)


def test_run_is_the_mesa_run_of_the_command(baseline_run):
    r = baseline_run
    expected = NegotiationModel.from_scenario("baseline", seed=0).run()
    assert r.summary == expected and tuple(r.summary) == SUMMARY_FIELDS
    assert (r.scenario, r.seed, r.overrides) == ("baseline", 0, ())
    assert r.config == run_config("baseline", 0)


def test_run_trajectory_events_and_figure(baseline_run):
    from matplotlib.figure import Figure

    r = baseline_run
    traj = r.trajectory
    step_days = r.config.step_days
    assert isinstance(traj, pd.DataFrame) and len(traj) == r.summary["days_simulated"] // step_days + 1
    assert list(traj["step"]) == list(range(len(traj))) and list(traj["day"]) == [step_days * k for k in traj["step"]]
    assert traj["troops"].iloc[0] == 5000
    events = r.events
    assert events and all(set(e) == {"week", "day", "date", "kind", "text"} for e in events)
    assert r.story.startswith("# Run of scenario `baseline` (seed 0, run 0)") and "## How it ends" in r.story
    assert events[0]["kind"] == "context" and "[F" in events[0]["text"]
    fig = r.figure()
    assert isinstance(fig, Figure) and len(fig.axes) >= 3


def test_run_save_writes_the_files_and_refuses_another_run(baseline_run, tmp_path):
    folder = baseline_run.save(tmp_path / "run")
    summary = json.loads((folder / "summary.json").read_text())
    assert summary == baseline_run.summary
    assert {p.name for p in folder.iterdir()} >= {"events.md", "trajectory.parquet", "trajectory.png", "config.yaml"}
    assert baseline_run.save(tmp_path / "run") == folder  # the same run again: same folder
    other = sim.run("baseline", seed=1, horizon_weeks=10)
    with pytest.raises(ConfigError, match="another config"):
        other.save(folder)


def test_seed_none_draws_a_seed():
    r = sim.run("baseline", seed=None, horizon_weeks=5)
    assert isinstance(r.seed, int) and r.seed >= 0 and r.summary["seed"] == r.seed


@pytest.mark.parametrize("given", [
    {"sanctions__credibility": 0.9},
    {"scenario__sanctions__credibility": 0.9},
    {"overrides": {"scenario.sanctions.credibility": 0.9}},
    {"overrides": {"sanctions.credibility": 0.9}},
])
def test_overrides_by_keyword_or_dict_are_the_command_line_s(given):
    r = sim.run("max_pressure", seed=3, horizon_weeks=20, **given)
    assert sorted(r.overrides) == ["horizon_weeks=20", "scenario.sanctions.credibility=0.9"]
    assert r.config == run_config("max_pressure", 3, ["scenario.sanctions.credibility=0.9", "horizon_weeks=20"])
    assert r.config.scenario.sanctions.credibility == 0.9


@pytest.mark.parametrize("given, key, words", [
    ({"sanctions__credibilty": 0.9}, "scenario.sanctions.credibilty", "did you mean scenario.sanctions.credibility"),
    ({"sanctions__credibility": 1.5}, "scenario.sanctions.credibility", "must lie in [0, 1]"),
    ({"sanctions__credibility": "high"}, "scenario.sanctions.credibility", "could not be converted"),
    ({"horizon_weeks": 0}, "horizon_weeks", "must lie in [1, 1040]"),
    ({"overrides": {"seed": 3}}, "seed", "`scenario` and `seed` arguments"),
    ({"overrides": {"factions.kurdz.seats": 3}}, "scenario.factions.kurdz.seats", "scenario.factions.kurds.seats"),
])
def test_bad_overrides_are_refused_naming_the_key(given, key, words):
    with pytest.raises(ConfigError) as err:
        sim.run("baseline", **given)
    message = str(err.value)
    assert message.startswith(key) and words in message and "\n" not in message


def test_bad_seed_and_scenario_are_refused():
    with pytest.raises(ConfigError, match="seed"):
        sim.run("baseline", seed=-1)
    with pytest.raises(ConfigError, match="nowhere"):
        sim.run("nowhere")


# ---------------------------------------------------------------- sim.ensemble
def test_ensemble_rows_are_the_runs_of_the_scenario():
    """Row i is the Mesa run with run index i (same random numbers, same summary)."""
    df = sim.ensemble("anti_american_pm", runs=40, seed=2)
    assert list(df["run_id"]) == list(range(40)) and list(df["run_index"]) == list(range(40))
    assert set(df["seed"]) == {2} and set(df["scenario"]) == {"anti_american_pm"}
    for i in (0, 7, 39):
        expected = NegotiationModel.from_scenario("anti_american_pm", seed=2, run_index=i, record=False).run()
        row = df.iloc[i]
        for k in SUMMARY_FIELDS:
            got = row[k]
            got = None if isinstance(got, float) and np.isnan(got) else got
            assert got == expected[k], (i, k, got, expected[k])


def test_ensemble_has_the_sweep_table_s_columns(tmp_path):
    df = sim.ensemble("baseline", runs=20, seed=0)
    s = sim.sweep("baseline", runs=20, out=str(tmp_path / "s"), workers=1)
    assert list(df.columns) == list(s.table.columns)
    pd.testing.assert_frame_equal(df, s.table)  # the baseline experiment: the same runs under the same seed


def test_ensemble_refuses_bad_runs_and_overrides():
    for runs in (0, -3, 2.5, True):
        with pytest.raises(ConfigError, match="runs"):
            sim.ensemble("baseline", runs=runs)
    with pytest.raises(ConfigError, match="did you mean"):
        sim.ensemble("baseline", runs=10, government__formation_rat=0.1)


def test_ensemble_overrides_change_the_runs():
    base = sim.ensemble("baseline", runs=300, seed=0)
    sure = sim.ensemble("baseline", runs=300, seed=0, government__p_anti_american_pm=1.0,
                        government__formation_rate=1.0)
    assert set(base["outcome"]) <= set(OUTCOMES) and set(sure["outcome"]) <= set(OUTCOMES)
    assert sure["formal_request_week"].notna().mean() > base["formal_request_week"].notna().mean()


def test_ensemble_refuses_a_seed_that_is_not_an_integer():
    """A seed is checked before it is used: 2.5 is not cut to 2, nor True taken for 1."""
    for seed in (2.5, True, -1, "3"):
        with pytest.raises(ConfigError) as err:
            sim.ensemble("baseline", runs=2, seed=seed)
        assert str(err.value).startswith("seed = ")


# ---------------------------------------------------------------- NumPy numbers
# what EMA Workbench, SALib or any NumPy sampler passes: np.float64 is a float whose repr,
# np.float64(0.3), Hydra cannot read; np.int64 and np.bool_ are not Python ints and bools
NUMPY_AND_PYTHON = [
    (np.float64(0.3), 0.3), (np.float32(0.5), 0.5), (np.array(0.3), 0.3), (np.int64(3), 3), (np.int32(-2), -2),
    (np.bool_(True), True), (np.array(7), 7), (np.array([0.5, 1.0]), [0.5, 1.0]), (np.uint8(4), 4),
]


@pytest.mark.parametrize("given, plain", NUMPY_AND_PYTHON, ids=lambda v: repr(v))
def test_python_value_is_the_python_number_a_numpy_value_holds(given, plain):
    from sim.config.overrides import format_value
    from sim.config.validate import python_value

    got = python_value(given)
    assert got == plain and type(got) is type(plain)
    assert format_value(given) == format_value(plain)
    assert python_value(0.3) == 0.3 and python_value("a") == "a" and python_value(None) is None


def test_run_takes_numpy_numbers_as_the_python_numbers_they_hold():
    r = sim.run("max_pressure", seed=np.int64(3), horizon_weeks=np.int64(20),
                overrides={"scenario.sanctions.credibility": np.float64(0.9)}, factions__kurds__seats=np.array(50))
    plain = sim.run("max_pressure", seed=3, horizon_weeks=20, overrides={"scenario.sanctions.credibility": 0.9},
                    factions__kurds__seats=50)
    assert r.overrides == plain.overrides and r.config == plain.config and r.summary == plain.summary
    assert type(r.seed) is int and r.seed == 3


def test_ensemble_takes_numpy_numbers_as_the_python_numbers_they_hold():
    given = dict(runs=np.int64(30), seed=np.uint32(2), sanctions__credibility=np.float64(0.3),
                 overrides={"government.formation_rate": np.array(0.02), "factions.kurds.active": np.bool_(True)})
    plain = dict(runs=30, seed=2, sanctions__credibility=0.3,
                 overrides={"government.formation_rate": 0.02, "factions.kurds.active": True})
    pd.testing.assert_frame_equal(sim.ensemble("baseline", **given), sim.ensemble("baseline", **plain))


@pytest.mark.parametrize("key, numpy_value, plain_value", [
    ("runs", np.int64(0), 0), ("runs", np.float64(2.5), 2.5), ("runs", np.bool_(True), True),
    ("seed", np.int64(-1), -1), ("seed", np.float64(2.0), 2.0),
    ("sanctions__credibility", np.float64(1.5), 1.5), ("horizon_weeks", np.int64(0), 0),
    ("factions__kurds__seats", np.float64(50.5), 50.5),
])
def test_bad_numpy_numbers_are_refused_as_the_python_numbers_are(key, numpy_value, plain_value):
    """The same one-line ConfigError, naming the key and the value as Python writes it."""
    messages = []
    for value in (numpy_value, plain_value):
        with pytest.raises(ConfigError) as err:
            sim.ensemble("baseline", **{"runs": 2, key: value})
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "\n" not in messages[0] and "np." not in messages[0]
    assert key.replace("__", ".") in messages[0]


def test_sweep_and_analyze_take_numpy_numbers(tmp_path):
    s = sim.sweep("baseline", runs=np.int64(20), out=str(tmp_path / "s"), workers=np.int64(1),
                  seed=np.int64(4))
    assert len(s.table) == 20 and s.metadata["root_seed"] == 4
    a = sim.analyze(s, fan=False, prim_rows=np.int64(100), threshold=np.float64(0.5), seed=np.int64(1),
                    fan_runs=np.int64(0))
    assert a.report.is_file()


# ---------------------------------------------------------------- sim.sweep and sim.analyze
@pytest.mark.slow
def test_sweep_is_the_command_s_sweep(tmp_path):
    """sim.sweep and python -m sim.sweep with the same settings write the same table."""
    s = sim.sweep("conditions", runs=60, out=str(tmp_path / "api"), workers=1, seed=7)
    done = subprocess.run([sys.executable, "-m", "sim.sweep", "experiment=conditions", "runs=60", "workers=1",
                           "experiment.seed=7", f"out={tmp_path / 'cli'}"], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert isinstance(s, sim.Sweep) and s.metadata["root_seed"] == 7 and len(s.table) == 60
    cli = sim.Sweep.open(tmp_path / "cli")
    pd.testing.assert_frame_equal(s.table, cli.table)
    assert s.metadata["fingerprint"] == cli.metadata["fingerprint"]
    assert s.series is None


@pytest.mark.parametrize("options, key", [
    ({"wokers": 1}, "wokers"), ({"format": "xlsx"}, "format"), ({"record": {"weeks": [9999]}}, "record.weeks"),
    ({"record": {"weeks": [52], "series": ["nonsense"]}}, "record.series"), ({"replicatons": 2}, "replicatons"),
])
def test_sweep_refuses_bad_options_before_running(tmp_path, options, key):
    out = tmp_path / "s"
    with pytest.raises(ConfigError) as err:
        sim.sweep("baseline", runs=10, out=str(out), **options)
    assert str(err.value).startswith(key)
    assert not out.exists()


def test_sweep_open_refuses_a_folder_without_a_sweep(tmp_path):
    with pytest.raises(ConfigError, match="finished sweep"):
        sim.Sweep.open(tmp_path)


def test_analyze_writes_the_report_and_returns_its_numbers(tmp_path):
    s = sim.sweep("conditions", runs=120, out=str(tmp_path / "s"), workers=1)
    a = sim.analyze(s, fan=False, prim_rows=100)
    assert a.report == tmp_path / "s" / "report" / "report.md" and a.report.is_file()
    assert (a.report.parent / "analysis.json").is_file()
    assert a.answer and a.answer[0] in a.report.read_text()
    shares = a.results.shares
    total = shares.groupby("group")["share"].sum()
    assert np.allclose(total, 1.0)
    with pytest.raises(Exception, match="threshold"):
        sim.analyze(s, fan=False, threshold=0)
