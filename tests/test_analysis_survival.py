"""Kaplan & Meier (1958) time to a formal request, against an example computed by hand,
with Greenwood's variance and the log(-log) band (sim/analysis/survival.py, via scipy)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.survival import kaplan_meier, median_time, survival_at

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile


def test_kaplan_meier_matches_a_hand_computed_example():
    # Seven runs: weeks to a formal request, or weeks observed without one (censored).
    #   run:      a  b  c  d   e   f  g
    #   week:     1  2  2  2   3   4  5
    #   request:  y  y  y  n   n   y  n
    time = [1, 2, 2, 2, 3, 4, 5]
    event = [1, 1, 1, 0, 0, 1, 0]
    # By hand: at each week, n = runs still without a request (a run censored at week t is
    # still at risk at t), d = requests that week; S(t) = product of (n - d) / n.
    #   week 1: n = 7, d = 1 -> S = 6/7
    #   week 2: n = 6, d = 2 -> S = 6/7 * 4/6 = 4/7
    #   week 3: n = 3, d = 0 -> S = 4/7
    #   week 4: n = 2, d = 1 -> S = 4/7 * 1/2 = 2/7
    #   week 5: n = 1, d = 0 -> S = 2/7
    hand_n = [7, 6, 3, 2, 1]
    hand_d = [1, 2, 0, 1, 0]
    hand_s = [6 / 7, 4 / 7, 4 / 7, 2 / 7, 2 / 7]
    # Greenwood: Var S(t) = S(t)^2 * sum over weeks <= t of d / (n (n - d)):
    #   week 1: 1/(7*6) = 1/42;  week 2: + 2/(6*4) = 1/12;  week 4: + 1/(2*1) = 1/2
    greenwood_sum = [1 / 42, 1 / 42 + 1 / 12, 1 / 42 + 1 / 12, 1 / 42 + 1 / 12 + 1 / 2, 1 / 42 + 1 / 12 + 1 / 2]
    # log(-log) band: S^exp(+-z * sqrt(sum) / log S); the larger exponent gives the lower bound.
    hand_low = [s ** math.exp(-Z95 * math.sqrt(g) / math.log(s)) for s, g in zip(hand_s, greenwood_sum)]
    hand_high = [s ** math.exp(Z95 * math.sqrt(g) / math.log(s)) for s, g in zip(hand_s, greenwood_sum)]
    # week 1 by hand: log S = log(6/7) = -0.15415, sqrt(1/42) = 0.15430 -> exponents 7.113 and 0.1406
    assert hand_low[0] == pytest.approx(0.33405, abs=1e-5) and hand_high[0] == pytest.approx(0.97856, abs=1e-5)

    km = kaplan_meier(time, event)
    assert km["time"].tolist() == [0, 1, 2, 3, 4, 5]
    assert km["survival"].iloc[0] == 1.0
    body = km.iloc[1:]
    assert body["at_risk"].tolist() == hand_n
    assert body["events"].tolist() == hand_d
    np.testing.assert_allclose(body["survival"], hand_s, rtol=1e-12)
    np.testing.assert_allclose(body["low"], hand_low, rtol=1e-9)
    np.testing.assert_allclose(body["high"], hand_high, rtol=1e-9)
    assert median_time(km) == 4.0          # first week with S <= 1/2: S(2) = 4/7 > 1/2, S(4) = 2/7
    assert survival_at(km, 3.5)["survival"] == pytest.approx(4 / 7)


def test_no_request_at_all_gives_a_flat_curve():
    km = kaplan_meier([156, 156, 156], [0, 0, 0])
    assert (km["survival"] == 1.0).all() and median_time(km) is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        kaplan_meier([], [])
    with pytest.raises(ValueError):
        kaplan_meier([1, np.nan], [1, 0])
