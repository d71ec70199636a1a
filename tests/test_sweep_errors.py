"""Errors of the sweep app (python -m sim.sweep): a declaration or setting the sweep cannot
run exits with code 2 and `sweep error: KEY = VALUE is not allowed: ...` on stderr and
writes no runs.parquet / metadata.json; an unknown experiment is Hydra's error; a multirun
that launches no job is an error (sim/hydra_callbacks.py); a multirun over experiments runs
each experiment into its own folder.

The command-line cases are started together (they are independent) in a module fixture;
`make_plan` and `run_sweep` are also checked in-process for the ConfigError's key and value.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config.validate import ConfigError
from sim.sweep.plan import make_plan
from sim.sweep.runner import run_sweep
from sim.sweep.schema import ExperimentConfig, UncertaintyConfig

REPO = Path(__file__).resolve().parents[1]

#: name -> (command-line arguments, substrings stderr must contain)
CONFIG_ERRORS = {
    "runs_zero": (["experiment=baseline", "runs=0"], ["sweep error: runs = 0 is not allowed"]),
    "inverted_range": (
        ["experiment=conditions", "runs=60", "experiment.uncertainties.0.low=0.9", "experiment.uncertainties.0.high=0.1"],
        ["sweep error: experiment.uncertainties[0] (sanctions.magnitude) = [0.9, 0.1] is not allowed", "low <= high"],
    ),
    "unknown_parameter": (
        ["experiment=conditions", "runs=60", "experiment.uncertainties.0.param=sanctions.nope"],
        ["sweep error: parameter 'sanctions.nope' = 'nope' is not allowed"],
    ),
    "outside_parameter_range": (
        ["experiment=conditions", "runs=60", "experiment.uncertainties.0.high=1.5"],
        ["sweep error: experiment.uncertainties[0] (sanctions.magnitude) = 1.5 is not allowed", "[0, 1]"],
    ),
    "sobol_points_not_power_of_two": (
        ["experiment=conditions", "experiment.sampler=sobol", "experiment.points=3"],
        ["sweep error: experiment.points = 3 is not allowed", "power of 2"],
    ),
    "sobol_runs_not_power_of_two": (  # 90 runs = 3 points x 3 levers x 10 replications
        ["experiment=conditions", "experiment.sampler=sobol", "runs=90"],
        ["sweep error: ", "power of 2"],  # which key it names: test_sobol_runs_that_give_no_power_of_two_name_runs
    ),
    "grid_without_levels": (
        ["experiment=conditions", "runs=60", "experiment.sampler=grid", "experiment.uncertainties.0.levels=[]"],
        ["sweep error: experiment.uncertainties[0] (sanctions.magnitude).levels = [] is not allowed"],
    ),
    "runs_not_divisible": (
        ["experiment=conditions", "runs=61"],
        ["sweep error: runs = 61 is not allowed", "multiple of 30"],
    ),
    "lever_out_of_range": (
        ["experiment=conditions", "runs=60", "experiment.levers.quiet_diplomacy={washington.threat_cost: 7}"],
        ["sweep error: experiment.levers.quiet_diplomacy", "threat_cost = 7 is not allowed"],
    ),
    "unknown_sampler": (
        ["experiment=conditions", "runs=60", "experiment.sampler=nope"],
        ["sweep error: experiment.sampler = 'nope' is not allowed"],
    ),
    "unknown_engine": (["experiment=baseline", "runs=10", "engine=nope"], ["sweep error: engine = 'nope' is not allowed"]),
    "unknown_executor": (
        ["experiment=baseline", "runs=10", "executor=nope"], ["sweep error: executor = 'nope' is not allowed"],
    ),
    "chunk_size_zero": (["experiment=baseline", "runs=10", "chunk_size=0"], ["sweep error: chunk_size = 0 is not allowed"]),
    "workers_zero": (["experiment=baseline", "runs=10", "workers=0"], ["sweep error: workers = 0 is not allowed"]),
}


def _env() -> dict:
    return dict(os.environ, CI="1")


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim.sweep", *args], cwd=REPO, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


#: the cases run in the default suite; the others (also checked in-process below) are slow
FAST_CASES = ("runs_zero", "inverted_range", "unknown_parameter", "sobol_points_not_power_of_two",
              "grid_without_levels", "runs_not_divisible", "unknown_engine")


def _run_all(args: dict[str, list[str]], outs: dict[str, Path]) -> dict:
    """Run the commands a few at a time; name -> (CompletedProcess, out folder)."""
    results, running, queue = {}, {}, list(args)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
    limit = max(2, min(6, 2 * cores))
    while queue or running:
        while queue and len(running) < limit:
            name = queue.pop(0)
            running[name] = _start(args[name])
        name = next(iter(running))
        proc = running.pop(name)
        stdout, stderr = proc.communicate(timeout=300)
        results[name] = (subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), outs[name])
    return results


def _config_error_args(names, base: Path) -> tuple[dict, dict]:
    outs = {name: base / name for name in names}
    return {name: CONFIG_ERRORS[name][0] + [f"out={outs[name]}"] for name in names}, outs


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory):
    """The default command-line cases, started together."""
    base = tmp_path_factory.mktemp("errors")
    outs = {"unknown_experiment": base / "unknown_experiment", "empty_multirun": base / "empty_multirun",
            "multirun_experiments": base / "multirun"}
    args = {
        "unknown_experiment": ["experiment=nope", f"out={outs['unknown_experiment']}"],
        "empty_multirun": ["-m", "experiment=glob(zzz*)", f"hydra.sweep.dir={base / 'empty_multirun_hydra'}",
                           f"out={outs['empty_multirun']}"],
        "multirun_experiments": ["-m", "experiment=baseline,conditions", "runs=30", "workers=1",
                                 f"hydra.sweep.dir={base / 'multirun_hydra'}",
                                 f"out={outs['multirun_experiments']}/${{experiment.name}}"],
    }
    more_args, more_outs = _config_error_args(FAST_CASES, base)
    return _run_all({**args, **more_args}, {**outs, **more_outs})


@pytest.fixture(scope="module")
def cli_results_slow(tmp_path_factory):
    base = tmp_path_factory.mktemp("errors_slow")
    return _run_all(*_config_error_args([name for name in CONFIG_ERRORS if name not in FAST_CASES], base))


def _nothing_written(out: Path) -> None:
    for name in ("runs.parquet", "metadata.json", "plan.json"):
        assert not (out / name).exists(), f"{out / name} was written"
    assert not list(out.glob("chunks/*.parquet"))


def _check_config_error(case: str, proc, out: Path) -> None:
    _, messages = CONFIG_ERRORS[case]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    for text in messages:
        assert text in proc.stderr, f"{text!r} not in stderr:\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    _nothing_written(out)


@pytest.mark.parametrize("case", FAST_CASES)
def test_config_error_exits_2_and_writes_nothing(case, cli_results):
    _check_config_error(case, *cli_results[case])


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(set(CONFIG_ERRORS) - set(FAST_CASES)))
def test_more_config_errors_exit_2_and_write_nothing(case, cli_results_slow):
    _check_config_error(case, *cli_results_slow[case])


def test_unknown_experiment_is_a_hydra_error(cli_results):
    proc, out = cli_results["unknown_experiment"]
    assert proc.returncode != 0
    assert "experiment/nope" in proc.stderr, proc.stderr[-2000:]
    assert not out.exists() or not any(out.iterdir()), "something was written for an unknown experiment"


def test_multirun_launching_no_job_is_an_error(cli_results):
    proc, out = cli_results["empty_multirun"]
    assert proc.returncode != 0, proc.stderr[-2000:]
    assert "launched no job" in proc.stderr, proc.stderr[-2000:]
    assert not out.exists()


def test_multirun_over_experiments_writes_one_table_each(cli_results):
    proc, out = cli_results["multirun_experiments"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    baseline = pd.read_parquet(out / "baseline" / "runs.parquet")
    conditions = pd.read_parquet(out / "conditions" / "runs.parquet")
    assert len(baseline) == 30 and sorted(baseline["run_id"]) == list(range(30))
    assert len(conditions) == 30 and sorted(conditions["run_id"]) == list(range(30))
    assert set(baseline["lever"]) == {"none"} and baseline["replication"].nunique() == 30
    assert set(conditions["lever"]) == {"status_quo", "quiet_diplomacy", "maximum_pressure"}
    assert "sanctions.magnitude" in conditions.columns and "sanctions.magnitude" not in baseline.columns
    assert (out / "baseline" / "metadata.json").exists() and (out / "conditions" / "metadata.json").exists()


# ---------------------------------------------------------------- in-process: ConfigError key and value
def _exp(**changes) -> ExperimentConfig:
    base = ExperimentConfig(
        name="t", scenario="baseline", seed=3, sampler="lhs", points=4, replications=2,
        uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0.1, high=0.9),
                       UncertaintyConfig(param="factions.kurds.seats", low=40, high=70)],
        levers={"a": {}, "b": {"washington.threat_cost": 0.5}},
    )
    return dataclasses.replace(base, **changes)


def _expect(exp: ExperimentConfig, key_part: str, value, runs=None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        make_plan(exp, runs)
    err = info.value
    assert key_part in err.key, err
    assert err.value == value, err
    assert str(err).startswith(f"{err.key} = {err.value!r} is not allowed: ")
    return err


def test_make_plan_inverted_range():
    exp = _exp(uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0.9, high=0.1)])
    err = _expect(exp, "experiment.uncertainties[0]", [0.9, 0.1])
    assert "sanctions.credibility" in err.key


def test_make_plan_unknown_parameters():
    _expect(_exp(uncertainties=[UncertaintyConfig(param="sanctions.nope", low=0, high=1)]), "sanctions.nope", "nope")
    _expect(_exp(uncertainties=[UncertaintyConfig(param="factions.nobody.seats", low=0, high=1)]),
            "factions.nobody.seats", "nobody")
    _expect(_exp(uncertainties=[UncertaintyConfig(param="nope.credibility", low=0, high=1)]), "nope.credibility", "nope")
    # a field without a numeric range (a switch) cannot be an uncertainty
    _expect(_exp(uncertainties=[UncertaintyConfig(param="sanctions.override", low=0, high=1)]),
            "sanctions.override", "override")
    # a lever must name an existing field
    _expect(_exp(levers={"x": {"washington.nope": 1.0}}), "washington.nope", "nope")


def test_uncertainty_on_an_inactive_faction_is_refused():
    """A coefficient of a faction that takes no part (here switched off under one lever)
    would be swept without any effect: refused, naming the faction and the lever."""
    exp = _exp(levers={"a": {}, "no_kurds": {"factions.kurds.active": False}})
    err = _expect(exp, "factions.kurds.seats", "factions.kurds.seats")
    assert "'kurds' is inactive under lever 'no_kurds'" in err.allowed


def test_make_plan_counts_and_samplers():
    _expect(_exp(), "runs", 0, runs=0)
    _expect(_exp(), "runs", 7, runs=7)            # not a multiple of replications x levers = 4
    _expect(_exp(replications=0), "experiment.replications", 0)
    _expect(_exp(points=0), "experiment.points", 0)
    _expect(_exp(grid_levels=0), "experiment.grid_levels", 0)
    _expect(_exp(seed=-1), "experiment.seed", -1)
    _expect(_exp(sampler="nope"), "experiment.sampler", "nope")
    _expect(_exp(sampler="sobol", points=3), "experiment.points", 3)
    grid = _exp(sampler="grid", uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0, high=1, levels=[])])
    _expect(grid, "levels", [])
    grid = _exp(sampler="grid", uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0, high=1,
                                                                 levels=[0.2, 0.4])])
    _expect(grid, "runs", 6, runs=6)              # not a multiple of points x levers = 4
    _expect(_exp(uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0, high=1, levels=[0.5, 1.5])],
                 sampler="grid"), "experiment.uncertainties[0]", 1.5)
    _expect(_exp(uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0.2, high=1.5)]),
            "experiment.uncertainties[0]", 1.5)


def test_make_plan_lever_value_out_of_range():
    err = _expect(_exp(levers={"loud": {"washington.threat_cost": 7.0}}), "experiment.levers.loud", 7.0)
    assert "threat_cost" in err.key


def test_sobol_runs_that_give_no_power_of_two_name_runs():
    """With runs=N the user sets the total, and the sampler's points follow from it
    (12 / (2 replications x 2 levers) = 3 points): the error must name `runs = 12`, the
    value the user gave, not the derived experiment.points (runs=0 and runs not a
    multiple of replications x levers name `runs` too)."""
    err = _expect(_exp(sampler="sobol"), "runs", 12, runs=12)
    assert "power of 2" in err.allowed


def test_run_sweep_rejects_bad_settings_before_writing(tmp_path):
    plan = make_plan(_exp())
    for kwargs, key in (({"engine": "nope"}, "engine"), ({"executor": "nope"}, "executor"),
                        ({"chunk_size": 0}, "chunk_size"), ({"workers": 0}, "workers")):
        out = tmp_path / key
        with pytest.raises(ConfigError) as info:
            run_sweep(plan, out, **kwargs)
        assert info.value.key == key
        assert not out.exists()
