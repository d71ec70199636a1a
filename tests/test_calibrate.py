"""Calibration (issue 12): the patterns' statistics, the priors read from the coefficient
registry, the sweep's log scale and table sampler, the features observer, and the command's
refusals and a small end-to-end run. The calibrated baseline against every band on 10,000
runs is a slow test."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from clitools import REPO, assert_one_line_failure, run_parallel

from sim.calibrate import abc, runner
from sim.calibrate import patterns as pat
from sim.calibrate import priors as pri
from sim.calibrate.features import END_2020, END_2021, simulate_with_features
from sim.calibrate.tables import verify_calibration_table, write_table
from sim.config import ConfigError, experiment_config, run_config, run_params
from sim.config.experiment import UncertaintyConfig
from sim.sweep.plan import make_plan, scale_unit


def _band(name, low=0.0, high=1.0, lever=pat.ORDINARY):
    return pat.Pattern(name, ("F15",), lever, "", "", low, high)


def _table(rows):
    """A sweep-like table from (point_id, lever, request_day or None, extra dict) rows."""
    recs = []
    for point, lever, day, extra in rows:
        rec = {"point_id": point, "lever": lever, "formal_request_day": np.nan if day is None else float(day),
               "troops_2020": 5000.0, "sanctions_day": -1, "talks_day": -1, "request_after_resolution": False,
               "resolutions_2020": 0, "resolutions_absent_2020": 0,
               "standing_2020": day is not None and day <= END_2020, "standing_2021": day is not None and day <= END_2021}
        rec.update(extra)
        recs.append(rec)
    return pd.DataFrame(recs)


# ---------------------------------------------------------------- patterns
def test_shares_per_set_and_lever():
    """F15 both ways: shares by 2020 and 2021 per set, and the paired gap between levers."""
    t = _table([(0, pat.ORDINARY, 10, {}), (0, pat.ORDINARY, None, {}), (0, pat.ORDINARY, 400, {}),
                (0, pat.ORDINARY, 800, {}),
                (0, pat.SUCH_PM, 100, {}), (0, pat.SUCH_PM, 200, {}), (0, pat.SUCH_PM, 700, {}),
                (0, pat.SUCH_PM, None, {}),
                (1, pat.ORDINARY, None, {}), (1, pat.SUCH_PM, None, {})])
    ps = [_band("early_request"), _band("settled_2020"), _band("settled_2021"),
          _band("settled_2021_such_pm", lever=pat.SUCH_PM), _band("unless_gap", lever=pat.SUCH_PM)]
    s = pat.statistics(t, ps)
    assert s.loc[0, "early_request"] == 0.25
    assert s.loc[0, "settled_2020"] == 0.25
    assert s.loc[0, "settled_2021"] == 0.5
    assert s.loc[0, "settled_2021_such_pm"] == 0.75
    assert s.loc[0, "unless_gap"] == pytest.approx(0.25)
    assert s.loc[1].tolist() == [0.0] * 5


def test_a_request_taken_back_does_not_settle_the_question():
    """F15 read as a request that stands: a request made in 2020 and retracted before the end
    of the year counts for `early_request` (a request was made) but not as settling it (day 30 is past
    the first four weeks)."""
    t = _table([(0, pat.ORDINARY, 10, {"standing_2020": False, "standing_2021": False}),
                (0, pat.ORDINARY, 20, {"standing_2020": False, "standing_2021": True}),
                (0, pat.ORDINARY, None, {}), (0, pat.ORDINARY, 30, {})])
    s = pat.statistics(t, [_band("early_request"), _band("settled_2020"), _band("settled_2021")])
    assert s.loc[0].tolist() == [0.5, 0.25, 0.5]


def test_undefined_statistic_does_not_reject_and_missing_features_are_named():
    """F12, F14: a set in which no resolution passed is not judged on who was away."""
    t = _table([(0, pat.ORDINARY, None, {"resolutions_2020": 2, "resolutions_absent_2020": 1}),
                (1, pat.ORDINARY, None, {})])
    p = _band("resolutions_absent", 0.75, 1.0)
    s = pat.statistics(t, [p])
    assert s.loc[0, "resolutions_absent"] == 0.5 and np.isnan(s.loc[1, "resolutions_absent"])
    assert pat.acceptance(s, [p])["resolutions_absent"].tolist() == [False, True]
    plain = t.drop(columns=["talks_day"])
    assert pat.missing_features(plain, [_band("talks_2020")]) == {"talks_2020": ("talks_day",)}


def test_unasked_departure_and_rupture():
    """F20, F22: half the force gone in 2020 with no request; F6, F19: sanctions in 2020."""
    t = _table([(0, pat.ORDINARY, None, {"troops_2020": 2000.0, "sanctions_day": END_2020}),
                (0, pat.ORDINARY, 100, {"troops_2020": 0.0, "sanctions_day": END_2020 + 1})])
    s = pat.statistics(t, [_band("us_leaves_unasked_2020"), _band("rupture_2020")])
    assert s.loc[0].tolist() == [0.5, 0.5]


def test_scaled_bands_keep_their_open_end():
    at_most, at_least, inner = _band("a", 0.0, 0.2), _band("b", 0.6, 1.0), _band("c", 0.4, 0.6)
    assert (pat.scaled(at_most, 2).low, pat.scaled(at_most, 2).high) == (0.0, 0.4)
    assert pat.scaled(at_least, 0.5).low == pytest.approx(0.8) and pat.scaled(at_least, 0.5).high == 1.0
    assert (pat.scaled(inner, 2).low, pat.scaled(inner, 2).high) == pytest.approx((0.3, 0.7))


def test_shipped_bands_load_and_bad_ones_are_refused():
    import yaml

    doc = yaml.safe_load((REPO / "configs/calibration/patterns.yaml").read_text())["patterns"]
    ps = pat.load_patterns(doc)
    assert {p.name for p in ps} == set(pat.STATISTICS) | set(pat.DIFFERENCES)
    assert all(p.reading and p.facts for p in ps)
    with pytest.raises(ValueError, match="not a pattern"):
        pat.load_patterns({"nope": {}})
    with pytest.raises(ValueError, match="low <= high"):
        pat.load_patterns({"early_request": {"low": 0.5, "high": 0.1}})


def test_failed_patterns_are_named_per_set():
    ps = [_band("a", 0, 0.1), _band("b", 0.5, 1)]
    sets = pd.DataFrame({"pattern.a": [0.0, 0.3, 0.3], "pattern.b": [0.9, 0.9, 0.1]})
    assert abc.accepted(sets, ps).tolist() == [True, False, False]
    assert abc.failed_names(sets, ps) == ["", "a", "a + b"]
    rate, combos = abc.failures(sets, ps)
    assert rate["a"] == 1.0 and rate["b"] == 0.5 and dict(combos) == {"a": 1, "a + b": 1}


def test_structural_factors_reach_the_config_and_pick_levels_by_unit_value():
    """Every structural factor of screening (the collective rule, the bdm reading, the step
    length; the revision pace acts on the params) is set on the config it names, and a
    unit value u picks level floor(u x levels), the last level for u = 1."""
    from sim.calibrate import screening

    cfg = run_config("baseline", 0)
    out = runner.with_structure(cfg, {"collective_rule": "bdm", "bdm_reading": "replication", "step_days": 3})
    assert (out.scenario.behaviour.collective_rule, out.scenario.behaviour.bdm_reading, out.step_days) == \
        ("bdm", "replication", 3)
    assert cfg.scenario.behaviour.bdm_reading == "text" and cfg.step_days == 7      # the input is not changed
    names = ["structure.collective_rule", "structure.bdm_reading", "structure.step_days"]
    unit = np.array([[0.0, 0.49, 0.34], [0.67, 0.5, 1.0]])
    _, structure = screening.to_values(unit, [], names, {})
    assert structure == [{"collective_rule": "compromise", "bdm_reading": "text", "step_days": 7},
                         {"collective_rule": "bdm", "bdm_reading": "replication", "step_days": 14}]
    assert "structure.bdm_reading" in screening.factor_names([], structural=True)


# ---------------------------------------------------------------- priors
def test_prior_sets_meet_worlds_of_their_own_and_screening_shares_them():
    """Two identical sets, 12 runs each, baseline status quo: with worlds="set" (the prior
    sweep) each set is its own simulation, so the two sets' runs differ somewhere, and set k
    meets the worlds k * 12 + r (the same runs as the batch engine on those run indices);
    with worlds="shared" (screening) the two sets' runs are identical run by run."""
    from sim.config import model_params
    from sim.engines import batch

    cfg = run_config("baseline", 5)
    levers = {"status_quo": cfg}
    values = np.zeros((2, 0))
    cols = ["outcome", "formal_request_day", "final_troops"]
    own = runner.run_sets(levers, [], values, np.array([0, 1]), 12, worlds="set")
    shared = runner.run_sets(levers, [], values, np.array([0, 1]), 12, worlds="shared")
    a, b = (shared[shared["point_id"] == k][cols].reset_index(drop=True) for k in (0, 1))
    pd.testing.assert_frame_equal(a, b)
    a, b = (own[own["point_id"] == k][cols].reset_index(drop=True) for k in (0, 1))
    assert not a.equals(b)
    direct = batch.simulate(model_params(cfg), np.arange(12, 24))
    assert np.allclose(b["final_troops"].to_numpy(), direct["final_troops"])
    with pytest.raises(ValueError, match="worlds"):
        runner.run_sets(levers, [], values, np.array([0, 1]), 12, worlds="per_point")


