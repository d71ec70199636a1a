"""The scores of the case library (sim/cases/scores.py): exact answers by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cases import scores as sc


def test_probabilities_are_count_plus_one_over_runs_plus_five():
    p = sc.smoothed([4000, 0, 0, 0, 0], 4000)
    assert p.tolist() == [4001 / 4005, 1 / 4005, 1 / 4005, 1 / 4005, 1 / 4005]
    assert sc.smoothed([0, 0, 0, 0, 0], 0).tolist() == [0.2] * 5


def test_the_base_rate_of_three_other_cases():
    """Two departures and a notice taken back among three other cases: completed (2+1)/(3+5),
    withdrawn (1+1)/8, each other outcome 1/8."""
    base = sc.base_rate(["withdrawal_completed", "withdrawal_completed", "request_withdrawn"])
    expected = dict(zip(sc.CLASSES, base))
    assert expected["withdrawal_completed"] == 3 / 8 and expected["request_withdrawn"] == 2 / 8
    assert expected["no_request"] == expected["occupation"] == expected["negotiated_drawdown"] == 1 / 8


def test_log_and_brier_scores_by_hand():
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.0])
    assert sc.log_score(p, "request_withdrawn") == math.log(0.3)
    assert sc.brier(p, "request_withdrawn") == pytest.approx(0.1**2 + 0.2**2 + 0.7**2 + 0.4**2)
    certain = np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    assert sc.brier(certain, "withdrawal_completed") == 0.0 and sc.brier(certain, "no_request") == 2.0


def test_counts_refuse_undecided_runs_and_totals_that_do_not_fit():
    assert sc.outcome_counts([0, 3, 3, 4]).tolist() == [1, 0, 0, 2, 1]
    with pytest.raises(ValueError, match="undecided"):
        sc.outcome_counts([3, -1])
    with pytest.raises(ValueError, match="do not fit"):
        sc.smoothed([3, 3, 0, 0, 0], 5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=5, max_size=5), st.integers(0, 100))
def test_smoothed_probabilities_sum_to_one_and_are_never_zero(counts, extra):
    total = sum(counts) + extra
    if extra:  # counts below the total (runs that ended otherwise) are refused only when above it
        p = sc.smoothed(counts, total)
        assert (p > 0).all() and p.sum() <= 1.0 + 1e-12
    p = sc.smoothed(counts, sum(counts))
    assert (p > 0).all() and abs(p.sum() - 1.0) < 1e-12
