"""sim.ema, the project's experiments as EMA Workbench models (the optional `ema` extra):
the declarations are the experiment's, the numbers are the project's runs (the same as
`sim.ensembles` gives through the config edge), every evaluator gives the same numbers,
and bad values are refused with the project's one-line errors. Also what started it: an
EMA model around `sim.ensemble`, which EMA feeds NumPy numbers."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

from conftest import REPO
from ema_workbench import (
    IntegerParameter,
    Model,
    RealParameter,
    ScalarOutcome,
    SequentialEvaluator,
    perform_experiments,
)
from ema_workbench.em_framework.samplers import LHSSampler

import sim
import sim.ema
from sim.config import ConfigError, experiment_config
from sim.ensembles import ensemble_of
from sim.model.outcomes import OUTCOMES

REPLICATIONS = 12


@pytest.fixture(scope="module")
def conditions():
    return sim.ema.model("conditions", replications=REPLICATIONS)


@pytest.fixture(scope="module")
def design(conditions):
    return LHSSampler().generate_samples(conditions.uncertainties, 5, rng=7)


def test_the_model_declares_the_experiment_s_uncertainties_levers_and_outcomes(conditions):
    exp = experiment_config("conditions")
    m = conditions
    assert isinstance(m, Model) and m.name == "conditions" and m.seed == exp.seed == 2020
    assert list(m.paths.values()) == [u.param for u in exp.uncertainties]
    for u in exp.uncertainties:
        p = m.uncertainties[u.param.replace(".", "__")]
        kind = IntegerParameter if u.param.endswith(".seats") else RealParameter
        assert type(p) is kind and (p.lower_bound, p.upper_bound) == (u.low, u.high), u.param
    assert m.paths["factions__kurds__seats"] == "factions.kurds.seats" and m.defaults["factions__kurds__seats"] == 54
    assert list(m.levers["lever"].categories.keys()) == list(exp.levers) == list(m.lever_names)
    assert [p.name for p in m.policies()] == list(exp.levers)
    assert list(m.outcomes.keys()) == ["p_request", *(f"share_{o}" for o in OUTCOMES)]


def test_an_experiment_with_one_lever_has_one_policy_and_no_lever_parameter():
    m = sim.ema.model("conditions_sobol", replications=2)
    assert m.lever_names == ("status_quo",) and len(m.levers) == 0
    assert [p.name for p in m.policies()] == ["status_quo"] and not dict(m.policies()[0])


def test_an_experiment_without_uncertainties_runs_its_levers():
    """calibration: no uncertainties, two levers (no anti-American PM, one within weeks)."""
    m = sim.ema.model("calibration", replications=20)
    experiments, outcomes = perform_experiments(m, policies=m.policies(), evaluator=sim.ema.BatchEvaluator(m),
                                                log_progress=True)
    assert list(experiments["lever"]) == ["no_such_pm", "such_pm"]
    expected = [m.evaluate([{}], lever=lever).iloc[0]["p_request"] for lever in m.lever_names]
    np.testing.assert_array_equal(outcomes["p_request"], expected)
    assert expected[1] > expected[0]


def test_the_outcomes_are_the_project_s_runs(conditions):
    """An experiment's replications are the runs `sim.ensembles.ensemble_of` gives for the
    same run indices through the config edge (overrides: the values, the lever's keys, the
    experiment's horizon): the adapter sets coefficients per run as a sweep does."""
    m = conditions
    exp = m.experiment
    scenario = {"sanctions__credibility": 0.35, "factions__kurds__seats": 60, "government__formation_rate": 0.02,
                "government__p_anti_american_pm": 0.7, "behaviour__rationality": 12.0}
    for lever in ("status_quo", "maximum_pressure", "quiet_diplomacy"):
        got = m.evaluate([{**scenario, "lever": lever}]).iloc[0]
        overrides = [f"scenario.{m.paths[k]}={v}" for k, v in scenario.items()]
        overrides += [f"scenario.{k}={v}" for k, v in (exp.levers[lever] or {}).items()]
        overrides += [f"horizon_weeks={exp.horizon_weeks}", f"step_days={exp.step_days}"]
        values = np.array([[scenario.get(k, m.defaults[k]) for k in m.paths]])
        e = ensemble_of(exp.scenario, m.worlds(values)[0], exp.seed, overrides=tuple(overrides))
        assert got["p_request"] == pytest.approx((e.formal_request_week >= 0).mean(), abs=1e-12)
        for name, share in e.outcome_shares().items():
            assert got[f"share_{name}"] == pytest.approx(share, abs=1e-12), (lever, name)
        assert sum(got[f"share_{o}"] for o in OUTCOMES) == pytest.approx(1.0)


def test_every_evaluator_gives_the_same_numbers(conditions, design):
    """EMA's SequentialEvaluator (one call per experiment) and the BatchEvaluator (blocks of
    experiments, here of 2 and of every experiment) agree, and so does `evaluate`."""
    m = conditions
    kw = dict(scenarios=design, policies=m.policies(), log_progress=True)
    experiments, outcomes = perform_experiments(m, evaluator=SequentialEvaluator(m), **kw)
    assert len(experiments) == 15 and set(outcomes) == set(sim.ema.OUTCOME_NAMES)
    for block_runs in (2 * REPLICATIONS, 10**6):
        _, batched = perform_experiments(m, evaluator=sim.ema.BatchEvaluator(m, block_runs=block_runs), **kw)
        for k, v in outcomes.items():
            np.testing.assert_array_equal(batched[k], v, err_msg=k)
    table = m.evaluate(experiments)
    for k, v in outcomes.items():
        np.testing.assert_array_equal(table[k].to_numpy(), v, err_msg=k)
    assert len(np.unique(outcomes["p_request"])) > 3  # the scenarios and levers matter


PROCESS_EVALUATOR = """
import numpy as np
from ema_workbench import MultiprocessingEvaluator, perform_experiments
from ema_workbench.em_framework.samplers import LHSSampler
import sim.ema

if __name__ == "__main__":
    m = sim.ema.model("conditions", replications=6)
    kw = dict(scenarios=LHSSampler().generate_samples(m.uncertainties, 3, rng=7), policies=m.policies(),
              log_progress=True)
    with MultiprocessingEvaluator(m, n_processes=1) as evaluator:
        _, outcomes = evaluator.perform_experiments(**kw)
    _, batched = perform_experiments(m, evaluator=sim.ema.BatchEvaluator(m), **kw)
    print(all(np.array_equal(batched[k], v) for k, v in outcomes.items()), len(outcomes["p_request"]))
"""


@pytest.mark.slow
def test_ema_s_process_evaluator_gives_the_same_numbers(tmp_path):
    """MultiprocessingEvaluator: the model is pickled into a worker process, which runs it
    (in a fresh interpreter, with a timeout: EMA forks its pool from a process with threads)."""
    script = tmp_path / "process_evaluator.py"
    script.write_text(PROCESS_EVALUATOR)
    done = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "9"], done.stdout


