"""'By how much' in the analysis (issue 12, item 5): outcome shares against one swept
condition with intervals, paired differences between strategies on the common random
numbers, and sentences that read right for a one-condition or one-strategy sweep."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import by_how_much
from sim.analysis.report import Settings, analyze
from sim.config import experiment_config
from sim.config.experiment import UncertaintyConfig
from sim.sweep.plan import make_plan
from sim.sweep.runner import run_sweep


def _runs(n_points=50, reps=20, effect=0.2, seed=0):
    """Two levers on the same (point, replication) pairs: lever b adds `effect` to the
    request chance through the same uniform draw (common random numbers)."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=(n_points, reps))
    x = np.linspace(0, 1, n_points)
    rows = []
    for lever, extra in (("a", 0.0), ("b", effect)):
        req = u < 0.3 * x[:, None] + extra
        for i in range(n_points):
            for r in range(reps):
                rows.append({"point_id": i, "replication": r, "lever": lever, "c": x[i],
                             "formal_request": bool(req[i, r]),
                             "outcome": "request_withdrawn" if req[i, r] else "no_request"})
    return pd.DataFrame(rows)


def test_paired_difference_is_tight_and_right():
    d = by_how_much.paired_differences(_runs())
    row = d[d["event"] == "formal_request"].iloc[0]
    assert row["lever"] == "b" and row["reference"] == "a" and row["pairs"] == 1000
    assert row["low"] <= 0.2 <= row["high"] + 0.03
    assert (row["high"] - row["low"]) / 2 < row["independent_half_width"]   # what the pairing buys


def test_curve_rises_with_the_condition_and_has_intervals():
    curve = by_how_much.share_curve(_runs(), "c", bins=5)
    req = curve[(curve["event"] == "formal_request") & (curve["group"] == "a")].sort_values("bin")
    assert req["share"].iloc[-1] > req["share"].iloc[0]
    assert (req["low"] <= req["share"]).all() and (req["share"] <= req["high"]).all()
    assert req["runs"].sum() == 1000


@pytest.mark.parametrize("values, expected", [
    ({"status_quo": 0.001}, "occupation is 0.1%"),
    ({"a": 0.001, "b": 0.001}, "occupation is 0.1% under every strategy"),
    ({"a": 0.001, "b": 0.2}, "occupation ranges from 0.1% (a) to 20.0% (b)"),
])
def test_spread_phrase(values, expected):
    assert by_how_much.spread_phrase(values, "occupation", lambda v: f"{100 * v:.1f}%") == expected


@pytest.mark.slow
def test_one_condition_one_strategy_sweep_reads_right(tmp_path):
    exp = dataclasses.replace(experiment_config("baseline"), sampler="lhs", points=30, replications=6,
                              uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0.0, high=1.0,
                                                               label="credibility of the sanctions threat")])
    out = tmp_path / "sweep"
    run_sweep(make_plan(exp), out, engine="batch", executor="local", workers=1, chunk_size=100_000)
    text = Path(analyze(out, tmp_path / "report", settings=Settings(fan=False, seed=1),
                        log=lambda *a: None)).read_text()
    assert "## By how much" in text and "by_how_much.png" in text
    assert "across the strategies" not in text and "everywhere" not in text
    assert "One strategy only" in text
