"""A step of the model and the end of a run: the one step loop both engines use.

A step is a week at the default step length (`step_days` = 7); the model runs in calendar
days, so a step of 3 or 14 days changes the resolution, not the result. `run_week` steps
the stages of `stages.STAGES` in the configured order. The batch engine
calls it on R runs at once; the Mesa model passes `perform`, which lets its agents take
their own stages (a faction agent its `faction_step`, the government agent
`stage_government`, ...), so both engines run the same functions in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Callable

import numpy as np

from . import draws, outcomes
from .compiled import kernel
from .outcomes import RequestState
from .params import ModelParams
from .stages import STAGE_BY_NAME, Events_, Stage, compiled_step, run_stage, run_step
from .state import State, initial_state


def run_week(state: State, params: ModelParams, week: int, keys: np.ndarray, events: Events_ = None, *,
             perform: Callable[[Stage], None] | None = None) -> None:
    """Advance `state` (R runs) through step `week` (1, 2, ...; the step ends on day
    `params.day(week)`): every stage of `params.step_order` once. `keys` are the runs' stream keys (`draws.run_key`); `events`,
    if a list, collects the week's events. `perform(stage)`, if given, runs each stage
    instead of `stages.run_stage` (the Mesa model's agents). With neither, the step is one
    compiled call (`stages.run_step`) that runs the same stage kernels in the same order."""
    if perform is None and events is None and compiled_step(params):
        run_step(state, params, week, keys)
        return
    step_keys = draws.step_keys(keys, week) if perform is None else None  # once for every stage
    for name in params.step_order:
        stage = STAGE_BY_NAME[name]
        if perform is None:
            run_stage(stage, state, params, week, keys, events, step_keys=step_keys)
        else:
            perform(stage)


@kernel
def running_of(day: int, horizon_days: int, request_state: int, outcome: int) -> bool:
    """Whether a run goes on after the step ending on `day`: within the horizon (a calendar
    span), or past it while a formal request's clock is still running (so every request's
    year can run out, F4)."""
    return day < horizon_days or (request_state == RequestState.ACTIVE and outcome == outcomes.UNDECIDED)


@kernel
def _running_rows(day: int, horizon_days: int, request_state: np.ndarray, outcome: np.ndarray,
                  out: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = running_of(day, horizon_days, request_state[i], outcome[i])


def still_running(s: State, params: ModelParams, week: int) -> np.ndarray:
    """Runs that go on after step `week` (`running_of`)."""
    out = np.empty(s.runs, dtype=np.bool_)
    _running_rows(params.day(week), params.horizon_days, s.request_state, s.outcome, out)
    return out


def finish_rows(s: State, rows: np.ndarray) -> None:
    """Classify the given runs at their end; undecided ones made no formal request."""
    s.outcome[rows] = outcomes.decide_at_end(s.outcome[rows], s.drawdowns_agreed[rows] > 0, s.request_state[rows])


def finish(s: State) -> None:
    """Classify every run at its end."""
    finish_rows(s, np.ones(s.runs, dtype=bool))


def trace(params: ModelParams, run_ids: np.ndarray, weeks: int, state: State | None = None
          ) -> Iterator[tuple[int, State]]:
    """Runs `run_ids` from step 0 (`state`, default `initial_state`), yielding (step, state)
    after each of steps 1..`weeks`.

    Unlike the engines, every run is kept going to `weeks` (an outcome, once fixed, stays
    fixed), which is what a per-week reading over a fixed window needs. The state is the
    same object at every yield: a caller that sets fields on it (a player's forced action)
    sets them for the next week."""
    ids = np.asarray(run_ids, dtype=np.uint64)
    keys = draws.run_key(params.seed, ids)
    s = initial_state(params, ids.size) if state is None else state
    for week in range(1, weeks + 1):
        run_week(s, params, week, keys)
        yield week, s
