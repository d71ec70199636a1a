"""A sweep's table does not depend on how it is computed: engine (batch vs Mesa), number
of workers, chunk size, executor (local processes, threads of one process, a local Ray
instance); and runs use
common random numbers where they are compared: the levers share the random world of
(point, replication), and every (point, replication) has its own (sim/sweep/plan.py).

Sample sizes: the `conditions` experiment (configs/experiment/conditions.yaml, 12
uncertainties, 3 levers, 10 replications) with runs=60 for batch vs Mesa and runs=150
(5 points x 3 levers x 10 replications) for workers, chunk sizes and executors. Marked slow:
the Ray test (starting a local Ray instance takes about 10 s) and batch vs Mesa through the
sweep runner (60 Mesa runs, about a minute; tests/test_sweep_engines.py compares the engines
run by run in the default suite).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.sweep.plan import make_plan, run_seed
from sim.sweep.runner import run_sweep
from sim.sweep.schema import ExperimentConfig, UncertaintyConfig

REPO = Path(__file__).resolve().parents[1]
N_RUNS = 150


def load_experiment(name: str) -> ExperimentConfig:
    """configs/experiment/NAME.yaml as a typed ExperimentConfig (as the app composes it)."""
    merged = OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                             OmegaConf.load(REPO / "configs" / "experiment" / f"{name}.yaml"))
    return OmegaConf.to_object(merged)


def read_table(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "runs.parquet").sort_values("run_id").reset_index(drop=True)


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, CI="1")
    return subprocess.run([sys.executable, "-m", "sim.sweep", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def conditions_plan():
    return make_plan(load_experiment("conditions"), N_RUNS)


@pytest.fixture(scope="module")
def reference(conditions_plan, tmp_path_factory):
    """The conditions sweep, batch engine, one worker, one chunk."""
    out = tmp_path_factory.mktemp("reference")
    meta = run_sweep(conditions_plan, out, engine="batch", executor="local", workers=1, chunk_size=1000)
    assert meta["run_count"] == N_RUNS
    table = read_table(out)
    assert len(table) == N_RUNS and table["run_id"].tolist() == list(range(N_RUNS))
    return table


@pytest.mark.slow
def test_batch_and_mesa_engines_give_the_same_table(tmp_path):
    """60 runs of the conditions experiment (2 points x 3 levers x 10 replications)."""
    plan = make_plan(load_experiment("conditions"), 60)
    assert plan.total_runs == 60
    run_sweep(plan, tmp_path / "batch", engine="batch", workers=1, chunk_size=1000)
    meta = run_sweep(plan, tmp_path / "mesa", engine="mesa", workers=2, chunk_size=8)
    assert meta["engine"] == "mesa"
    batch, mesa = read_table(tmp_path / "batch"), read_table(tmp_path / "mesa")
    assert len(batch) == 60
    pd.testing.assert_frame_equal(batch, mesa, check_exact=True)


def test_workers_1_and_2_give_the_same_table(conditions_plan, reference, tmp_path):
    meta = run_sweep(conditions_plan, tmp_path, engine="batch", workers=2, chunk_size=40)
    assert meta["workers"] == 2
    pd.testing.assert_frame_equal(reference, read_table(tmp_path), check_exact=True)


def test_chunk_sizes_37_and_1000_give_the_same_table(conditions_plan, reference, tmp_path):
    """150 runs in five chunks, the last one short (37 does not divide 150)."""
    meta = run_sweep(conditions_plan, tmp_path, engine="batch", workers=1, chunk_size=37)
    assert meta["chunk_size"] == 37
    pd.testing.assert_frame_equal(reference, read_table(tmp_path), check_exact=True)


def test_threads_and_processes_give_the_same_table(conditions_plan, reference, tmp_path):
    """executor=threads: two threads of this process compute the chunks (the model's
    compiled kernels release the GIL); the table is the one-worker table."""
    meta = run_sweep(conditions_plan, tmp_path, engine="batch", executor="threads", workers=2, chunk_size=40)
    assert meta["executor"] == "threads" and meta["workers"] == 2
    pd.testing.assert_frame_equal(reference, read_table(tmp_path), check_exact=True)


@pytest.mark.slow
def test_ray_and_local_executors_give_the_same_table(reference, tmp_path):
    """The command line with executor=ray (a local Ray instance with 2 CPUs) against the
    in-process local sweep of the same plan. Slow: starting Ray takes about 10 s."""
    out = tmp_path / "ray"
    proc = cli("experiment=conditions", f"runs={N_RUNS}", "executor=ray", "workers=2", "chunk_size=40", f"out={out}")
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["executor"] == "ray" and meta["workers"] == 2
    pd.testing.assert_frame_equal(reference, read_table(out), check_exact=True)


def test_run_id_layout_is_lever_major(conditions_plan, reference):
    """run_id = (lever * points + point) * replications + replication (sim/sweep/plan.py)."""
    plan = conditions_plan
    lever_index = reference["lever"].map({name: i for i, name in enumerate(plan.levers)})
    assert not lever_index.isna().any()
    expected = (lever_index * plan.points + reference["point_id"]) * plan.replications + reference["replication"]
    assert (expected == reference["run_id"]).all()
    assert plan.levers == ("status_quo", "quiet_diplomacy", "maximum_pressure")
    # each (lever, point, replication) occurs once
    assert not reference.duplicated(["lever", "point_id", "replication"]).any()


def test_common_random_numbers_across_levers_and_a_world_per_point(conditions_plan, reference):
    """In the conditions experiment the levers share the random world of (point, replication)
    (the same run_seed), and every (point, replication) has a world of its own: run_index =
    point * replications + replication (sim/sweep/plan.py). With worlds keyed by the
    replication alone, every point would meet the same ten worlds and a swept probability
    would act through the same ten uniform draws everywhere."""
    per_pair = reference.groupby(["point_id", "replication"])["run_seed"]
    assert (per_pair.nunique() == 1).all()                          # levers share the world
    firsts = per_pair.first()
    assert firsts.nunique() == len(firsts) == conditions_plan.points * 10   # all worlds distinct
    expected = reference["point_id"] * conditions_plan.replications + reference["replication"]
    assert (reference["run_index"] == expected).all()
    assert (reference["run_seed"].to_numpy() == run_seed(conditions_plan.experiment.seed, expected)).all()
    # and the parameters of a point are the same under every lever
    params = [c for c in reference.columns if "." in c]
    assert len(params) == 12
    by_point = reference.groupby("point_id")[params].nunique()
    assert (by_point == 1).all().all()


def test_a_saltelli_row_shares_its_worlds_and_rows_differ():
    """In a Saltelli design the D + 2 points derived from one base row (A, the D mixed rows,
    B, in SALib's order) meet the same worlds, so the differences the Sobol estimators take
    hold the noise fixed; different base rows meet different worlds."""
    exp = ExperimentConfig(
        name="saltelli_worlds", scenario="baseline", seed=3, sampler="saltelli", points=4, replications=2,
        uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0.0, high=1.0),
                       UncertaintyConfig(param="sanctions.magnitude", low=0.0, high=1.0)])
    plan = make_plan(exp)
    assert plan.world_group == 4 and plan.points == 16
    points = np.repeat(np.arange(plan.points), 2)
    reps = np.tile(np.arange(2), plan.points)
    worlds = plan.worlds(points, reps).reshape(4, 4, 2)             # (base row, point in row, replication)
    assert (worlds == worlds[:, :1, :]).all()                        # one world per row and replication
    assert np.unique(worlds[:, 0, :]).size == 8                      # rows and replications differ


def test_common_random_numbers_give_equal_results_for_equal_conditions(tmp_path):
    """Two identical levers and two grid points with the same value: at every point and
    replication the two identical levers' runs have identical results; a lever that changes the
    scenario keeps the random stream (same run_seed) but not necessarily the results.
    48 runs: 2 points x 3 levers x 8 replications, batch engine."""
    exp = ExperimentConfig(
        name="crn", scenario="baseline", seed=11, sampler="grid", replications=8,
        uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0.0, high=1.0, levels=[0.4, 0.4])],
        levers={"a": {}, "b": {}, "slow": {"washington.withdrawal_days": 1400.0}},
    )
    plan = make_plan(exp)
    assert plan.total_runs == 48
    run_sweep(plan, tmp_path, workers=1)
    t = read_table(tmp_path)
    results = ["outcome", "formal_request_week", "formal_request_day", "withdrawal_complete_week", "final_troops",
               "final_iran_influence", "sanctions_imposed", "resolutions_passed", "pm_changes", "drawdowns_agreed",
               "government_posture_changes", "washington_posture_changes", "tehran_posture_changes",
               "factions_posture_changes", "weeks_simulated", "days_simulated"]
    same = t[t["lever"].isin(["a", "b"])]
    for _pair, group in same.groupby(["point_id", "replication"]):
        assert len(group) == 2
        assert (group[results].nunique(dropna=False) == 1).all(), group[results]
    assert (t.groupby(["point_id", "replication"])["run_seed"].nunique() == 1).all()
    # the two points hold the same value but their own worlds; worlds differ from one
    # another (otherwise the check above would be vacuous)
    assert t.groupby("point_id")["run_seed"].unique().map(frozenset).nunique() == 2
    assert same.groupby(["point_id", "replication"])["final_iran_influence"].first().nunique() > 1
