"""Calendar time (docs/architecture.md): halving or doubling the step length leaves the
outcome distribution unchanged within sampling error (model brief, known answers).

4,000 baseline runs at each of step_days = 3, 7 and 14 (seed 0; the random streams differ
between step lengths, so the arms are independent samples). For every outcome share and
for P(formal request by the end of 2020 / 2021) the difference between two arms must be
within 4 standard errors of a difference of two independent proportions, plus 0.01 for
what a step of up to two weeks may still shift (a response to an event comes in the same
step, so at most 14 days late)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import params_for

from sim.engines.batch import simulate
from sim.model.outcomes import OUTCOMES

N = 4000
STEPS = (3, 7, 14)


def _readings(step_days: int) -> dict[str, float]:
    cols = simulate(params_for(f"step_days={step_days}"), np.arange(N))
    out = {name: float(np.mean(cols["outcome"] == k)) for k, name in enumerate(OUTCOMES)}
    week = cols["formal_request_week"]
    out["request_by_end_2020"] = float(np.mean((week >= 0) & (week <= 51)))
    out["request_by_end_2021"] = float(np.mean((week >= 0) & (week <= 103)))
    return out


@pytest.mark.slow
def test_outcomes_do_not_depend_on_the_step_length():
    got = {d: _readings(d) for d in STEPS}
    for key in got[7]:
        for a, b in ((3, 7), (7, 14), (3, 14)):
            pa, pb = got[a][key], got[b][key]
            se = math.sqrt(pa * (1 - pa) / N + pb * (1 - pb) / N)
            assert abs(pa - pb) <= 4 * se + 0.01, (key, a, pa, b, pb)
