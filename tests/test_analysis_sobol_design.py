"""The sweep's `saltelli` sampler (sim/sweep/plan.py): a Saltelli (2010) design for Sobol
first-order and total indices, drawn with SALib (calc_second_order=False), so N base samples
give N * (D + 2) points in the order SALib's analyzer expects; `runs=` sets N; bad sizes
are refused with a clear message; the other samplers are unchanged."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf
from scipy.stats import qmc

from sim.config.validate import ConfigError
from sim.sweep.plan import make_plan, sample
from sim.sweep.schema import ExperimentConfig

REPO = Path(__file__).resolve().parents[1]


def load_experiment(name: str) -> ExperimentConfig:
    merged = OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                             OmegaConf.load(REPO / "configs" / "experiment" / f"{name}.yaml"))
    return OmegaConf.to_object(merged)


@pytest.fixture(scope="module")
def sobol_exp():
    return dataclasses.replace(load_experiment("conditions_sobol"), points=8, replications=2)


def test_saltelli_gives_n_times_d_plus_2_points(sobol_exp):
    d = len(sobol_exp.uncertainties)
    plan = make_plan(sobol_exp)
    assert plan.points == 8 * (d + 2)
    assert plan.total_runs == 8 * (d + 2) * 1 * 2
    assert plan.samples.shape == (8 * (d + 2), d)


def test_saltelli_points_are_salib_rows_in_order(sobol_exp):
    from SALib.sample import sobol

    d = len(sobol_exp.uncertainties)
    unit = sobol.sample({"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0, 1]] * d}, 8,
                        calc_second_order=False, scramble=True, seed=np.random.default_rng(sobol_exp.seed))
    lows = np.array([u.low for u in sobol_exp.uncertainties])
    highs = np.array([u.high for u in sobol_exp.uncertainties])
    np.testing.assert_allclose(sample(sobol_exp), lows + unit * (highs - lows), rtol=1e-12)
    # the design's structure: each block of D + 2 rows is A, then A with column j from B, then B
    s = sample(sobol_exp).reshape(8, d + 2, d)
    a, b = s[:, 0], s[:, -1]
    for j in range(d):
        expect = a.copy()
        expect[:, j] = b[:, j]
        np.testing.assert_allclose(s[:, 1 + j], expect)


def test_runs_sets_the_base_samples_or_is_refused(sobol_exp):
    d = len(sobol_exp.uncertainties)
    per = (d + 2) * 2
    assert make_plan(sobol_exp, 16 * per).experiment.points == 16
    with pytest.raises(ConfigError, match="power of 2"):
        make_plan(sobol_exp, 12 * per)
    with pytest.raises(ConfigError, match=str(per)):
        make_plan(sobol_exp, 1000)
    with pytest.raises(ConfigError, match="power of 2"):
        make_plan(dataclasses.replace(sobol_exp, points=12))
    with pytest.raises(ConfigError, match="uncertainties"):
        make_plan(dataclasses.replace(sobol_exp, uncertainties=[]))


def test_conditions_sobol_sweeps_the_conditions_of_conditions_yaml():
    cond, sob = load_experiment("conditions"), load_experiment("conditions_sobol")
    assert sob.sampler == "saltelli" and len(sob.levers) == 1
    assert [dataclasses.asdict(u) for u in sob.uncertainties] == [dataclasses.asdict(u) for u in cond.uncertainties]
    assert sob.points & (sob.points - 1) == 0


def test_other_samplers_are_unchanged():
    exp = dataclasses.replace(load_experiment("conditions"), points=16)
    d = len(exp.uncertainties)
    lows = np.array([u.low for u in exp.uncertainties])
    highs = np.array([u.high for u in exp.uncertainties])
    lhs = qmc.LatinHypercube(d=d, rng=np.random.default_rng(exp.seed)).random(16)
    np.testing.assert_allclose(sample(exp), qmc.scale(lhs, lows, highs))
    sob = qmc.Sobol(d=d, scramble=True, rng=np.random.default_rng(exp.seed)).random(16)
    np.testing.assert_allclose(sample(dataclasses.replace(exp, sampler="sobol")), qmc.scale(sob, lows, highs))
    assert make_plan(exp, 16 * 3 * 10).points == 16