def test_registry_kinds_and_rule():
    sc = run_config("baseline", 0).scenario
    by = {c.path: c for c in pri.coefficients(sc)}
    assert by["world.initial_troops"].kind == "data" and by["factions.kurds.seats"].kind == "data"
    assert by["world.isis_reversion"].kind == "assumption"
    assert by["washington.legitimacy_weight"].kind == "sign"          # F21: a direction, no number
    rate = pri.rule_prior(by["world.isis_reversion"])
    assert rate.scale == "log" and rate.low == pytest.approx(by["world.isis_reversion"].default / 3)
    share = pri.rule_prior(by["government.pm_weight"])
    assert share.scale == "linear" and (share.low, share.high) == pytest.approx((0.5, 0.9))
    assert pri.rule_prior(by["factions.kurds.iran_alignment"]) is None   # zero: no such channel (F14, F16)
    assert pri.rule_prior(by["world.initial_troops"]) is None


def test_priors_respect_levers_overrides_and_integers():
    sc = run_config("baseline", 0).scenario
    ps = {p.path: p for p in pri.priors(sc, {"behaviour.rationality": {"low": 2, "high": 32, "scale": "log"}},
                                        fixed=("government.p_anti_american_pm",))}
    assert "government.p_anti_american_pm" not in ps
    # what the article fixes is data, never calibrated: the troops (F3) and the notice period (F4)
    assert "world.initial_troops" not in ps and "legal.notice_days" not in ps
    assert (ps["behaviour.rationality"].low, ps["behaviour.rationality"].scale) == (2.0, "log")
    days = ps["parliament.min_interval_days"]
    assert float(days.low).is_integer() and float(days.high).is_integer()
    with pytest.raises(ValueError, match="not a coefficient"):
        pri.priors(sc, {"behaviour.rationalty": {"low": 1, "high": 2}})
    with pytest.raises(ValueError, match="must lie in"):
        pri.priors(sc, {"sanctions.credibility": {"low": 0.5, "high": 2}})


