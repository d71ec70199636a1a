"""The calibration across cases and its out-of-sample predictions.

One prior sweep serves every subset of cases: each parameter set (a draw of the shared
behavioural coefficients, `sim.calibrate.priors`) is run `replications` times under Iraq
2020's two calibration levers (the article's bands, F15) and under each other case's own
scenario (with the coefficients that case sets kept at its values, `library.kept_paths`),
on common random numbers within the set. The sweep is computed and saved as the
calibration's is (`sim.calibrate.runner.compute`: verified chunks, any executor, resumed).

A subset of cases weighs each set by what those cases say about it (`weights`): Iraq 2020
by its bands (rejection ABC: 1 inside every band, else 0); every other case by the chance of
its observed outcome under the set, (count + 1) / (replications + 5) (a likelihood
estimated from the set's own runs, never zero). The posterior of a subset is the sets
weighted so; a case's prediction (`predict`) is the posterior predictive: `runs` sets drawn
with those weights (with replacement, seeded), each run once on the case's scenario in
worlds of its own, never the prior sweep's. Leaving a case out of the subset that weighs
the sets and predicting it is an out-of-sample test: nothing of that case's outcome has
touched the sets' weights.
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..calibrate import abc, runner
from ..calibrate import patterns as pat
from ..model import outcomes
from . import library
from . import scores as sc


@dataclass
class Sweep:
    """The prior sweep over the cases: one row per set (its coefficients, Iraq's pattern
    statistics, and per lever its outcome shares), the cases run, the paths drawn, the
    replications per set and lever, and each case's config with the paths it keeps."""
    table: pd.DataFrame
    cases: list[library.Case]
    paths: list[str]
    replications: int
    patterns: list[pat.Pattern]
    configs: dict
    seed: int
    reused_chunks: tuple[int, int]


def lever_configs(plan, cases: list[library.Case], seed: int, step_days: int) -> dict:
    """Iraq 2020's calibration levers (when Iraq is among the cases) and one lever per other
    case: its config with the prior paths it keeps."""
    levers: dict = {}
    if any(c.name == library.IRAQ for c in cases):
        levers.update(zip(plan.levers, plan.lever_configs))
    for c in cases:
        if c.name != library.IRAQ:
            levers[c.name] = (library.config(c.name, seed, step_days), library.kept_paths(c, list(plan.params)))
    return levers


def prior_sweep(calibration, cases: list[library.Case], sets: int, replications: int, out: Path,
                where: runner.Where, chunk_sets: int = 500, progress: runner.Meter | None = None) -> Sweep:
    """The prior sweep of `sets` parameter sets over `cases`, saved in `out` as verified chunks
    (`calibration`: the calibration's settings, for its experiment, bands and priors)."""
    from ..calibrate import pipeline

    exp = calibration.experiment
    patterns = pipeline.load_patterns(calibration.patterns)
    plan, _, _ = pipeline.prior_plan(calibration, sets, replications)
    levers = lever_configs(plan, cases, exp.seed, exp.step_days)
    paths = list(plan.params)
    used = patterns if any(c.name == library.IRAQ for c in cases) else []
    doc = {"plan": plan.fingerprint(), "patterns": [dataclasses.asdict(p) for p in used],
           "levers": {name: [runner.plain(cfg[0]), list(cfg[1])] if isinstance(cfg, tuple) else runner.plain(cfg)
                      for name, cfg in levers.items()}}
    tag = "cases-" + runner.fingerprint(doc)
    tasks = [(levers, paths, plan.samples[a:b], np.arange(a, b), replications, used, None, "set")
             for a, b in runner.chunks(plan.points, chunk_sets)]
    table = runner.compute(tasks, out, tag, where, progress)
    reused = (int(table.attrs.get("reused_chunks", 0)), int(table.attrs.get("chunks", 0)))
    return Sweep(table, cases, paths, replications, used, levers, exp.seed, reused)


def observed_count(sweep: Sweep, c: library.Case) -> np.ndarray:
    """Per set, how many of its runs of case `c` ended in the outcome `c` observed."""
    share = sweep.table[f"{c.name}.share.{c.observed}"].to_numpy(float)
    return np.rint(share * sweep.replications)


def weights(sweep: Sweep, members: list[library.Case]) -> np.ndarray:
    """Each set's weight given the cases `members` (module docstring): Iraq 2020's bands as
    0/1, every other member's observed outcome as (count + 1) / (replications + 5)."""
    w = np.ones(len(sweep.table))
    for c in members:
        if c.name == library.IRAQ:
            w = w * abc.accepted(sweep.table, sweep.patterns)
        else:
            w = w * (observed_count(sweep, c) + 1.0) / (sweep.replications + len(outcomes.OUTCOMES))
    return w


def effective_sets(w: np.ndarray) -> float:
    """Kish's effective sample size of weights `w`: (sum w)^2 / sum w^2."""
    total = float(w.sum())
    return total * total / float((w * w).sum()) if total > 0 else 0.0


@dataclass
class Prediction:
    """A case's posterior predictive: the runs (one per drawn set), the outcome
    probabilities (never zero), and the days from notice to departure of the runs in which
    US forces left after a notice."""
    case: library.Case
    members: list[str]
    runs: pd.DataFrame
    p: np.ndarray
    ess: float

    @property
    def departure_days(self) -> np.ndarray:
        r = self.runs
        done = (r["withdrawal_complete_day"] >= 0) & r["formal_request_day"].notna()
        return (r.loc[done, "withdrawal_complete_day"] - r.loc[done, "formal_request_day"]).to_numpy(float)


def predict(sweep: Sweep, c: library.Case, members: list[library.Case], runs: int) -> Prediction:
    """The posterior predictive of case `c` given the cases `members` (`c` should not be one
    of them for an out-of-sample prediction): `runs` sets drawn with their weights, each run
    once on `c`'s scenario. Its worlds are numbered after every world of the prior sweep,
    per case, so no prediction reuses the sweep's random numbers or another case's."""
    w = weights(sweep, members)
    if not (w > 0).any():
        from ..config import ConfigError

        raise ConfigError("--sets", len(sweep.table), f"enough parameter sets that some meet the bands of "
                          f"{', '.join(m.name for m in members if m.name == library.IRAQ)} (none of these did): "
                          "draw more sets (Iraq 2020 accepts about 2% of the prior)")
    rng = np.random.default_rng([sweep.seed, zlib.crc32(c.name.encode())])
    drawn = rng.choice(len(w), size=runs, p=w / w.sum())
    values = sweep.table[sweep.paths].to_numpy(float)[drawn]
    first = len(sweep.table) * sweep.replications + zlib.crc32(c.name.encode()) * runs
    cfg = sweep.configs.get(c.name) or (library.config(c.name, sweep.seed), library.kept_paths(c, sweep.paths))
    table = runner.run_sets({c.name: cfg}, sweep.paths, values, first + np.arange(runs), 1)
    p = sc.smoothed(sc.outcome_counts(table["outcome"].to_numpy()), runs)
    return Prediction(c, [m.name for m in members], table, p, effective_sets(w))
