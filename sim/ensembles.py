"""A scenario's ensemble: many runs of one scenario with the batch engine, summarised as
what a class discusses: how runs end (`sim.model.outcomes`) and when Baghdad makes the
formal request that starts the one-year clock (F4, F10).

Run i of an ensemble with root seed S is the same random world as
`NegotiationModel.from_scenario(..., seed=S, run_index=i)` (keyed draws, docs/odd.md, "Randomness"),
so an ensemble can be set beside a single run or a role-played game fairly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .config import model_params, run_config
from .config.schema import RunConfig
from .engines.batch import simulate
from .model.outcomes import OUTCOMES

#: ends of the years the article looks at: "through 2020, likely into 2021" (F15)
YEAR_ENDS = {"2020": dt.date(2020, 12, 31), "2021": dt.date(2021, 12, 31)}


@dataclass(frozen=True)
class Ensemble:
    """Summaries of runs `run_ids` of one scenario under one root seed."""

    scenario: str
    seed: int
    run_ids: np.ndarray
    outcome: np.ndarray              # codes into OUTCOMES
    formal_request_week: np.ndarray  # -1 without a request
    horizon_weeks: int
    start_date: dt.date
    step_days: int
    #: every summary column of the runs (`summary.json`'s fields), by name
    columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def runs(self) -> int:
        return int(self.run_ids.size)

    def week_date(self, week: float) -> dt.date:
        """The date of a calendar week since the start date (weeks are 7 days, whatever the step)."""
        return self.start_date + dt.timedelta(days=7 * float(week))

    def last_week_by(self, date: dt.date) -> int:
        """The last calendar week that starts on or before `date`."""
        return (date - self.start_date).days // 7

    def outcome_shares(self) -> dict[str, float]:
        counts = np.bincount(self.outcome.astype(np.int64), minlength=len(OUTCOMES))
        return {name: float(c) / self.runs for name, c in zip(OUTCOMES, counts)}

    def request_weeks(self) -> np.ndarray:
        w = self.formal_request_week
        return np.sort(w[w >= 0])

    def share_requested_by(self, week: int) -> float:
        """Share of runs with a formal request in week `week` or earlier (F4)."""
        w = self.formal_request_week
        return float(((w >= 0) & (w <= week)).mean())

    def survival(self) -> tuple[np.ndarray, np.ndarray]:
        """Share of runs still without a formal request after each week 0..horizon.

        Every run is watched for a request to the horizon (no request can be made after
        it), so the Kaplan-Meier (1958) estimate with censoring at the horizon is the
        plain empirical share."""
        weeks = np.arange(self.horizon_weeks + 1)
        w = self.request_weeks()
        return weeks, 1.0 - np.searchsorted(w, weeks, side="right") / self.runs

    def median_request_week(self) -> float | None:
        """Median week of the formal request among the runs that made one (None if none did)."""
        w = self.request_weeks()
        return float(np.median(w)) if w.size else None

    def median_time_to_request(self) -> int | None:
        """First week by which half of all runs had made a request (the survival curve's
        median); None if fewer than half did within the horizon."""
        weeks, surv = self.survival()
        below = np.nonzero(surv <= 0.5)[0]
        return int(weeks[below[0]]) if below.size else None


def run_ensemble(scenario: str, runs: int = 2000, seed: int = 0, *, first_run: int = 0,
                 overrides: tuple[str, ...] = ()) -> Ensemble:
    """Runs first_run .. first_run + runs - 1 of a scenario with the batch engine (all at once:
    ConfigError for a run count that does not fit in memory)."""
    from .sweep.resources import check_runs_fit

    check_runs_fit(runs, "runs", at_once=True)
    return ensemble_of(scenario, np.arange(first_run, first_run + runs, dtype=np.int64), seed, overrides=overrides)


def ensemble_of(scenario: str, run_ids, seed: int = 0, *, overrides: tuple[str, ...] = ()) -> Ensemble:
    """The given runs of a scenario (e.g. one role-played world and the runs around it)."""
    cfg = run_config(scenario, seed, overrides)
    params = model_params(cfg)
    run_ids = np.asarray(run_ids, dtype=np.int64)
    cols = simulate(params, run_ids)
    return Ensemble(
        scenario=scenario, seed=int(params.seed), run_ids=run_ids,
        outcome=np.asarray(cols["outcome"]), formal_request_week=np.asarray(cols["formal_request_week"]),
        horizon_weeks=int(cfg.horizon_weeks), start_date=dt.date.fromisoformat(cfg.start_date),
        step_days=int(cfg.step_days), columns={k: np.asarray(v) for k, v in cols.items()},
    )


def ensemble_table(cfg: RunConfig, runs: int, *, block: int = 20_000):
    """Runs 0..runs-1 of a validated config with the batch engine, as a pandas DataFrame with
    the columns and types of a sweep's runs.parquet (`sim.sweep.chunk.compute_chunk` on a
    plan of one point, no lever and `runs` replications), computed `block` runs at a time.
    The config's seed must be resolved (an integer)."""
    import pyarrow as pa

    from .config.experiment import ExperimentConfig
    from .sweep.chunk import compute_chunk
    from .sweep.plan import NO_LEVER, Plan
    from .sweep.resources import check_runs_fit

    if cfg.seed is None:
        raise ValueError("ensemble_table needs a resolved seed (an integer), not None")
    check_runs_fit(runs, "runs")
    experiment = ExperimentConfig(name="ensemble", scenario=cfg.scenario.name, seed=int(cfg.seed),
                                  horizon_weeks=cfg.horizon_weeks, sampler="grid", replications=runs)
    plan = Plan(experiment=experiment, params=(), integer_params=(), samples=np.zeros((1, 0)), levers=(NO_LEVER,),
                lever_configs=(cfg,), replications=runs)
    parts = [compute_chunk(plan, "batch", start, min(start + block, runs)) for start in range(0, runs, block)]
    return pa.concat_tables(parts).to_pandas()


def statistics(e: Ensemble) -> dict:
    """The numbers of a facilitator's note and of `python -m sim.teach run`, as plain values."""
    median = e.median_request_week()
    stats = {
        "scenario": e.scenario,
        "seed": e.seed,
        "runs": e.runs,
        "outcome_shares": e.outcome_shares(),
        "share_with_request": float((e.formal_request_week >= 0).mean()),
        "median_request_week": median,
        "median_request_date": e.week_date(median).isoformat() if median is not None else None,
        "median_time_to_request_week": e.median_time_to_request(),
    }
    for year, end in YEAR_ENDS.items():
        stats[f"share_request_by_end_{year}"] = e.share_requested_by(e.last_week_by(end))
    return stats
