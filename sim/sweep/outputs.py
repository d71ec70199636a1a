"""What a sweep writes besides runs.parquet and metadata.json, once those are complete.

- `format=csv`: runs.csv, the same rows and columns as runs.parquet (and series.csv beside
  series.parquet), for tools that do not read Parquet.
- `record.weeks=[52,104]`: chosen weekly series (by default troops, Iranian influence and
  the request's state) at chosen weeks, as a second table, series.parquet: one row per run
  and week, `run_id` first, so it joins runs.parquet on `run_id`.

Weeks are calendar weeks since the start date (6 January 2020): week w ends on day 7w, and
is recorded at the end of the model step that contains that day, so the option means the
same thing whatever the step length. The series are computed by running the sweep's runs
again with the batch engine (the same random numbers, so the same runs: each chunk's
outcomes are checked against runs.parquet) and reading the state after the chosen steps
(`sim.engines.batch.simulate`'s `observe`). This is a second pass over the runs: it costs
about what the sweep cost on one worker.

Every file is written under a temporary name and renamed when complete. When a sweep is
computed again (overwrite=true, or a new plan), the extra files of the old one are removed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..config.validate import ConfigError
from ..files import atomic_write
from ..model.outcomes import OUTCOMES, REQUEST_STATES
from ..model.state import FIELDS
from .chunk import table_checksum
from .plan import Plan, run_params
from .schema import FORMATS, RecordConfig
from .verify import SERIES_KEY

EXTRA_FILES = ("runs.csv", "series.parquet", "series.csv")
#: runs computed at once in the recording pass
RECORD_BLOCK = 20_000


@dataclasses.dataclass(frozen=True)
class Recording:
    """Which series to record at which weeks, and the model step and date of each week."""

    weeks: tuple[int, ...]
    steps: tuple[int, ...]
    dates: tuple[str, ...]
    series: tuple[str, ...]


def check_format(fmt: object) -> str:
    if fmt not in FORMATS:
        raise ConfigError("format", fmt, " or ".join(FORMATS))
    return str(fmt)


def step_of_week(week: int, step_days: int) -> int:
    """The model step whose days contain the last day of calendar week `week` (day 7 * week)."""
    return math.ceil(7 * week / step_days)


def recording(plan: Plan, record: RecordConfig) -> Recording | None:
    """The checked recording of `record` for this plan, or None when no week is asked for.
    ConfigError names record.weeks or record.series and what is allowed."""
    weeks = list(record.weeks or [])
    if not weeks:
        return None
    cfg = plan.lever_configs[0]
    step_days, horizon = int(cfg.step_days), int(plan.experiment.horizon_weeks)
    last_week = horizon  # calendar weeks since the start date, whatever the step
    for w in weeks:
        if isinstance(w, bool) or not isinstance(w, int) or not 0 <= w <= last_week:
            raise ConfigError("record.weeks", weeks, f"whole numbers of weeks since {cfg.start_date}, from 0 to "
                              f"{last_week} (the experiment's horizon_weeks)")
    if len(set(weeks)) != len(weeks):
        raise ConfigError("record.weeks", weeks, "each week once")
    available = _series_names(plan)
    series = list(record.series or [])
    unknown = [s for s in series if s not in available]
    if not series or unknown or len(set(series)) != len(series):
        raise ConfigError("record.series", series, f"one or more of {', '.join(available)}, each once")
    weeks.sort()
    steps = [step_of_week(w, step_days) for w in weeks]
    start = dt.date.fromisoformat(cfg.start_date)
    dates = [(start + dt.timedelta(days=s * step_days)).isoformat() for s in steps]
    return Recording(tuple(weeks), tuple(steps), tuple(dates), tuple(series))


def _series_names(plan: Plan) -> list[str]:
    """The state variables with one value per run (the series that can be recorded)."""
    return [f.name for f in FIELDS if not f.per_faction and not f.name.startswith("forced_")]


# ---------------------------------------------------------------- the recording pass
def record_series(plan: Plan, rec: Recording, expected: pa.Table | None = None) -> pa.Table:
    """The series table: one row per run and recorded week, sorted by run id and week.

    `expected` (run_id, outcome, formal_request_week of runs.parquet), if given, is checked
    against the runs computed here; a difference means the table was computed by other code."""
    from ..engines.batch import simulate

    wanted = {step: i for i, step in enumerate(rec.steps)}
    parts = []
    for start in range(0, plan.total_runs, RECORD_BLOCK):
        run_ids = np.arange(start, min(start + RECORD_BLOCK, plan.total_runs), dtype=np.int64)
        lever, point, replication = plan.locate(run_ids)
        for k in np.unique(lever):
            sel = lever == k
            seen: dict[int, dict[str, np.ndarray]] = {}

            def observe(step, state, seen=seen):
                if step in wanted:
                    seen[step] = {name: np.array(getattr(state, name), copy=True) for name in rec.series}

            cols = simulate(run_params(plan, int(k), point[sel]), plan.worlds(point[sel], replication[sel]),
                            observe=observe)
            if expected is not None:
                _check_runs(run_ids[sel], cols, expected)
            parts.append(_rows(run_ids[sel], rec, seen))
    table = pa.concat_tables(parts)
    return table.replace_schema_metadata({SERIES_KEY: json.dumps({
        "fingerprint": plan.fingerprint(), "weeks": list(rec.weeks), "steps": list(rec.steps),
        "series": list(rec.series), "step_days": int(plan.lever_configs[0].step_days),
        "start_date": plan.lever_configs[0].start_date, "checksum": table_checksum(table)}, sort_keys=True)})


def _rows(run_ids: np.ndarray, rec: Recording, seen: dict[int, dict[str, np.ndarray]]) -> pa.Table:
    n, w = run_ids.size, len(rec.weeks)
    data = {
        "run_id": pa.array(np.repeat(run_ids, w), type=pa.int64()),
        "week": pa.array(np.tile(np.asarray(rec.weeks, dtype=np.int64), n), type=pa.int64()),
        "step": pa.array(np.tile(np.asarray(rec.steps, dtype=np.int64), n), type=pa.int64()),
        "date": pa.array(np.tile(np.asarray(rec.dates, dtype=object), n), type=pa.string()),
    }
    for name in rec.series:
        values = np.stack([seen[step][name] for step in rec.steps], axis=1).ravel()  # (runs, weeks), row-major
        if name == "request_state":
            data[name] = pa.array(np.asarray(REQUEST_STATES, dtype=object)[values.astype(np.int64)], type=pa.string())
        elif values.dtype == np.bool_:
            data[name] = pa.array(values, type=pa.bool_())
        elif np.issubdtype(values.dtype, np.integer):
            data[name] = pa.array(values.astype(np.int64), type=pa.int64())
        else:
            data[name] = pa.array(values.astype(np.float64), type=pa.float64())
    return pa.table(data)


def _check_runs(run_ids: np.ndarray, cols: dict, expected: pa.Table) -> None:
    ids = expected.column("run_id").to_numpy()
    lo = int(np.searchsorted(ids, run_ids[0]))
    rows = expected.slice(lo, run_ids.size)
    outcome = np.asarray(rows.column("outcome").to_pylist(), dtype=object)
    week = rows.column("formal_request_week").fill_null(-1).to_numpy()
    same = (np.array_equal(rows.column("run_id").to_numpy(), run_ids)
            and np.array_equal(outcome, np.asarray(OUTCOMES, dtype=object)[cols["outcome"]])
            and np.array_equal(week, cols["formal_request_week"]))
    if not same:
        raise ConfigError("record", f"runs {run_ids[0]}..{run_ids[-1]}",
                          "a sweep whose runs.parquet this code reproduces (re-running them gave other outcomes: "
                          "was the table written by other code? run the sweep again with overwrite=true)")


# ---------------------------------------------------------------- writing
def remove_extra_outputs(out: Path) -> None:
    """Remove the extra files of a sweep computed before (they describe another table)."""
    for name in EXTRA_FILES:
        (Path(out) / name).unlink(missing_ok=True)


def write_outputs(plan: Plan, out: Path, fmt: str, rec: Recording | None, *, recomputed: bool) -> list[Path]:
    """Write the extra outputs of a complete sweep in `out`; return their paths.
    `recomputed`: this invocation computed runs, so extra files found from before are stale."""
    out = Path(out)
    if recomputed:
        remove_extra_outputs(out)
    written = []
    if rec is not None:
        expected = pq.read_table(out / "runs.parquet", columns=["run_id", "outcome", "formal_request_week"])
        series = record_series(plan, rec, expected)
        atomic_write(out / "series.parquet", lambda t: pq.write_table(series, t))
        written.append(out / "series.parquet")
        if fmt == "csv":
            atomic_write(out / "series.csv", lambda t: pacsv.write_csv(series.replace_schema_metadata(None), t))
            written.append(out / "series.csv")
    if fmt == "csv":
        runs = pq.read_table(out / "runs.parquet").replace_schema_metadata(None)
        atomic_write(out / "runs.csv", lambda t: pacsv.write_csv(runs, t))
        written.append(out / "runs.csv")
    return written
