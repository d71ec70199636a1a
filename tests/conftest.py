"""Shared helpers for the test suite: composing parameters, building fixed world states,
stepping the stage functions week by week, and paired (common random numbers) statistics.

Fact ids (F1..F24) refer to shared/design/FACTS.md.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import numpy as np

from sim.config.build import model_params, to_run_config
from sim.config.store import compose_run_config
from sim.model import draws, stages
from sim.model.params import ModelParams
from sim.model.state import State, initial_state

REPO = Path(__file__).resolve().parents[1]

#: one-sided tolerance of the directional tests, in standard errors of the paired mean
#: difference (a false alarm rate of about 0.13 % per test if the model had no effect)
Z_MARGIN = 3.0


@functools.lru_cache(maxsize=None)
def _run_config(overrides: tuple[str, ...]):
    return to_run_config(compose_run_config(list(overrides)))


def run_config_for(*overrides: str):
    """A validated RunConfig for Hydra overrides (cached; do not mutate it)."""
    return _run_config(tuple(overrides))


@functools.lru_cache(maxsize=None)
def _params(overrides: tuple[str, ...]) -> ModelParams:
    return model_params(_run_config(overrides))


def params_for(*overrides: str) -> ModelParams:
    """ModelParams for Hydra overrides such as "scenario=max_pressure" (cached; do not mutate)."""
    return _params(tuple(overrides))


def replace_params(p: ModelParams, **sections: dict) -> ModelParams:
    """A copy of p with some coefficients of some sections replaced, e.g.
    replace_params(p, government={"base_capacity": 1.0})."""
    changes = {name: dataclasses.replace(getattr(p, name), **values) for name, values in sections.items()}
    return dataclasses.replace(p, **changes)


def one_run_state(p: ModelParams, **fields) -> State:
    """The week-0 state of one run (R = 1) with some fields set, e.g. mobilisation=1.0."""
    s = initial_state(p, 1)
    for name, value in fields.items():
        old = getattr(s, name)
        new = np.asarray(value, dtype=old.dtype).reshape(old.shape)
        setattr(s, name, new.copy())
    return s


def stream(p: ModelParams, run_ids=(0,)) -> np.ndarray:
    """What the stage functions take to draw the runs' random numbers: the runs' stream keys
    under the root seed (draws.run_key), as the engines pass them."""
    return draws.run_key(p.seed, np.asarray(run_ids, dtype=np.uint64))


def step_weeks(p: ModelParams, run_ids, weeks: int):
    """Run the configured stages over all runs for weeks 1..weeks and yield (week, state)
    after each week. Unlike the batch engine this keeps every run going to `weeks`, which
    is what a per-week count over a fixed window needs."""
    keys = stream(p, run_ids)
    s = initial_state(p, keys.size)
    for week in range(1, weeks + 1):
        for name in p.step_order:
            stages.STAGES[name](s, p, week, keys)
        yield week, s


def paired_difference(a, b) -> tuple[float, float, int]:
    """Mean and standard error of the paired difference b - a over runs (common random numbers)."""
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    n = d.size
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    return float(d.mean()), se, n