# ---------------------------------------------------------------- sweep: log scale and table sampler
def test_log_scale_is_uniform_in_the_logarithm():
    u = np.linspace(0, 1, 5)[:, None]
    v = scale_unit(u, [0.01], [1.0], [True])[:, 0]
    assert v == pytest.approx([0.01, 10 ** -1.5, 0.1, 10 ** -0.5, 1.0])


def test_table_sampler_draws_rows_of_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    write_table(pd.DataFrame({"point_id": [0, 1], "sanctions.credibility": [0.2, 0.7],
                              "factions.kurds.salience": [0.5, 0.6]}), "results/post.parquet", "posterior")
    exp = dataclasses.replace(experiment_config("posterior"), table="results/post.parquet", points=50)
    plan = make_plan(exp)
    assert plan.params == ("sanctions.credibility", "factions.kurds.salience")
    assert set(map(tuple, plan.samples.tolist())) <= {(0.2, 0.5), (0.7, 0.6)}
    with pytest.raises(ConfigError, match="experiment.table"):
        make_plan(dataclasses.replace(exp, table="/etc/passwd.parquet"))
    with pytest.raises(ConfigError, match="readable Parquet"):
        make_plan(dataclasses.replace(exp, table="results/missing.parquet"))
    bad = dataclasses.replace(experiment_config("baseline"), sampler="lhs", points=4, uncertainties=[
        UncertaintyConfig(param="sanctions.credibility", low=0.0, high=1.0, scale="log")])
    with pytest.raises(ConfigError, match="low > 0"):
        make_plan(bad)


