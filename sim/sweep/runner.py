"""The sweep runner: chunk a plan, compute the chunks with an executor, write each chunk
when complete, resume after an interruption, and assemble runs.parquet and metadata.json.

Output folder:
    plan.json            what the runs are (fingerprint, counts, chunk size), written first
    chunks/*.parquet     finished chunks, each renamed into place only when complete
    runs.parquet         all rows sorted by run id, written when every chunk is done
    metadata.json        provenance, written last: its presence means the sweep is complete
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..config.validate import ConfigError
from ..provenance import git_commit, package_versions
from . import executors
from .plan import Plan

PACKAGES = ("numpy", "scipy", "mesa", "hydra-core", "omegaconf", "pandas", "pyarrow", "matplotlib")


class SweepInterrupted(Exception):
    pass


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".partial")
    write(tmp)
    os.replace(tmp, path)


def _write_json(path: Path, doc: dict) -> None:
    _atomic(path, lambda t: t.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"))


def chunk_ranges(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def _chunk_path(out: Path, start: int, stop: int) -> Path:
    return out / "chunks" / f"runs_{start:010d}_{stop:010d}.parquet"


def prepare_output(out: Path, plan: Plan, chunk_size: int, overwrite: bool) -> tuple[int, bool]:
    """Create or reuse the output folder; returns (chunk size to use, already complete)."""
    plan_file = out / "plan.json"
    doc = {"fingerprint": plan.fingerprint(), "total_runs": plan.total_runs, "chunk_size": chunk_size,
           "experiment": plan.experiment.name}
    if plan_file.exists() and not overwrite:
        old = json.loads(plan_file.read_text())
        if old["fingerprint"] != doc["fingerprint"] or old["total_runs"] != doc["total_runs"]:
            raise ConfigError("out", str(out), "a folder holding this same sweep (it holds a different one); "
                              "choose another out=DIR or pass overwrite=true")
        complete = (out / "metadata.json").exists() and (out / "runs.parquet").exists()
        return int(old["chunk_size"]), complete
    if overwrite and out.exists():
        for name in ("metadata.json", "runs.parquet", "plan.json"):
            (out / name).unlink(missing_ok=True)
        for f in (out / "chunks").glob("*.parquet") if (out / "chunks").exists() else []:
            f.unlink()
    (out / "chunks").mkdir(parents=True, exist_ok=True)
    _write_json(plan_file, doc)
    return chunk_size, False


def run_sweep(plan: Plan, out: Path, *, engine: str = "batch", executor: str = "local", workers: int | None = None,
              chunk_size: int = 10000, progress: bool = False, ray_address: str | None = None,
              overwrite: bool = False, resolved_config: dict | None = None) -> dict:
    """Run (or finish) the sweep into `out`; return the metadata written."""
    if chunk_size < 1:
        raise ConfigError("chunk_size", chunk_size, "an integer >= 1")
    if workers is not None and workers < 1:
        raise ConfigError("workers", workers, "an integer >= 1, or null for all cores")
    if executor not in executors.EXECUTOR_NAMES:
        raise ConfigError("executor", executor, f"one of {list(executors.EXECUTOR_NAMES)}")
    if engine not in ("batch", "mesa"):
        raise ConfigError("engine", engine, "one of ['batch', 'mesa']")
    workers = workers or executors.default_workers()
    out = Path(out)
    chunk_size, complete = prepare_output(out, plan, chunk_size, overwrite)
    if complete:
        meta = json.loads((out / "metadata.json").read_text())
        print(f"sweep already complete in {out} ({meta['run_count']} runs); pass overwrite=true to run it again",
              file=sys.stderr)
        return meta

    chunks = chunk_ranges(plan.total_runs, chunk_size)
    todo = [c for c in chunks if not _chunk_path(out, *c).exists()]
    done_runs = plan.total_runs - sum(stop - start for start, stop in todo)
    if done_runs:
        print(f"resuming: {done_runs} of {plan.total_runs} runs already done in {out}", file=sys.stderr)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=plan.total_runs, initial=done_runs, unit="run", unit_scale=True, smoothing=0.1,
                   desc=plan.experiment.name, file=sys.stderr)
    t0 = time.perf_counter()
    computed = 0
    stops = dict(todo)
    if executor == "local":
        stream = executors.run_local(plan, engine, todo, workers)
    else:
        stream = executors.run_ray(plan, engine, todo, workers, ray_address)
    try:
        for start, table in stream:
            path = _chunk_path(out, start, stops[start])
            _atomic(path, lambda t, table=table: pq.write_table(table, t))
            computed += table.num_rows
            if bar is not None:
                bar.update(table.num_rows)
    except KeyboardInterrupt:
        stream.close()
        if bar is not None:
            bar.close()
        left = plan.total_runs - done_runs - computed
        raise SweepInterrupted(
            f"interrupted: {done_runs + computed} of {plan.total_runs} runs are saved in {out}/chunks; "
            f"{left} remain. Run the same command again to finish the sweep."
        ) from None
    finally:
        if bar is not None:
            bar.close()
    compute_time = time.perf_counter() - t0

    table = pa.concat_tables(pq.read_table(_chunk_path(out, *c)) for c in chunks)
    if table.num_rows != plan.total_runs:
        raise RuntimeError(f"{out}: {table.num_rows} rows assembled, {plan.total_runs} expected")
    _atomic(out / "runs.parquet", lambda t: pq.write_table(table, t))
    wall = time.perf_counter() - t0
    meta = {
        "experiment": plan.experiment.name,
        "scenario": plan.experiment.scenario,
        "root_seed": plan.experiment.seed,
        "fingerprint": plan.fingerprint(),
        "run_count": plan.total_runs,
        "points": plan.points,
        "levers": list(plan.levers),
        "replications": plan.replications,
        "parameters": list(plan.params),
        "runs_computed_this_invocation": computed,
        "resumed": done_runs > 0,
        "wall_time_s": round(wall, 3),
        "compute_time_s": round(compute_time, 3),
        "runs_per_second": round(computed / compute_time, 1) if computed and compute_time > 0 else None,
        "engine": engine,
        "executor": executor,
        "workers": workers,
        "chunk_size": chunk_size,
        "git_commit": git_commit(),
        "packages": package_versions(PACKAGES),
        "experiment_config": asdict(plan.experiment),
        "resolved_config": resolved_config,
    }
    _write_json(out / "metadata.json", meta)
    for c in chunks:
        _chunk_path(out, *c).unlink(missing_ok=True)
    try:
        (out / "chunks").rmdir()
    except OSError:
        pass
    return meta
