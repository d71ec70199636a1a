"""Parameter sets through the batch engine, summarised per set.

A parameter set is a row of values for named scenario coefficients (`paths`). Each set is
run `replications` times under each lever's config. In the prior sweep every set meets its
own random worlds, shared by its levers (`worlds="set"`: the run index of the draws is
set * replications + r, `sim.sweep.plan.world_index`), so each set's statistics are an
independent simulation, as rejection ABC assumes, and the levers' difference (F15's
"unless") is taken on common random numbers. Screening holds the worlds fixed across its
design instead (`worlds="shared"`: the run index is r), so an elementary effect or a Sobol
difference between two sets is not blurred by different noise. The runs are reduced in the worker to one row
per set (`set_summary`): the pattern statistics of `sim.calibrate.patterns`, and per lever
the chance of a formal request, each outcome's share and the restricted mean time to a
request. Chunks of sets are computed in worker processes and saved as they finish, named
by a fingerprint of everything that decides them, so an interrupted calibration resumes.
Each chunk carries its tag, index and checksum (`sim.calibrate.tables`): one that does not
match them is computed again, never read back. Chunks are computed where `Where` says, by
the sweep's executors (`sim.sweep.executors.run_items`: local worker processes, threads
of this process, or Ray), and a chunk's table is the same wherever it was computed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import model_params
from ..config.schema import RunConfig
from ..model import outcomes
from ..model.params import ModelParams
from ..sweep.executors import WorkerLost, default_workers, run_items
from ..sweep.plan import _set_param, model_code_hash, world_index
from . import patterns as pat
from . import tables
from .features import simulate_with_features

log = logging.getLogger(__name__)

#: the structural factors screening may vary: name -> levels
STRUCTURAL = {
    "collective_rule": ("compromise", "median", "bdm"),
    "bdm_reading": ("text", "replication"),   # acts only where the rule is bdm (sim/model/bdm_readings.py)
    "step_days": (3, 7, 14),
    "revision_pace": (0.5, 1.0, 2.0),
}
#: the revision rates `revision_pace` multiplies (the revision model's settings)
REVISION_RATES = ("government.base_revision_rate", "government.majority_revision_rate",
                  "washington.revision_rate", "tehran.revision_rate", "behaviour.faction_revision_rate")


def with_structure(cfg: RunConfig, structure: dict | None) -> RunConfig:
    """The config with the structural choices `structure` (collective_rule, bdm_reading,
    step_days) set;
    `revision_pace` is applied to the parameters (`set_params`)."""
    if not structure:
        return cfg
    import copy

    cfg = copy.deepcopy(cfg)
    if "collective_rule" in structure:
        cfg.scenario.behaviour.collective_rule = str(structure["collective_rule"])
    if "bdm_reading" in structure:
        cfg.scenario.behaviour.bdm_reading = str(structure["bdm_reading"])
    if "step_days" in structure:
        cfg.step_days = int(structure["step_days"])
    return cfg


def set_params(p: ModelParams, paths: Sequence[str], values: np.ndarray, pace: float = 1.0) -> ModelParams:
    """ModelParams with each coefficient of `paths` an array over runs (`values`, (runs, D));
    `pace` multiplies every revision rate (clipped to its domain of at most 1 a day)."""
    for j, path in enumerate(paths):
        p = _set_param(p, path, np.asarray(values[:, j], dtype=np.float64))
    if pace != 1.0:
        n = values.shape[0]
        for path in REVISION_RATES:
            section, _, attr = path.partition(".")
            current = np.broadcast_to(np.asarray(getattr(getattr(p, section), attr), dtype=np.float64), (n,))
            p = _set_param(p, path, np.minimum(current * pace, 1.0))
    return p


#: how the runs of sets meet random worlds (module docstring)
WORLDS = ("set", "shared")


def run_sets(lever_cfgs: dict[str, RunConfig], paths: Sequence[str], values: np.ndarray, point_ids: np.ndarray,
             replications: int, structure: dict | None = None, worlds: str = "set") -> pd.DataFrame:
    """Runs of every set under every lever: one row per run, with the summary columns, the
    features, `lever`, `point_id` and `replication`. `worlds`: "set" (each set its own random
    worlds, the run index set * replications + r) or "shared" (run index r in every set).
    A lever's config may come as (config, kept paths): the set's values of those paths are
    not applied under that lever (a case keeps the coefficients it sets itself, `sim.cases`)."""
    if worlds not in WORLDS:
        raise ValueError(f"run_sets: worlds {worlds!r} is not one of {WORLDS}")
    n = values.shape[0]
    reps = np.tile(np.arange(replications), n)
    rows = np.repeat(np.arange(n), replications)
    keys = world_index(point_ids[rows], reps, replications) if worlds == "set" else reps
    pace = float((structure or {}).get("revision_pace", 1.0))
    parts = []
    for lever, cfg in lever_cfgs.items():
        cfg, kept = cfg if isinstance(cfg, tuple) else (cfg, ())
        cols = [j for j, path in enumerate(paths) if path not in kept]
        p = set_params(model_params(with_structure(cfg, structure)), [paths[j] for j in cols],
                       values[rows][:, cols], pace)
        cols = simulate_with_features(p, keys)
        df = pd.DataFrame(cols)
        df["formal_request_day"] = df["formal_request_day"].where(df["formal_request_day"] >= 0)
        df["lever"] = lever
        df["point_id"] = point_ids[rows]
        df["replication"] = reps
        df["horizon_days"] = p.horizon_days
        df["initial_troops"] = float(cfg.scenario.world.initial_troops)
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def outputs(runs: pd.DataFrame) -> pd.DataFrame:
    """Per set and lever, the outputs screening and the headline read: `p_request` (a formal
    request within the run), `share.<outcome>` and `time_to_request` (the mean of the days to
    a request, counting a run without one as the horizon: the restricted mean)."""
    out = {}
    for lever, part in runs.groupby("lever"):
        requested = part["formal_request_day"].notna()
        out[f"{lever}.p_request"] = requested.groupby(part["point_id"]).mean()
        for code, name in enumerate(outcomes.OUTCOMES):
            out[f"{lever}.share.{name}"] = (part["outcome"] == code).groupby(part["point_id"]).mean()
        days = part["formal_request_day"].fillna(part["horizon_days"]).clip(upper=part["horizon_days"])
        out[f"{lever}.time_to_request"] = days.groupby(part["point_id"]).mean()
    return pd.DataFrame(out)


def set_summary(lever_cfgs, paths, values, point_ids, replications, patterns, structure=None,
                worlds: str = "set") -> pd.DataFrame:
    """One row per set: its point id, coefficient values, pattern statistics and outputs."""
    runs = run_sets(lever_cfgs, paths, values, point_ids, replications, structure, worlds)
    stats = pat.statistics(runs, patterns) if patterns else pd.DataFrame(index=pd.Index(point_ids, name="point_id"))
    table = pd.DataFrame(values, columns=list(paths), index=pd.Index(point_ids, name="point_id"))
    return pd.concat([table, stats.add_prefix("pattern."), outputs(runs)], axis=1).reset_index()


# ---------------------------------------------------------------- chunks, saved as they finish
def fingerprint(doc: dict) -> str:
    """A hash of what decides a computation's rows, the model's code included."""
    full = {"code": model_code_hash(), **doc}
    return hashlib.sha256(json.dumps(full, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class Where:
    """Where a calibration's chunks are computed: `executor` (local | threads | ray, as a
    sweep's), `workers` (None: every core of this machine; for Ray, the tasks in flight and
    the CPUs of a local Ray instance) and `address` (the Ray cluster to join, or None)."""
    executor: str = "local"
    workers: int | None = None
    address: str | None = None


class Meter:
    """Progress through a stage's sets: a bar with the rate and the time left (tqdm, on
    stderr) when `bar`, else a log line at every tenth of the stage."""

    def __init__(self, label: str, bar: bool):
        self.label, self.bar = label, bar
        self._bar = None
        self.total = self.done = self._logged = 0

    def start(self, total: int, done: int) -> "Meter":
        self.total, self.done, self._logged = total, done, done
        if self.bar:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=done, unit="set", unit_scale=total >= 100_000, smoothing=0.1,
                             desc=self.label, file=sys.stderr)
        elif done:
            log.info("%s: %d of %d sets already computed (resumed)", self.label, done, total)
        return self

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.done - self._logged >= self.total / 10 or self.done == self.total:
            self._logged = self.done
            log.info("%s: %d of %d sets", self.label, self.done, self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _indexed_task(i: int, args) -> pd.DataFrame:
    """`_task`, with the task's index carried along (for `run_items`)."""
    return _task(args)