# ---------------------------------------------------------------- features
def test_features_agree_with_the_summary():
    p = run_params("baseline", 0)
    cols = simulate_with_features(p, np.arange(100))
    requested = cols["formal_request_day"] >= 0
    assert not (cols["request_after_resolution"] & ~requested).any()
    assert np.isfinite(cols["troops_2020"]).all()
    assert (cols["resolutions_absent_2020"] <= cols["resolutions_2020"]).all()
    assert ((cols["sanctions_day"] >= 0) <= cols["sanctions_imposed"]).all()
    assert ((cols["sanctions_day"] < 0) | (cols["sanctions_day"] >= cols["formal_request_day"])).all()
    # a request standing at the end of a year was made by then; one standing at the end of the run
    # and made before 2021 stood at the end of 2021 unless it was retracted and made again
    first = cols["first_request_day"] if "first_request_day" in cols else cols["formal_request_day"]
    assert not (cols["standing_2020"] & ~((first >= 0) & (first <= END_2020))).any()
    assert not (cols["standing_2021"] & ~((first >= 0) & (first <= END_2021))).any()
    # talks are held only while no request stands, so a run with talks in 2020 had them before
    # any request or after one was taken back
    assert ((cols["talks_day"] < 0) | (cols["talks_day"] > 0)).all()


# ---------------------------------------------------------------- the command
def test_command_refuses_bad_input_in_one_line():
    res = run_parallel({
        "sets": ["-m", "sim.calibrate", "sets=0"],
        "patterns": ["-m", "sim.calibrate", "patterns=nope"],
        "base": ["-m", "sim.calibrate", "screening.base_samples=3"],
        "rows": ["-m", "sim.calibrate", "posterior_rows=0"],
        "executor": ["-m", "sim.calibrate", "executor=dask"],
    })
    assert_one_line_failure(res["executor"], "calibrate error", "executor", "dask", "local", "threads", "ray")
    assert_one_line_failure(res["sets"], "calibrate error", "sets", "0")
    assert_one_line_failure(res["rows"], "posterior_rows", "0")
    assert_one_line_failure(res["patterns"], "patterns", "nope", "patterns")
    assert_one_line_failure(res["base"], "screening.base_samples", "power of 2")


def test_posterior_file_holds_every_accepted_set_or_a_seeded_random_subset():
    from types import SimpleNamespace

    from sim.calibrate.pipeline import posterior_table

    rng = np.random.default_rng(0)
    sets = pd.DataFrame({"point_id": np.arange(1000), "a.x": rng.uniform(size=1000), "b.y": rng.uniform(size=1000)})
    accepted = rng.uniform(size=1000) < 0.3
    r = SimpleNamespace(sets=sets, accepted=accepted, priors=[SimpleNamespace(path="a.x"), SimpleNamespace(path="b.y")])

    def settings(rows, seed=7):
        return SimpleNamespace(posterior_rows=rows, experiment=SimpleNamespace(seed=seed))

    every = posterior_table(r, settings(None))
    assert list(every.columns) == ["point_id", "a.x", "b.y"] and len(every) == accepted.sum()
    assert posterior_table(r, settings(int(accepted.sum()))).equals(every)  # not more than the cap: all
    some = posterior_table(r, settings(50))
    assert len(some) == 50 and some["point_id"].is_unique and some["point_id"].is_monotonic_increasing
    assert set(some["point_id"]) <= set(every["point_id"])
    assert some.equals(posterior_table(r, settings(50)))  # the same seed, the same subset
    assert not some.equals(posterior_table(r, settings(50, seed=8)))


@pytest.mark.slow
def test_end_to_end_small(tmp_path):
    out = tmp_path / "cal"
    res = run_parallel({"run": ["-m", "sim.calibrate", "sets=12", "replications=2", "workers=1", f"out={out}",
                                "chunk_sets=6", "screening.trajectories=2", "screening.base_samples=2",
                                "screening.replications=2", "screening.top=3",
                                f"scenario_out={tmp_path / 'calibrated.yaml'}"]}, timeout=900)["run"]
    assert res.returncode == 0, res.stderr[-3000:]
    report = (out / "report.md").read_text()
    for part in ("Acceptance rate", "Prior and posterior, side by side", "Which patterns the rejected sets failed",
                 "sensitive the posterior is to the bands", "Morris", "Sobol"):
        assert part in report
    post = pd.read_parquet(out / "posterior.parquet")
    sets = pd.read_parquet(out / "prior_sets.parquet")
    assert verify_calibration_table(out / "posterior.parquet")["rows"] == len(post)  # both carry their checksum
    assert verify_calibration_table(out / "prior_sets.parquet")["rows"] == len(sets)
    assert len(sets) == 12 and len(post) == (sets["failed_patterns"] == "").sum()


