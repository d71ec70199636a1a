"""What a sweep writes (metadata.json, runs.parquet) and how plans are sampled
(sim/sweep/plan.py): grid = full factorial of the levels, lhs = points within the ranges
and stratified, sobol = a power of 2, and `runs=N` setting replications (grid, or no
uncertainties) or points (lhs, sobol).

Sample sizes: one command-line sweep of the conditions experiment with runs=60 (2 points
x 3 levers x 10 replications, 2 workers, chunk_size=25); in-process plans of 18 grid
points, 50 and 64 LHS points, 8 and 16 Sobol points, and a few runs of each.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from sim.config.validate import ConfigError
from sim.model import outcomes
from sim.sweep.plan import make_plan
from sim.sweep.runner import run_sweep
from sim.sweep.schema import ExperimentConfig, UncertaintyConfig

REPO = Path(__file__).resolve().parents[1]

ID_COLUMNS = ("run_id", "point_id", "lever", "replication", "run_seed")
SUMMARY_FIELDS = ("outcome", "formal_request_week", "withdrawal_complete_week", "final_troops", "final_iran_influence",
                  "sanctions_imposed", "resolutions_passed", "pm_changes", "seed", "scenario", "run_index",
                  "weeks_simulated")
METADATA_FIELDS = ("resolved_config", "root_seed", "git_commit", "packages", "run_count", "wall_time_s",
                   "runs_per_second", "engine", "executor", "workers")


def load_experiment(name: str) -> ExperimentConfig:
    merged = OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                             OmegaConf.load(REPO / "configs" / "experiment" / f"{name}.yaml"))
    return OmegaConf.to_object(merged)


@pytest.fixture(scope="module")
def conditions_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("meta") / "conditions"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.sweep", "experiment=conditions", "runs=60", "engine=batch", "executor=local",
         "workers=2", "chunk_size=25", f"out={out}"],
        cwd=REPO, env=dict(os.environ, CI="1"), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "metadata.json").read_text())
    table = pd.read_parquet(out / "runs.parquet")
    return out, meta, table


def test_metadata_has_every_field(conditions_sweep):
    out, meta, table = conditions_sweep
    missing = [k for k in METADATA_FIELDS if k not in meta]
    assert not missing, f"metadata.json lacks {missing}"
    assert meta["run_count"] == len(table) == 60
    assert meta["engine"] == "batch" and meta["executor"] == "local" and meta["workers"] == 2
    assert meta["root_seed"] == 2020          # configs/experiment/conditions.yaml
    assert isinstance(meta["wall_time_s"], (int, float)) and meta["wall_time_s"] > 0
    assert isinstance(meta["runs_per_second"], (int, float)) and meta["runs_per_second"] > 0
    # provenance
    packages = meta["packages"]
    for name in ("numpy", "mesa", "hydra-core"):
        assert packages.get(name) == importlib_metadata.version(name), (name, packages.get(name))
    commit = meta["git_commit"]
    assert commit is None or isinstance(commit, str)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    if head.returncode == 0:
        assert isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{40}(-dirty)?", commit), commit
        assert commit.split("-")[0] == head.stdout.strip()
    # the resolved config is the whole composed config of the command
    resolved = meta["resolved_config"]
    assert resolved["runs"] == 60 and resolved["engine"] == "batch" and resolved["workers"] == 2
    assert resolved["chunk_size"] == 25 and resolved["out"] == str(out)
    assert resolved["experiment"]["name"] == "conditions" and resolved["experiment"]["seed"] == 2020
    assert len(resolved["experiment"]["uncertainties"]) == 12
    # what the runs are
    plan = make_plan(load_experiment("conditions"), 60)
    assert meta["fingerprint"] == plan.fingerprint()
    assert meta["points"] == 2 and meta["replications"] == 10
    assert meta["levers"] == ["status_quo", "quiet_diplomacy", "maximum_pressure"]
    assert meta["parameters"] == list(plan.params)
    assert meta["chunk_size"] == 25
    # the chunks are gone once the table is assembled
    assert not (out / "chunks").exists() or not any((out / "chunks").iterdir())


def test_metadata_records_engine_and_workers_as_requested(tmp_path):
    """3 runs of the baseline with the Mesa engine on 1 worker."""
    plan = make_plan(load_experiment("baseline"), 3)
    meta = run_sweep(plan, tmp_path, engine="mesa", executor="local", workers=1)
    on_disk = json.loads((tmp_path / "metadata.json").read_text())
    assert on_disk["engine"] == meta["engine"] == "mesa"
    assert on_disk["executor"] == "local" and on_disk["workers"] == 1
    assert on_disk["run_count"] == 3 == pq.read_metadata(tmp_path / "runs.parquet").num_rows


def test_table_has_every_parameter_and_summary_column(conditions_sweep):
    _, meta, table = conditions_sweep
    exp = load_experiment("conditions")
    params = [u.param for u in exp.uncertainties]
    expected = list(ID_COLUMNS) + params + list(SUMMARY_FIELDS)
    missing = [c for c in expected if c not in table.columns]
    assert not missing, f"runs.parquet lacks {missing}"
    assert sorted(table["run_id"]) == list(range(60))
    # sampled values lie in their declared ranges; seats are integers
    for u in exp.uncertainties:
        col = table[u.param]
        assert col.between(u.low, u.high).all(), u.param
    assert pd.api.types.is_integer_dtype(table["factions.kurds.seats"])
    assert pd.api.types.is_float_dtype(table["sanctions.magnitude"])
    # summary values
    assert set(table["outcome"]) <= set(outcomes.OUTCOMES)
    assert (table["seed"] == 2020).all() and (table["scenario"] == "baseline").all()
    # the run index of the draws is the run's world: point * replications + replication
    assert (table["run_index"] == table["point_id"] * meta["replications"] + table["replication"]).all()
    assert table["run_seed"].dtype == np.uint64
    assert table["sanctions_imposed"].dtype == bool
    assert table["final_troops"].between(0, 5000).all()
    assert table["final_iran_influence"].between(0, 1).all()
    assert (table["resolutions_passed"] >= 0).all() and (table["pm_changes"] >= 0).all()
    horizon = exp.horizon_weeks
    assert (table["weeks_simulated"] >= horizon).all()
    # a formal request week exactly for the outcomes that follow a formal request (sim/model/outcomes.py)
    after_request = table["outcome"].isin(["request_withdrawn", "withdrawal_completed", "occupation"])
    assert (table["formal_request_week"].notna() == after_request).all()
    assert (table.loc[after_request, "formal_request_week"] <= horizon).all()
    completed = table["outcome"] == "withdrawal_completed"
    assert table.loc[completed, "withdrawal_complete_week"].notna().all()


# ---------------------------------------------------------------- samplers
def _exp(**kw) -> ExperimentConfig:
    return ExperimentConfig(**{"name": "s", "scenario": "baseline", "seed": 5, **kw})


def test_grid_is_the_full_factorial_of_the_levels(tmp_path):
    """18 points (3 x 3 x 2 levels) x 2 levers x 2 replications = 72 runs."""
    unc = [
        UncertaintyConfig(param="sanctions.credibility", low=0.1, high=0.9, levels=[0.1, 0.5, 0.9]),
        UncertaintyConfig(param="factions.kurds.seats", low=40, high=70, levels=[40, 55, 70]),
        UncertaintyConfig(param="sanctions.magnitude", low=0.2, high=0.8),  # grid_levels = 2 -> [0.2, 0.8]
    ]
    exp = _exp(sampler="grid", grid_levels=2, replications=2, uncertainties=unc,
               levers={"a": {}, "b": {"washington.threat_cost": 0.5}})
    plan = make_plan(exp)
    expected = set(itertools.product([0.1, 0.5, 0.9], [40, 55, 70], [0.2, 0.8]))
    assert plan.points == 18 and plan.total_runs == 72
    got = {tuple(float(v) for v in row) for row in plan.samples}
    assert got == {tuple(float(v) for v in row) for row in expected}
    run_sweep(plan, tmp_path, workers=1)
    table = pd.read_parquet(tmp_path / "runs.parquet")
    cols = ["sanctions.credibility", "factions.kurds.seats", "sanctions.magnitude"]
    for (lever, rep), group in table.groupby(["lever", "replication"]):
        rows = {tuple(float(v) for v in r) for r in group[cols].itertuples(index=False)}
        assert len(group) == 18 and rows == got, (lever, rep)


def _assert_stratified(samples: np.ndarray, lows, highs) -> None:
    n, d = samples.shape
    assert np.all(samples >= np.asarray(lows)) and np.all(samples <= np.asarray(highs))
    for j in range(d):
        bins = np.floor((samples[:, j] - lows[j]) / (highs[j] - lows[j]) * n).astype(int)
        bins = np.minimum(bins, n - 1)
        assert sorted(bins.tolist()) == list(range(n)), f"dimension {j}: bins {sorted(bins.tolist())}"


LHS_UNCERTAINTIES = [
    UncertaintyConfig(param="sanctions.credibility", low=0.0, high=1.0),
    UncertaintyConfig(param="world.isis_mean", low=0.1, high=0.7),
    UncertaintyConfig(param="tehran.press_cost", low=0.0, high=0.3),
    UncertaintyConfig(param="behaviour.rationality", low=1.0, high=30.0),
]


def test_lhs_points_lie_in_their_ranges_and_are_stratified():
    lows = [u.low for u in LHS_UNCERTAINTIES]
    highs = [u.high for u in LHS_UNCERTAINTIES]
    plan = make_plan(_exp(sampler="lhs", points=50, uncertainties=LHS_UNCERTAINTIES))
    assert plan.samples.shape == (50, 4)
    _assert_stratified(plan.samples, lows, highs)
    # with runs=N the points are N / (replications x levers), still one per bin
    plan = make_plan(_exp(sampler="lhs", points=1, replications=2, uncertainties=LHS_UNCERTAINTIES,
                          levers={"a": {}, "b": {}}), runs=256)
    assert plan.samples.shape == (64, 4) and plan.replications == 2 and plan.total_runs == 256
    _assert_stratified(plan.samples, lows, highs)
    # a range with low == high is a constant
    fixed = LHS_UNCERTAINTIES + [UncertaintyConfig(param="sanctions.magnitude", low=0.4, high=0.4)]
    plan = make_plan(_exp(sampler="lhs", points=20, uncertainties=fixed))
    assert np.all(plan.samples[:, 4] == 0.4)
    _assert_stratified(plan.samples[:, :4], lows, highs)
    # the conditions experiment as declared (2,000 points)
    exp = load_experiment("conditions")
    plan = make_plan(exp)
    assert plan.points == 2000 and plan.total_runs == 2000 * 3 * 10
    floats = [j for j, is_int in enumerate(plan.integer_params) if not is_int]
    _assert_stratified(plan.samples[:, floats], [exp.uncertainties[j].low for j in floats],
                       [exp.uncertainties[j].high for j in floats])


def test_sobol_needs_a_power_of_two():
    unc = LHS_UNCERTAINTIES
    plan = make_plan(_exp(sampler="sobol", points=8, uncertainties=unc))
    assert plan.samples.shape == (8, 4)
    assert np.all(plan.samples >= [u.low for u in unc]) and np.all(plan.samples <= [u.high for u in unc])
    plan = make_plan(_exp(sampler="sobol", points=1, replications=3, uncertainties=unc), runs=48)
    assert plan.points == 16 and plan.replications == 3
    for bad in (3, 6, 12, 100):
        with pytest.raises(ConfigError) as info:
            make_plan(_exp(sampler="sobol", points=bad, uncertainties=unc))
        assert info.value.key == "experiment.points" and info.value.value == bad
    with pytest.raises(ConfigError):
        make_plan(_exp(sampler="sobol", points=1, replications=3, uncertainties=unc), runs=36)  # 12 points


def test_runs_sets_replications_or_points():
    """plan.py: `runs` sets replications for grid or no uncertainties, points for lhs/sobol."""
    # no uncertainties: 1 point, runs = replications
    plan = make_plan(load_experiment("baseline"), 25)
    assert (plan.points, plan.replications, plan.total_runs) == (1, 25, 25)
    plan = make_plan(load_experiment("baseline"))
    assert plan.total_runs == plan.replications == 10000
    # no uncertainties, two levers: runs = 2 x replications
    plan = make_plan(_exp(replications=7, levers={"a": {}, "b": {}}), 30)
    assert (plan.points, plan.replications, plan.total_runs) == (1, 15, 30)
    # grid: runs = points x levers x replications, replications set
    grid = _exp(sampler="grid", replications=9, levers={"a": {}, "b": {}},
                uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0, high=1, levels=[0.0, 0.3, 0.6, 1.0])])
    plan = make_plan(grid, 40)
    assert (plan.points, plan.replications, plan.total_runs) == (4, 5, 40)
    assert make_plan(grid).replications == 9
    # lhs: replications kept, points set
    plan = make_plan(load_experiment("conditions"), 90)
    assert (plan.points, plan.replications, len(plan.levers), plan.total_runs) == (3, 10, 3, 90)
    for exp, runs in ((grid, 42), (load_experiment("conditions"), 100)):
        with pytest.raises(ConfigError) as info:
            make_plan(exp, runs)
        assert info.value.key == "runs" and info.value.value == runs


def test_levers_may_set_non_numeric_scenario_fields(tmp_path):
    """plan.py `_resolve_lever`: "Levers may set any scenario field (numeric or not); the path
    must exist." Switches such as sanctions.override (the F23 counterfactual) are natural
    levers. 3 levers x 60 replications of the baseline = 180 runs."""
    exp = _exp(replications=60, levers={
        "by_credibility": {},
        "sanctions_forced_off": {"sanctions.override": False},
        "sanctions_forced_on": {"sanctions.override": True},
    })
    plan = make_plan(exp)
    assert [c.scenario.sanctions.override for c in plan.lever_configs] == [None, False, True]
    run_sweep(plan, tmp_path, workers=1)
    table = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(table) == 180
    off = table[table["lever"] == "sanctions_forced_off"]
    on = table[table["lever"] == "sanctions_forced_on"]
    assert not off["sanctions_imposed"].any()
    requested = on["formal_request_week"].notna()
    assert requested.any()
    assert on.loc[requested, "sanctions_imposed"].all()
    # other kinds of non-numeric fields: a string and a faction's switch
    plan = make_plan(_exp(levers={"median": {"behaviour.collective_rule": "weighted_median"},
                                  "no_kurds": {"factions.kurds.active": False}}))
    assert plan.lever_configs[0].scenario.behaviour.collective_rule == "weighted_median"
    assert plan.lever_configs[1].scenario.factions["kurds"].active is False
