"""Sobol (2001) indices from a Saltelli (2010) design, as the sweep draws it
(sim.sweep.plan.saltelli_unit) and the analysis estimates them (sim.analysis.sensitivity,
SALib): the Ishigami function's indices match their analytic values within the reported
95% intervals."""

from __future__ import annotations

import math

import numpy as np

from sim.analysis.sensitivity import sobol_indices
from sim.sweep.plan import saltelli_unit

A, B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    """Ishigami & Homma (1990): sin x1 + a sin^2 x2 + b x3^4 sin x1, x uniform on [-pi, pi]^3."""
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def analytic() -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer)."""
    pi4 = math.pi ** 4
    v1 = 0.5 * (1 + B * pi4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = B ** 2 * math.pi ** 8 * 8 / 225          # (1/18 - 1/50) b^2 pi^8
    v = v1 + v2 + v13                               # = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_analytic_values():
    s1, st = analytic()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_ishigami_indices_fall_within_their_intervals():
    n = 2 ** 12
    unit = saltelli_unit(3, n, np.random.default_rng(11))
    assert unit.shape == (n * (3 + 2), 3)
    x = -math.pi + 2 * math.pi * unit
    res = sobol_indices(ishigami(x), ["x1", "x2", "x3"], resamples=500, seed=5)
    s1, st = analytic()
    assert (np.abs(res["S1"] - s1) <= res["S1_conf"]).all(), res
    assert (np.abs(res["ST"] - st) <= res["ST_conf"]).all(), res
    assert (res["ST_conf"] < 0.1).all() and (res["S1_conf"] < 0.1).all()


def test_constant_output_has_zero_indices_and_bad_lengths_are_refused():
    res = sobol_indices(np.ones(5 * 8), ["a", "b", "c"])
    assert (res[["S1", "ST"]] == 0).all().all()
    try:
        sobol_indices(np.ones(7), ["a", "b", "c"])
    except ValueError as err:
        assert "N * (D + 2)" in str(err)
    else:
        raise AssertionError("expected a ValueError")