@pytest.mark.slow
def test_calibrated_baseline_meets_every_band_on_10000_runs():
    """The `calibrated` scenario (posterior medians) against every pattern band, 10,000 runs
    per lever (issue 12, "Must show")."""
    import yaml

    exp = experiment_config("calibration")
    cfg = run_config("calibrated", exp.seed)
    plan = make_plan(dataclasses.replace(exp, scenario="calibrated", points=1, replications=1))
    levers = dict(zip(plan.levers, plan.lever_configs))
    doc = yaml.safe_load((REPO / "configs/calibration/patterns.yaml").read_text())["patterns"]
    ps = pat.load_patterns(doc)
    del cfg
    row = runner.set_summary(levers, [], np.zeros((1, 0)), np.array([0]), 10_000, ps)
    stats = {p.name: float(row[f"pattern.{p.name}"].iloc[0]) for p in ps}
    failed = {n: v for n, v in stats.items() if not bool(next(p for p in ps if p.name == n).accepts(v))}
    assert not failed, stats


@pytest.mark.slow
def test_conditions_with_posterior_columns(tmp_path, monkeypatch):
    """Item 4: conditions swept by LHS, behavioural coefficients drawn from a posterior table;
    a declared condition keeps its range; the analysis' conditions are the declared ones."""
    from sim.analysis.table import load_sweep
    from sim.sweep.runner import run_sweep

    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    write_table(pd.DataFrame({"point_id": [0, 1], "behaviour.rationality": [4.0, 16.0],
                              "sanctions.magnitude": [0.9, 0.9]}), "results/post.parquet", "posterior")
    exp = dataclasses.replace(experiment_config("conditions_posterior"), table="results/post.parquet", points=6,
                              replications=1)
    plan = make_plan(exp)
    assert plan.params[-1] == "behaviour.rationality" and plan.params.count("sanctions.magnitude") == 1
    assert set(plan.samples[:, -1]) <= {4.0, 16.0}
    run_sweep(plan, tmp_path / "sw", engine="batch", executor="local", workers=1, chunk_size=1000)
    sw = load_sweep(tmp_path / "sw")
    assert "behaviour.rationality" not in sw.conditions and "sanctions.magnitude" in sw.conditions
    bad = pd.DataFrame({"point_id": [0], "behaviour.discount_rate": [5.0]})
    write_table(bad, "results/bad.parquet", "posterior")
    with pytest.raises(ConfigError, match="coefficient's range"):
        make_plan(dataclasses.replace(exp, table="results/bad.parquet"))


@pytest.mark.slow
def test_headline_on_the_posterior_states_the_structural_choices(tmp_path):
    """Item 4: python -m experiments.which_conditions --posterior, tiny, with a stand-in posterior."""
    (tmp_path / "results" / "calibration").mkdir(parents=True)
    write_table(pd.DataFrame({"point_id": [0, 1], "behaviour.rationality": [4.0, 16.0]}),
                tmp_path / "results" / "calibration" / "posterior.parquet", "posterior")
    import os

    environ = dict(os.environ, CI="1", PYTHONPATH=str(REPO))
    res = run_parallel({"run": ["-m", "experiments.which_conditions", "--posterior", "--points", "30",
                                "--base-samples", "2", "--rounds", "1", "--fan-runs", "0", "--structure-points", "6",
                                "--curve-points", "10",
                                "--workers", "1"]}, cwd=tmp_path, timeout=1200, environ=environ)["run"]
    assert res.returncode == 0, res.stderr[-3000:]
    text = (tmp_path / "results" / "which_conditions_posterior" / "report.md").read_text()
    assert "How the answer changes with the model's structure" in text
    assert "bdm (replication reading)" in text and "step of 14 days" in text and "best response" in text


def test_the_calibrated_scenario_composes_with_whole_numbers_where_the_schema_asks():
    from sim.calibrate.report import scenario_yaml

    assert run_config("calibrated", 0).scenario.name == "calibrated"
    sc = run_config("baseline", 0).scenario
    ps = [p for p in pri.priors(sc) if p.path in ("parliament.min_interval_days", "behaviour.rationality")]

    class R:
        priors = ps
        sets = pd.DataFrame({"parliament.min_interval_days": [50.0, 60.0, 70.0], "behaviour.rationality": [4.0, 8, 9]})
        accepted = np.array([True, True, False])
        acceptance_rate = 2 / 3

    text = scenario_yaml(R, None)
    assert "min_interval_days: 55\n" in text and "rationality: 6.0" in text