def _task(args) -> pd.DataFrame:
    lever_cfgs, paths, values, point_ids, replications, patterns, structure, worlds = args
    return set_summary(lever_cfgs, paths, values, point_ids, replications, patterns, structure, worlds)


def compute(tasks: list[tuple], out: Path, tag: str, where: Where = Where(),
            progress: Meter | None = None) -> pd.DataFrame:
    """Every task's set summaries, concatenated in task order. Each finished task is saved
    as `out/TAG-<i>.parquet` with its checksum (written under a temporary name, then
    renamed), and a task whose file exists is read back instead of computed again when
    the file is that task's chunk, intact (`sim.calibrate.tables.read_chunk`: the tag,
    which holds the fingerprint, the index, the checksum and the sets); any other file
    with its name is named in a warning and computed again. The tasks not read back are
    computed where `where` says; `progress` counts sets."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{tag}-{i:05d}.parquet" for i in range(len(tasks))]
    results: dict[int, pd.DataFrame] = {}
    todo = []
    for i, path in enumerate(paths):
        if path.exists() or path.is_symlink():
            df = tables.usable_chunk(path, tag, i, tasks[i][3])
            if df is not None:
                results[i] = df
                continue
        todo.append(i)
    workers = max(1, min(where.workers or default_workers(), len(todo) or 1))
    sets = [len(task[3]) for task in tasks]
    meter = progress.start(sum(sets), sum(sets[i] for i in results)) if progress else None
    try:
        stream = run_items(where.executor, _indexed_task, [(i, tasks[i]) for i in todo], workers,
                           address=where.address, preload=["sim.calibrate.runner"]) if todo else iter(())
        for (i, _), df in stream:
            tables.write_chunk(df, paths[i], tag, i)
            results[i] = df
            if meter:
                meter.update(sets[i])
    except WorkerLost as err:
        raise WorkerLost(f"{err}; the sets finished so far are saved in {out} and a rerun resumes from them") from None
    finally:
        if meter:
            meter.close()
    table = pd.concat([results[i] for i in range(len(tasks))], ignore_index=True)
    table.attrs["chunks"], table.attrs["reused_chunks"] = len(tasks), len(tasks) - len(todo)
    return table


def chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def plain(cfg: RunConfig) -> dict:
    return dataclasses.asdict(cfg)
