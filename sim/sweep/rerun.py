"""Re-running chosen runs of a finished sweep with their weekly trajectories.

This is the public function through which analysis code may run the model (docs/architecture.md):
a sweep table holds one summary row per run; plots over time (fan charts) need the weeks.
Run `run_id` of a sweep is rebuilt from the plan, which is re-created from the sweep's
`metadata.json` (its experiment declaration, its lever order and its run count), and run
in the Mesa model with `run_index` = its world (`Plan.worlds`), so it draws exactly the random
numbers it drew in the sweep (`sim.model.draws`). Given a sweep folder, every re-run's
summary is checked against the table's row.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..abm.model import NegotiationModel
from ..model.state import summary_kinds
from .plan import Plan, make_plan, run_params
from .schema import ExperimentConfig, UncertaintyConfig
from .verify import verify_sweep

#: summary fields compared between a re-run and its row in runs.parquet: every summary column
#: the state declares (`sim.model.state.summary_kinds`)
CHECKED_FIELDS = tuple(summary_kinds())


class RerunMismatch(RuntimeError):
    """A re-run's summary differs from the sweep table's row (the code or the plan changed)."""


def experiment_from_metadata(meta: dict) -> ExperimentConfig:
    """The experiment declaration recorded in a sweep's metadata.json, levers in the sweep's order.

    metadata.json is written with sorted keys, so the levers' order (which fixes the run ids)
    is taken from its `levers` list, not from the dict."""
    doc = dict(meta["experiment_config"])
    levers = doc.get("levers") or {}
    order = [name for name in meta.get("levers", []) if name in levers]
    doc["levers"] = {name: levers[name] for name in order} if order else dict(levers)
    doc["uncertainties"] = [UncertaintyConfig(**u) for u in doc.get("uncertainties", [])]
    return ExperimentConfig(**doc)


def plan_from_sweep(sweep_dir) -> Plan:
    """The plan of the sweep in `sweep_dir`, checked against the fingerprint it recorded; its
    files are checked against their checksums first (`verify.verify_sweep`)."""
    _, meta = verify_sweep(sweep_dir)
    plan = make_plan(experiment_from_metadata(meta), meta["run_count"])
    if meta.get("fingerprint") and plan.fingerprint() != meta["fingerprint"]:
        raise RerunMismatch(
            f"{sweep_dir}: the plan re-created from metadata.json has fingerprint {plan.fingerprint()}, "
            f"the sweep recorded {meta['fingerprint']} (the experiment declaration or the code changed)")
    return plan


def run_one(plan: Plan, run_id: int) -> tuple[dict, pd.DataFrame]:
    """Summary and weekly trajectory of one run of the plan (Mesa model, record=True)."""
    lever, point, replication = (int(a[0]) for a in plan.locate([run_id]))
    params = run_params(plan, lever, np.array([point])).row(0)
    model = NegotiationModel(params, run_index=int(plan.worlds(point, replication)), record=True)
    summary = model.run()
    return summary, model.trajectory()


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    return a == b


def check_summary(run_id: int, summary: dict, row: dict) -> None:
    """Raise RerunMismatch naming the fields where a re-run differs from its table row."""
    diffs = [f"{k}: table {row[k]!r}, re-run {summary[k]!r}" for k in CHECKED_FIELDS
             if k in row and not _same(None if pd.isna(row[k]) else row[k], summary[k])]
    if diffs:
        raise RerunMismatch(f"run {run_id}: the re-run differs from runs.parquet ({'; '.join(diffs)})")


def trajectories(sweep_dir_or_plan, run_ids) -> pd.DataFrame:
    """Weekly trajectories of runs `run_ids` of a sweep, one row per run and week, with a
    `run_id` column first (and `lever`).

    `sweep_dir_or_plan` is a finished sweep's folder (runs.parquet + metadata.json; each
    re-run's summary is checked against its row, RerunMismatch if it differs) or a `Plan`
    (no check)."""
    run_ids = [int(r) for r in np.asarray(run_ids, dtype=np.int64).ravel()]
    if isinstance(sweep_dir_or_plan, Plan):
        plan, rows = sweep_dir_or_plan, None
    else:
        sweep_dir = Path(sweep_dir_or_plan)
        plan = plan_from_sweep(sweep_dir)
        table = pd.read_parquet(sweep_dir / "runs.parquet", filters=[("run_id", "in", run_ids)] if run_ids else None)
        rows = {int(r["run_id"]): r for r in table.to_dict("records")}
    bad = [r for r in run_ids if not 0 <= r < plan.total_runs]
    if bad:
        raise ValueError(f"run ids {bad[:5]} are not in the sweep (0..{plan.total_runs - 1})")
    frames = []
    for run_id in run_ids:
        summary, traj = run_one(plan, run_id)
        if rows is not None:
            check_summary(run_id, summary, rows[run_id])
        lever = plan.levers[int(plan.locate([run_id])[0][0])]
        frames.append(traj.assign(run_id=run_id, lever=lever))
    if not frames:
        return pd.DataFrame(columns=["run_id", "lever", "week"])
    out = pd.concat(frames, ignore_index=True)
    return out[["run_id", "lever"] + [c for c in out.columns if c not in ("run_id", "lever")]]
