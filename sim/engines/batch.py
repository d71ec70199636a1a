"""The batch engine: `sim.model.week.run_week` over many runs at once.

Runs step in lockstep, step by step, in the configured stage order. After the horizon,
only the runs whose formal request's clock is still running go on (as a sub-state), so
every run ends exactly when its Mesa twin does. Random numbers are keyed by
(root seed, run index, step, purpose), so run i gives the same summary here as
`NegotiationModel(params, run_index=i)`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..model import draws
from ..model.params import ModelParams
from ..model.state import State, initial_state, summary_columns, summary_row
from ..model.week import finish_rows, run_week, still_running


def simulate(p: ModelParams, run_ids, observe: Callable[[int, State], None] | None = None) -> dict[str, np.ndarray]:
    """Summaries of runs `run_ids` (any integers >= 0), as columns of equal length.

    Day and week columns hold -1 where the event did not happen (None in a Mesa summary).
    `observe(step, state)`, if given, is called with step 0 and after every step with the
    state of all the runs (rows in `run_ids` order; a run that has ended keeps its last
    state); it reads the state and must not change it (sim.sweep.outputs records series).
    """
    run_ids = np.asarray(run_ids, dtype=np.uint64)
    keys = draws.run_key(p.seed, run_ids)
    s = initial_state(p, run_ids.size)
    if observe is not None:
        observe(0, s)
    days_simulated = np.zeros(run_ids.size, dtype=np.int64)
    active = np.arange(run_ids.size)
    p_active = p
    week = 0
    while active.size:
        week += 1
        if active.size == run_ids.size:
            run_week(s, p, week, keys)
            sub = s
        else:
            sub = s.take(active)
            run_week(sub, p_active, week, keys[active])
        going = still_running(sub, p, week)
        stopped = ~going
        if stopped.any():
            finish_rows(sub, stopped)
        days_simulated[active[stopped]] = p.day(week)
        if sub is not s:
            s.put(active, sub)
        if observe is not None:
            observe(week, s)
        if not going.all():
            active = active[going]
            p_active = p.take(active)
    return summary_columns(s, days_simulated)


def summaries(p: ModelParams, run_ids) -> list[dict]:
    """The same numbers as `NegotiationModel.summary()` dicts, one per run (for comparisons)."""
    cols = simulate(p, run_ids)
    return [summary_row(cols, i, seed=p.seed, scenario=p.scenario_name, run_index=rid)
            for i, rid in enumerate(np.asarray(run_ids))]