def test_a_scenario_s_worlds_follow_its_values_not_its_place(conditions, design):
    """The same scenario gives the same numbers wherever it stands, under every lever the same
    worlds (common random numbers); different scenarios different worlds."""
    m = conditions
    rows = pd.DataFrame([dict(s) for s in design])
    forward = m.evaluate(rows, lever="maximum_pressure")
    backward = m.evaluate(rows.iloc[::-1], lever="maximum_pressure")
    pd.testing.assert_frame_equal(forward, backward.iloc[::-1])
    worlds = m.worlds(rows[list(m.paths)].to_numpy(dtype=float))
    assert worlds.shape == (5, REPLICATIONS) and len(np.unique(worlds)) == worlds.size
    first = dict(design[0])  # EMA's values: np.int64 seats, np.float64 otherwise
    assert isinstance(first["factions__kurds__seats"], np.integer)
    as_floats = {k: float(v) for k, v in first.items()}
    pd.testing.assert_frame_equal(m.evaluate([first]), m.evaluate([as_floats]))


def test_the_model_pickles_for_ema_s_process_evaluators(conditions):
    m = pickle.loads(pickle.dumps(conditions))
    row = {"sanctions__credibility": 0.9, "lever": "quiet_diplomacy"}
    pd.testing.assert_frame_equal(m.evaluate([row]), conditions.evaluate([row]))
    assert m.function(**row) == conditions.function(**row)


@pytest.mark.parametrize("row, key, words", [
    ({"sanctions__credibility": 1.5}, "sanctions__credibility (sanctions.credibility)", "a number in [0, 1]"),
    ({"factions__kurds__seats": np.float64(50.5)}, "factions__kurds__seats (factions.kurds.seats)", "an integer in"),
    ({"world__isis_mean": float("nan")}, "world__isis_mean (world.isis_mean)", "a number in"),
    ({"sanctions__credibility": "high"}, "sanctions__credibility (sanctions.credibility)", "a number in"),
    ({"lever": "invade"}, "lever", "one of the experiment's levers"),
    ({"factions__kurds__seats": 200, "factions__sunni__seats": 200}, "experiment.uncertainties",
     "seats summing to at most parliament.total_seats"),
])
def test_bad_values_are_refused_naming_the_uncertainty(conditions, row, key, words):
    with pytest.raises(ConfigError) as err:
        conditions.evaluate([row])
    message = str(err.value)
    assert message.startswith(key) and words in message and "\n" not in message


@pytest.mark.parametrize("args, key", [
    ({"experiment": "posterior"}, "experiment"), ({"experiment": "nowhere"}, "unknown experiment"),
    ({"replications": 0}, "replications"), ({"replications": 2.5}, "replications"), ({"seed": -1}, "seed"),
    ({"name": "not a name"}, "name"),
])
def test_bad_settings_are_refused(args, key):
    with pytest.raises(ConfigError) as err:
        sim.ema.model(**args)
    assert str(err.value).startswith(key) and "\n" not in str(err.value)


def test_numpy_settings_and_a_seed_of_its_own():
    m = sim.ema.model("conditions", replications=np.int64(3), seed=np.int64(5))
    assert (m.replications, m.seed) == (3, 5) and type(m.replications) is int


def test_a_model_around_sim_ensemble_runs_under_ema():
    """What an EMA user writes without the adapter: EMA passes np.float64 and np.int64
    values, which `sim.ensemble` takes as the Python numbers they hold."""
    seen = []

    def function(credibility, seats):
        seen.append((type(credibility), type(seats)))
        df = sim.ensemble("baseline", runs=3, overrides={"sanctions.credibility": credibility,
                                                         "factions.kurds.seats": seats}, horizon_weeks=20)
        return {"share_no_request": float((df["outcome"] == "no_request").mean())}

    m = Model("wrapper", function=function)
    m.uncertainties = [RealParameter("credibility", 0.0, 1.0), IntegerParameter("seats", 40, 60)]
    m.outcomes = [ScalarOutcome("share_no_request")]
    experiments, outcomes = perform_experiments(m, scenarios=2, log_progress=True)
    assert len(experiments) == 2 and np.isfinite(outcomes["share_no_request"]).all()
    assert any(issubclass(t, np.generic) for pair in seen for t in pair), seen
