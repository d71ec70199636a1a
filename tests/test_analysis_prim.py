"""Scenario discovery (PRIM, Friedman & Fisher 1999, via the `prim` package) recovers a box
planted in a synthetic table; the CART cross-check (Breiman et al. 1984) finds the same
conditions; the box choice follows the stated rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.cart import fit_cart
from sim.analysis.prim_boxes import discover, select_peel

# The planted box: 0.2 <= a <= 0.6 and b >= 0.5 (mass 0.2). Inside it the outcome happens
# with probability 0.9, outside with 0.05; c and d are noise.
LOW_A, HIGH_A, LOW_B = 0.2, 0.6, 0.5


def planted(n: int = 6000, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"cond.a": rng.random(n), "cond.b": rng.random(n), "cond.c": rng.random(n),
                      "cond.d": rng.integers(40, 71, n)})
    inside = (x["cond.a"] >= LOW_A) & (x["cond.a"] <= HIGH_A) & (x["cond.b"] >= LOW_B)
    y = rng.random(n) < np.where(inside, 0.9, 0.05)
    return x, y, inside.to_numpy()


def test_prim_recovers_the_planted_box():
    x, y, inside = planted()
    # asked for a box at (just under) the planted density, PRIM returns the planted box;
    # a lower threshold buys coverage with a wider box (the trade-off curve)
    boxes = discover(x, y, "planted", threshold=0.88, max_boxes=1)
    assert len(boxes) == 1
    box = boxes[0]
    assert box.reached
    assert set(box.restricted) == {"cond.a", "cond.b"}
    lim = box.limits
    assert lim.loc["cond.a", "min"] == pytest.approx(LOW_A, abs=0.03)
    assert lim.loc["cond.a", "max"] == pytest.approx(HIGH_A, abs=0.03)
    assert lim.loc["cond.b", "min"] == pytest.approx(LOW_B, abs=0.03)
    assert lim.loc["cond.b", "max"] == pytest.approx(1.0, abs=0.01)
    assert lim["significant"].all() and (lim["qp"] < 0.05).all()
    assert box.density >= 0.88 and box.coverage >= 0.75
    assert box.mass == pytest.approx(inside.mean(), abs=0.04)
    # the box's stats agree with its limits applied to the table
    found = box.contains(x)
    assert found.sum() == box.runs_in_box and y[found].sum() == box.cases_in_box
    # the peeling trajectory starts from the whole table
    t = box.trajectory
    assert t["coverage"].iloc[0] == 1.0 and t["mass"].iloc[0] == 1.0
    assert t["density"].iloc[0] == pytest.approx(y.mean())


def test_box_choice_rule():
    t = pd.DataFrame({"coverage": [1.0, 0.9, 0.6, 0.3], "density": [0.3, 0.5, 0.7, 0.9],
                      "mass": [1.0, 0.6, 0.3, 0.1], "res dim": [0, 1, 2, 3]})
    assert select_peel(t, 2 / 3) == (2, True)       # most coverage with density >= 2/3
    assert select_peel(t, 0.95) == (3, False)       # never reached: the densest


def test_a_box_reaches_the_threshold_only_with_the_limits_it_keeps():
    # seed 4, 3,000 runs, threshold 0.92: the chosen peeling step (density 0.921) holds limits
    # on the noise columns; dropping them as not significant widens the box to density 0.906.
    # The box must then be reported as not reaching the threshold, whatever the step said.
    x, y, _ = planted(3000, seed=4)
    (box,) = discover(x, y, "planted", threshold=0.92, max_boxes=1)
    assert box.trajectory.loc[box.peel_index, "density"] >= 0.92   # the step reached it
    assert box.dropped                                              # limits were dropped
    assert box.density < 0.92 and not box.reached                   # the box as reported does not
    found = box.contains(x)
    assert y[found].mean() == pytest.approx(box.density)
    # and on every threshold, reached says exactly whether the reported density reaches it
    for threshold in (0.80, 0.85, 0.90, 0.93, 0.95):
        for b in discover(x, y, "planted", threshold=threshold, max_boxes=2):
            assert b.reached == (b.density >= threshold - 1e-12), (threshold, b.number)


def test_no_case_gives_no_box():
    x, _, _ = planted(200)
    assert discover(x, np.zeros(200, dtype=bool), "none") == []


def test_cart_finds_the_planted_conditions():
    x, y, _ = planted()
    result = fit_cart(x, y, np.random.default_rng(3), max_depth=3)
    assert set(result.importance["feature"].head(2)) == {"cond.a", "cond.b"}
    assert result.holdout_auc > 0.85
    best = result.leaves.iloc[0]
    assert best["share"] > 0.8 and "cond.a" in best["rule"] and "cond.b" in best["rule"]
