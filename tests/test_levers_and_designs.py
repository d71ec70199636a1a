"""Experiments that measure what they say (sim/sweep/plan.py):

- a lever is a policy, never a coefficient: where an experiment's table (a posterior) has a
  column for a key a lever sets, the lever's value stands in that lever's runs, so the lever
  changes outcomes where its keys differ; a declared condition a lever sets is refused;
- a Sobol block varies one thing: the D + 2 points of a Saltelli block take the same row of
  the table and the same random worlds, so they differ in the declared conditions only;
- the calibration never calibrates a key that a shipped experiment's lever sets.

Each of these failed on the commit before issue 24 (the lever's value was overwritten by the
table's column; a block's points drew different rows; the calibration's priors held them)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim.calibrate.tables import write_table
from sim.config import ConfigError, experiment_config
from sim.config.experiment import UncertaintyConfig
from sim.sweep.chunk import compute_chunk
from sim.sweep.plan import make_plan, run_params

#: keys the shipped `maximum_pressure` and `quiet_diplomacy` levers set, with numeric values
LEVER_KEYS = ("washington.signal_decay", "washington.threat_cost", "washington.linkage_cost",
              "washington.initial_threat_level", "washington.initial_linkage")


@pytest.fixture()
def posterior(tmp_path, monkeypatch):
    """A posterior-like table in results/ whose columns include every numeric lever key, with
    values far from the levers' (as the committed posterior had them)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    rng = np.random.default_rng(5)
    n = 40
    write_table(pd.DataFrame({
        "point_id": np.arange(n),
        "washington.signal_decay": rng.uniform(0.01, 0.03, n),
        "washington.threat_cost": rng.uniform(0.01, 0.05, n),
        "washington.linkage_cost": rng.uniform(0.01, 0.05, n),
        "washington.initial_threat_level": rng.uniform(0.8, 1.0, n),
        "washington.initial_linkage": rng.uniform(0.8, 1.0, n),
        "government.salience": rng.uniform(1.0, 2.5, n),
        "washington.patience": rng.uniform(0.85, 0.99, n),
    }), "results/post.parquet", "posterior")
    return "results/post.parquet"


def _posterior_experiment(table: str, points: int, replications: int):
    exp = experiment_config("conditions_posterior")
    return dataclasses.replace(exp, table=table, points=points, replications=replications)


def test_a_lever_keeps_its_values_over_the_tables_columns(posterior):
    plan = make_plan(_posterior_experiment(posterior, points=6, replications=2))
    levers = dict(zip(plan.levers, range(len(plan.levers))))
    exp = plan.experiment
    for name, k in levers.items():
        p = run_params(plan, k, np.arange(plan.points))
        for key in LEVER_KEYS:
            section, attr = key.split(".")
            values = np.broadcast_to(np.asarray(getattr(getattr(p, section), attr), dtype=float), (plan.points,))
            if key in (exp.levers[name] or {}):
                assert np.all(values == float(exp.levers[name][key])), (name, key)
            else:  # not the lever's: the posterior's draw of each point
                j = plan.params.index(key)
                np.testing.assert_array_equal(values, plan.samples[:, j])
    # the table records what the runs used
    table = compute_chunk(plan, "batch", 0, plan.total_runs).to_pandas()
    mp = table[table["lever"] == "maximum_pressure"]
    assert (mp["washington.signal_decay"] == 0.003).all() and (mp["washington.threat_cost"] == 0.0).all()
    sq = table[table["lever"] == "status_quo"]
    assert sq["washington.signal_decay"].between(0.01, 0.03).all()


def test_maximum_pressure_differs_from_status_quo_in_paired_runs(posterior):
    """Over 600 paired runs (same point, same replication) the two strategies' outcomes differ
    in at least 1% of pairs (on the commit before, in none: the table overwrote the lever)."""
    plan = make_plan(_posterior_experiment(posterior, points=150, replications=4))
    t = compute_chunk(plan, "batch", 0, plan.total_runs).to_pandas()
    key = ["point_id", "replication"]
    sq = t[t["lever"] == "status_quo"].set_index(key)
    mp = t[t["lever"] == "maximum_pressure"].set_index(key).loc[sq.index]
    differ = (sq["outcome"] != mp["outcome"]) | (sq["formal_request_day"].fillna(-1) != mp["formal_request_day"].fillna(-1))
    assert len(sq) == 600
    assert differ.mean() >= 0.01


def test_a_declared_condition_a_lever_sets_is_refused():
    exp = experiment_config("conditions")
    bad = dataclasses.replace(exp, uncertainties=[*exp.uncertainties, UncertaintyConfig(
        param="washington.threat_cost", low=0.0, high=0.1, source="test")])
    with pytest.raises(ConfigError) as err:
        make_plan(bad)
    assert "washington.threat_cost" in str(err.value) and "maximum_pressure" in str(err.value)


def test_a_saltelli_block_shares_its_table_row_and_its_worlds(posterior):
    """The rows of one Saltelli block hold identical coefficients outside the declared
    conditions, and the same random worlds; different blocks draw rows independently."""
    exp = dataclasses.replace(experiment_config("conditions_sobol_posterior"), table=posterior, points=8,
                              replications=2)
    plan = make_plan(exp)
    d = len(exp.uncertainties)
    assert plan.conditions == d and plan.world_group == d + 2
    blocks = plan.samples.reshape(8, d + 2, -1)
    extra = blocks[:, :, d:]                       # the table's columns
    assert extra.shape[2] == len(plan.table_params) > 0
    np.testing.assert_array_equal(extra, np.repeat(extra[:, :1], d + 2, axis=1))
    # within a block, point j + 1 differs from the block's first point in condition j only
    for j in range(d):
        diff = blocks[:, 1 + j, :] != blocks[:, 0, :]
        assert not np.delete(diff, j, axis=1).any()
    worlds = plan.worlds(np.arange(plan.points), np.zeros(plan.points, dtype=np.int64)).reshape(8, d + 2)
    assert (worlds == worlds[:, :1]).all() and len(np.unique(worlds[:, 0])) == 8


def test_the_calibration_calibrates_no_lever_key():
    from sim.calibrate.pipeline import load_priors
    from sim.calibrate.schema import CalibrateConfig
    from sim.config import run_config
    from sim.config.load import shipped_lever_keys

    keys = shipped_lever_keys()
    for key in ("washington.signal_decay", "washington.threat_cost", "washington.linkage_cost",
                "washington.initial_threat_level", "washington.initial_linkage", "government.p_anti_american_pm"):
        assert key in keys
    assert "conditions_posterior.maximum_pressure" in keys["washington.signal_decay"]
    settings = CalibrateConfig(experiment=experiment_config("calibration"))
    priors = load_priors(settings, run_config("baseline", 0))
    calibrated = {p.path for p in priors}
    assert calibrated and not calibrated & set(keys)
