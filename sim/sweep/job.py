"""One sweep job, as `python -m sim.sweep` and `sim.sweep(...)` run it: check the settings,
plan the experiment, run (or finish) the sweep, then write the extra outputs
(`sim.sweep.outputs`: format=csv, record.weeks)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .outputs import check_format, recording, write_outputs
from .plan import make_plan
from .runner import run_sweep
from .schema import SweepConfig


def default_out(experiment_name: str) -> Path:
    return Path("results") / "sweeps" / experiment_name


def run_job(sweep: SweepConfig, *, progress: bool, resolved_config: dict | None = None) -> tuple[dict, Path]:
    """Run the sweep `sweep` declares; return (metadata, output folder).

    Raises ConfigError before any run for a bad setting or declaration, and what
    `sim.sweep.runner.run_sweep` raises (SweepInterrupted, SweepFailed, OSError)."""
    fmt = check_format(sweep.format)
    exp = sweep.experiment
    if sweep.step_days is not None:  # the calendar's resolution, for this sweep only
        exp = dataclasses.replace(exp, step_days=sweep.step_days)
    plan = make_plan(exp, sweep.runs)
    rec = recording(plan, sweep.record)
    out = Path(sweep.out) if sweep.out else default_out(sweep.experiment.name)
    before = _metadata_bytes(out)
    meta = run_sweep(plan, out, engine=sweep.engine, executor=sweep.executor, workers=sweep.workers,
                     chunk_size=sweep.chunk_size, progress=progress, ray_address=sweep.ray_address,
                     overwrite=sweep.overwrite, resolved_config=resolved_config)
    recomputed = _metadata_bytes(out) != before  # the runner wrote a new metadata.json: a new table
    write_outputs(plan, out, fmt, rec, recomputed=recomputed)
    return meta, out


def _metadata_bytes(out: Path) -> bytes | None:
    try:
        return (out / "metadata.json").read_bytes()
    except OSError:
        return None
