"""Shared helpers for the test suite: composing parameters, building fixed world states,
stepping the stage functions week by week, and paired (common random numbers) statistics.

Fact ids (F1..F24) refer to docs/facts.md.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import numpy as np

from sim import config
from sim.model import draws
from sim.model.params import ModelParams
from sim.model.state import State, initial_state
from sim.model.week import trace

REPO = Path(__file__).resolve().parents[1]

#: one-sided tolerance of the directional tests, in standard errors of the paired mean
#: difference (a false alarm rate of about 0.13 % per test if the model had no effect)
Z_MARGIN = 3.0


def run_config_for(*overrides: str):
    """A validated RunConfig for Hydra overrides as on the command line of `python -m sim`
    ("scenario=NAME", "seed=S", "scenario.sanctions.credibility=0.9", ...)."""
    scenario, seed, rest = "baseline", 0, []
    for o in overrides:
        key, _, value = o.partition("=")
        if key == "scenario":
            scenario = value
        elif key == "seed":
            seed = None if value == "null" else int(value)
        else:
            rest.append(o)
    return config.run_config(scenario, seed, rest)


@functools.lru_cache(maxsize=None)
def _params(overrides: tuple[str, ...]) -> ModelParams:
    return config.model_params(run_config_for(*overrides))


def params_for(*overrides: str) -> ModelParams:
    """ModelParams for Hydra overrides such as "scenario=max_pressure" (cached; do not mutate)."""
    return _params(tuple(overrides))


def replace_params(p: ModelParams, **sections: dict) -> ModelParams:
    """A copy of p with some coefficients of some sections replaced, e.g.
    replace_params(p, government={"base_revision_rate": 1.0})."""
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
    yield from trace(p, np.asarray(run_ids), weeks)


def paired_difference(a, b) -> tuple[float, float, int]:
    """Mean and standard error of the paired difference b - a over runs (common random numbers)."""
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    n = d.size
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    return float(d.mean()), se, n


def packed_value(p: ModelParams, column: str) -> float:
    """A derived value as the model's kernels read it: its column of `packing.packed(p)`
    (`BAGHDAD_POWER`, `WEEKS_AHEAD`, ...), for run 0."""
    from sim.model import packing

    par, _ = packing.packed(p)
    return float(par[0, packing.COLUMNS[column]])


def stage(name: str, s: State, p: ModelParams, step: int, keys: np.ndarray, events: list | None = None) -> None:
    """Step `step` of one stage of the model (by name) over the runs of `s`."""
    from sim.model.stages import STAGE_BY_NAME, run_stage

    run_stage(STAGE_BY_NAME[name], s, p, step, keys, events)
