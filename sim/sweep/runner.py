"""The sweep runner: chunk a plan, compute the chunks with an executor, write each chunk
when complete, resume after an interruption, and assemble runs.parquet and metadata.json.

Output folder:
    sweep.lock           held (flock) while a sweep runs in the folder; says who holds it
    plan.json            what the runs are (fingerprint, counts, chunk size), written first
    chunks/*.parquet     finished chunks, each renamed into place only when complete
    runs.parquet         all rows sorted by run id, written when every chunk is done
    metadata.json        provenance, written last: its presence means the sweep is complete

Integrity. Every chunk carries in its Parquet schema metadata (key `sim.sweep.chunk`) the
plan's fingerprint, its run range, its row count and a checksum of its content
(`chunk.table_checksum`), and the invocation that computed it. On a rerun a chunk file is
used only when it can be read and all of these match; any other file with a chunk's name
(truncated, from another sweep or seed, copied over another chunk, written by older code)
is named in a one-line warning and computed again. The assembled table must hold exactly
the run ids 0..N-1, each once, in order, before runs.parquet and metadata.json are written;
runs.parquet carries the fingerprint, run count, its checksum and the checksum of the
metadata.json written with it (key `sim.sweep`, `sim.sweep.verify`), so whoever reads the
folder (sim.analyze, sim.Sweep, this runner finding a sweep complete) refuses a table or a
metadata.json edited since. A folder that looks complete but fails that check is refused
(exit 2) rather than reported as complete. A folder without plan.json
that holds anything (another sweep's results, or anything else) is never written into
without overwrite=true. metadata.json lists every invocation that computed chunks of the
table (`invocations`: engine, executor, workers, chunk size, host, runs computed).

Stopping. Ctrl-C (SIGINT, exit 130) and SIGTERM (exit 143, what `timeout`, SLURM and
container runtimes send) stop the workers, keep every finished chunk and say that running
the same command again resumes. A worker that dies (exit 1) is reported the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..config.validate import ConfigError
from ..files import atomic_write, check_destination
from ..provenance import git_commit, package_versions
from . import executors, resources
from .chunk import table_checksum
from .lock import LOCK_NAME, SweepLock
from .plan import Plan
from .verify import TABLE_KEY, ChecksumMismatch, metadata_digest, read_tag, recompute_hint, verify_sweep

PACKAGES = ("numpy", "scipy", "mesa", "hydra-core", "omegaconf", "pandas", "pyarrow", "matplotlib")
CHUNK_KEY = b"sim.sweep.chunk"
#: chunk_size below this is refused unless the sweep has at most SMALL_SWEEP runs: every
#: chunk costs a fixed time (the engine's loop over all the weeks, plan parameters, a Parquet
#: file and a rename) whatever its size, so chunk_size=1 made a sweep hundreds of times slower
MIN_CHUNK_SIZE = 100
SMALL_SWEEP = 1000


class SweepInterrupted(Exception):
    """Stopped by Ctrl-C (exit 130) or SIGTERM (exit 143); finished chunks are kept."""

    def __init__(self, message: str, exit_code: int = 130):
        super().__init__(message)
        self.exit_code = exit_code


class SweepFailed(Exception):
    """Stopped by something outside the sweep's input (a worker died); a rerun resumes. Exit 1.
    `worker_lost`: a local worker died, and the process pool's own threads may never end
    (a command then exits at once after its message: `sim.cli.exit_now`)."""

    exit_code = 1

    def __init__(self, message: str, worker_lost: bool = False):
        super().__init__(message)
        self.worker_lost = worker_lost


class Terminated(BaseException):
    """Raised in the main thread by the SIGTERM handler (a BaseException, like KeyboardInterrupt,
    so that no library's `except Exception` swallows it)."""


@contextmanager
def sigterm_raises():
    """Inside this block SIGTERM raises Terminated in the main thread (as Ctrl-C raises
    KeyboardInterrupt), so the runner stops the workers and reports what is saved. Outside
    the main thread (where no signal handler can be set) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated()

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _write_json(path: Path, doc: dict) -> None:
    atomic_write(path, lambda t: t.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"))


def chunk_ranges(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def _chunk_path(out: Path, start: int, stop: int) -> Path:
    return out / "chunks" / f"runs_{start:010d}_{stop:010d}.parquet"


# ---------------------------------------------------------------- chunk files
def chunk_metadata(table: pa.Table, fingerprint: str, start: int, stop: int, invocation: dict) -> dict:
    return {"fingerprint": fingerprint, "start": start, "stop": stop, "rows": table.num_rows,
            "checksum": table_checksum(table), "invocation": invocation,
            "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def with_chunk_metadata(table: pa.Table, meta: dict) -> pa.Table:
    return table.replace_schema_metadata({CHUNK_KEY: json.dumps(meta, sort_keys=True)})


def read_chunk(path: Path, fingerprint: str, start: int, stop: int) -> tuple[pa.Table | None, dict | None, str]:
    """The chunk file's table (schema metadata removed) and its metadata if it is chunk
    start..stop-1 of the plan with this fingerprint, intact; else (None, None, why not)."""
    try:
        table = pq.read_table(path)
    except Exception as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:160]
        return None, None, f"unreadable ({first})"
    raw = (table.schema.metadata or {}).get(CHUNK_KEY)
    if raw is None:
        return None, None, "it carries no sweep metadata (written by other code?)"
    try:
        meta = json.loads(raw)
        fp, lo, hi, rows, checksum = (meta[k] for k in ("fingerprint", "start", "stop", "rows", "checksum"))
    except (ValueError, KeyError, TypeError):
        return None, None, "its sweep metadata is damaged"
    if fp != fingerprint:
        return None, None, f"it belongs to another sweep (plan fingerprint {fp}, this plan's is {fingerprint})"
    if (lo, hi) != (start, stop):
        return None, None, f"it holds runs {lo}..{hi - 1}, not {start}..{stop - 1}"
    table = table.replace_schema_metadata(None)
    if rows != stop - start or table.num_rows != rows:
        return None, None, f"it has {table.num_rows} rows, {stop - start} expected"
    if table_checksum(table) != checksum:
        return None, None, "its content does not match its checksum (changed or damaged)"
    ids = table.column("run_id").to_numpy() if "run_id" in table.column_names else None
    if ids is None or not np.array_equal(ids, np.arange(start, stop)):
        return None, None, "its run ids are not its range"
    return table, meta, ""


def check_run_ids(table: pa.Table, total: int) -> None:
    """The assembled table holds run ids 0..total-1, each once, in order."""
    ids = table.column("run_id").to_numpy()
    if ids.size != total or not np.array_equal(ids, np.arange(total, dtype=ids.dtype)):
        uniq = np.unique(ids).size
        raise SweepFailed(f"the assembled table holds {ids.size} rows with {uniq} distinct run ids, not the run ids "
                          f"0..{total - 1} once each; nothing was written (this is a bug: please report it)")


# ---------------------------------------------------------------- folder
def prepare_output(out: Path, plan: Plan, chunk_size: int, overwrite: bool) -> tuple[int, bool]:
    """Create or reuse the output folder; returns (chunk size to use, already complete)."""
    plan_file = out / "plan.json"
    doc = {"fingerprint": plan.fingerprint(), "total_runs": plan.total_runs, "chunk_size": chunk_size,
           "experiment": plan.experiment.name}
    finished = [n for n in ("runs.parquet", "metadata.json") if (out / n).exists()]
    if plan_file.exists() and not overwrite:
        try:
            old = json.loads(plan_file.read_text())
            same = old["fingerprint"] == doc["fingerprint"] and old["total_runs"] == doc["total_runs"]
            old_chunk = int(old["chunk_size"])
            if old_chunk < 1:
                raise ValueError(old_chunk)
        except (ValueError, KeyError, TypeError):
            raise ConfigError("out", str(out), "a folder with a readable plan.json (it is damaged); choose another "
                              "out=DIR or pass overwrite=true") from None
        if not same:
            raise ConfigError("out", str(out), "a folder holding this same sweep (it holds a different one); "
                              "choose another out=DIR or pass overwrite=true")
        complete = len(finished) == 2 and _metadata_matches(out, doc)
        return old_chunk, complete
    if not plan_file.exists() and not overwrite:
        held = foreign_content(out)
        if held:
            shown = ", ".join(held[:4]) + (f" and {len(held) - 4} more" if len(held) > 4 else "")
            raise ConfigError("out", str(out), f"an empty folder or one holding this sweep (it holds {shown} but no "
                              "plan.json: another sweep's results, or not a sweep folder); choose another out=DIR or "
                              "pass overwrite=true")
    if overwrite and out.exists():
        for name in ("metadata.json", "runs.parquet", "plan.json"):
            (out / name).unlink(missing_ok=True)
        for f in (out / "chunks").glob("*.parquet") if (out / "chunks").exists() else []:
            shutil.rmtree(f) if f.is_dir() and not f.is_symlink() else f.unlink()
    (out / "chunks").mkdir(parents=True, exist_ok=True)
    _write_json(plan_file, doc)
    return chunk_size, False


def foreign_content(out: Path) -> list[str]:
    """What a folder holds besides the sweep lock and an empty chunks/ folder (sorted names)."""
    if not out.is_dir():
        return []
    held = []
    for entry in sorted(out.iterdir()):
        if entry.name == LOCK_NAME:
            continue
        if entry.name == "chunks" and entry.is_dir() and not any(entry.iterdir()):
            continue
        held.append(entry.name + ("/" if entry.is_dir() else ""))
    return held


def table_tag(path: Path) -> dict | None:
    """The sweep record (fingerprint, run_count, checksum, metadata) a runs.parquet carries in
    its schema metadata, or None if it carries none or cannot be read."""
    return read_tag(path, TABLE_KEY)


def _metadata_matches(out: Path, plan_doc: dict) -> bool:
    """metadata.json and runs.parquet both describe this plan (else the folder is finished
    again), and both match the checksums written with them: a folder of this plan whose
    table or metadata.json was changed since is refused (ChecksumMismatch), never reported
    complete."""
    try:
        meta = json.loads((out / "metadata.json").read_text())
        rows = pq.read_metadata(out / "runs.parquet").num_rows
    except (OSError, ValueError, pa.ArrowException):
        meta, rows = None, None
    tag = table_tag(out / "runs.parquet") or {}
    if tag.get("fingerprint") != plan_doc["fingerprint"] or tag.get("run_count") != plan_doc["total_runs"]:
        return False  # another plan's table (or none): computed again
    if not (isinstance(meta, dict) and meta.get("fingerprint") == plan_doc["fingerprint"]
            and meta.get("run_count") == plan_doc["total_runs"] == rows):
        raise ChecksumMismatch(out / "metadata.json", "it does not describe runs.parquet, which holds this sweep's "
                               "table (edited, damaged, or another sweep's)", recompute_hint(out, tag))
    verify_sweep(out)
    return True


def _check_settings(plan: Plan, out: Path, engine: str, executor: str, workers, chunk_size) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ConfigError("chunk_size", chunk_size, "an integer >= 1")
    if chunk_size < MIN_CHUNK_SIZE and plan.total_runs > SMALL_SWEEP:
        raise ConfigError("chunk_size", chunk_size, f"at least {MIN_CHUNK_SIZE} for a sweep of more than "
                          f"{SMALL_SWEEP:,} runs (this one has {plan.total_runs:,}): every chunk costs a fixed time "
                          "whatever its size, so tiny chunks make a sweep many times slower")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError("workers", workers, "an integer >= 1, or null for all cores")
    if engine not in ("batch", "mesa"):
        raise ConfigError("engine", engine, "one of ['batch', 'mesa']")
    workers = workers or executors.default_workers()
    _check_memory(plan, workers if executor in ("local", "threads") else 1, chunk_size)
    return workers


def _check_memory(plan: Plan, local_workers: int, chunk_size: int) -> None:
    """Refuse a sweep whose assembly (the whole table in memory) or whose computing (a chunk
    per local worker) does not fit in the memory this machine has available now, naming the
    setting to change."""
    have = resources.available_memory()
    if have is None:
        return
    human = resources.human
    assemble = resources.assembly_memory(plan.total_runs, len(plan.params))
    if assemble > have:
        raise ConfigError("runs", plan.total_runs, f"a sweep that fits in this machine's memory: {plan.total_runs:,} "
                          f"runs need about {human(assemble)} (the whole table is assembled in memory), {human(have)} "
                          "is available; run fewer runs, or several sweeps with other seeds")
    compute = resources.compute_memory(plan.total_runs, local_workers, chunk_size)
    if compute > have:
        key, value = ("workers", local_workers) if resources.compute_memory(1, local_workers, 1) > have \
            else ("chunk_size", chunk_size)
        raise ConfigError(key, value, f"settings whose chunks fit in this machine's memory: {local_workers} worker(s) "
                          f"computing chunks of {min(chunk_size, plan.total_runs):,} runs need about {human(compute)}, "
                          f"{human(have)} is available; use fewer workers or a smaller chunk_size")


def _check_disk(plan: Plan, out: Path) -> None:
    """Refuse a sweep whose chunks and table will not fit on the disk of `out` (chunks of an
    earlier invocation already there count as room: they are part of the need)."""
    resources.check_disk_room(out, resources.sweep_disk(plan.total_runs, len(plan.params)), "the sweep",
                              "the chunks and runs.parquet", reused=resources.folder_bytes(out / "chunks"))


def _saved(out: Path, chunks) -> int:
    return sum(stop - start for start, stop in chunks if _chunk_path(out, start, stop).exists())


# ---------------------------------------------------------------- the sweep
def run_sweep(plan: Plan, out: Path, *, engine: str = "batch", executor: str = "local", workers: int | None = None,
              chunk_size: int = 10000, progress: bool = False, ray_address: str | None = None,
              overwrite: bool = False, resolved_config: dict | None = None) -> dict:
    """Run (or finish) the sweep into `out`; return the metadata written.

    Raises ConfigError (bad settings, a folder holding something else, a folder in use,
    not enough memory or disk), SweepInterrupted (Ctrl-C, SIGTERM) or SweepFailed (a worker
    died); in all three cases finished chunks are kept and nothing looks complete. An
    OSError (a full or read-only disk) is left to the caller to report."""
    out = Path(out)
    check_destination(out, "out")
    workers = _check_settings(plan, out, engine, executor, workers, chunk_size)
    executors.check_executor(executor, ray_address)
    out.mkdir(parents=True, exist_ok=True)
    _check_disk(plan, out)
    settings = {"engine": engine, "executor": executor, "workers": workers, "ray_address": ray_address}
    with SweepLock(out), sigterm_raises():
        chunks: list[tuple[int, int]] = []
        try:
            return _run_locked(plan, out, settings, chunk_size, progress, overwrite, resolved_config, chunks)
        except (KeyboardInterrupt, Terminated) as err:
            saved = _saved(out, chunks)
            what, code = ("terminated (SIGTERM)", 143) if isinstance(err, Terminated) else ("interrupted", 130)
            raise SweepInterrupted(
                f"{what}: {saved} of {plan.total_runs} runs are saved in {out}/chunks; {plan.total_runs - saved} "
                "remain. Run the same command again to finish the sweep.", code) from None
        except executors.WorkerLost as err:
            saved = _saved(out, chunks)
            raise SweepFailed(f"sweep stopped: {err}; {saved} of {plan.total_runs} runs are saved in {out}/chunks. "
                              "Run the same command again to resume the sweep.", worker_lost=True) from None


def _run_locked(plan: Plan, out: Path, settings: dict, chunk_size: int, progress: bool, overwrite: bool,
                resolved_config: dict | None, chunks: list) -> dict:
    """The sweep, with the folder's lock held: prepare the folder, compute the missing
    chunks, assemble. `chunks` is filled with the plan's chunk ranges (for the caller's
    report of what is saved if this is interrupted)."""
    t0 = time.perf_counter()
    chunk_size, complete = prepare_output(out, plan, chunk_size, overwrite)
    chunks.extend(chunk_ranges(plan.total_runs, chunk_size))
    if complete:
        _remove_chunks(out, chunks)  # left over if an earlier invocation stopped right after metadata.json
        meta = json.loads((out / "metadata.json").read_text())
        print(f"sweep already complete in {out} ({meta['run_count']} runs); pass overwrite=true to run it again",
              file=sys.stderr)
        return meta
    fingerprint = plan.fingerprint()
    todo = _chunks_to_compute(out, fingerprint, chunks)
    done_runs = plan.total_runs - sum(stop - start for start, stop in todo)
    if done_runs:
        print(f"resuming: {done_runs} of {plan.total_runs} runs already done in {out}", file=sys.stderr)
    invocation = {"id": uuid.uuid4().hex[:12],
                  "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
                  "engine": settings["engine"], "executor": settings["executor"], "workers": settings["workers"],
                  "chunk_size": chunk_size, "host": socket.gethostname(), "pid": os.getpid()}
    t_compute = time.perf_counter()
    computed = _compute(plan, out, settings, todo, fingerprint, invocation, progress, done_runs)
    compute_time = time.perf_counter() - t_compute

    table, checksum, invocations = _assemble(plan, out, chunks, fingerprint)
    for entry in invocations:
        if entry.get("id") == invocation["id"]:
            entry["compute_time_s"] = round(compute_time, 3)
    meta = {
        "experiment": plan.experiment.name,
        "scenario": plan.experiment.scenario,
        "root_seed": plan.experiment.seed,
        "fingerprint": fingerprint,
        "run_count": plan.total_runs,
        "points": plan.points,
        "levers": list(plan.levers),
        "replications": plan.replications,
        "parameters": list(plan.params),
        # each declared condition's whole domain (its schema range), beside the range swept
        "parameter_domains": {path: list(plan.domain(path)) for path in plan.params[:plan.conditions]},
        # columns of the experiment's table that a lever sets: under that lever they hold its value
        "lever_settings_over_table": {name: sorted(plan.params[j] for j in plan.lever_sets(k))
                                      for k, name in enumerate(plan.levers) if plan.lever_sets(k)},
        "columns": list(table.column_names),
        "table_checksum": checksum,
        "runs_computed_this_invocation": computed,
        "resumed": done_runs > 0,
        "invocations": invocations,
        "wall_time_s": round(time.perf_counter() - t0, 3),
        "compute_time_s": round(compute_time, 3),
        "runs_per_second": round(computed / compute_time, 1) if computed and compute_time > 0 else None,
        "engine": settings["engine"],
        "executor": settings["executor"],
        "workers": settings["workers"],
        "chunk_size": chunk_size,
        "git_commit": git_commit(),
        "packages": package_versions(PACKAGES),
        "experiment_config": asdict(plan.experiment),
        "resolved_config": resolved_config,
    }
    # runs.parquet first, tagged with its checksum and metadata.json's; metadata.json last:
    # its presence means the sweep is complete
    tag = {"fingerprint": fingerprint, "run_count": plan.total_runs, "checksum": checksum,
           "metadata": metadata_digest(meta), "experiment": plan.experiment.name}
    tagged = table.replace_schema_metadata({TABLE_KEY: json.dumps(tag, sort_keys=True)})
    del table
    atomic_write(out / "runs.parquet", lambda t: pq.write_table(tagged, t))
    _write_json(out / "metadata.json", meta)
    _remove_chunks(out, chunks)
    return meta


def _chunks_to_compute(out: Path, fingerprint: str, chunks) -> list[tuple[int, int]]:
    """The chunk ranges without a usable file. A file with a chunk's name that is not that
    chunk of this plan, intact (`read_chunk`), is named in a warning and deleted; so is a
    folder with a chunk's name (inside chunks/, which only the sweep writes)."""
    for stray in (out / "chunks").glob("*.partial"):  # the lock is held: nobody else is writing them
        stray.unlink(missing_ok=True)
    todo = []
    for start, stop in chunks:
        path = _chunk_path(out, start, stop)
        if not path.exists():
            todo.append((start, stop))
            continue
        if path.is_dir() and not path.is_symlink():
            print(f"warning: chunk {path.name} is a folder, not a chunk file; removing it and computing the chunk "
                  "again", file=sys.stderr)
            shutil.rmtree(path)
            todo.append((start, stop))
            continue
        table, _, why = read_chunk(path, fingerprint, start, stop)
        if table is None:
            print(f"warning: chunk {path.name} is not usable: {why}; computing it again", file=sys.stderr)
            path.unlink(missing_ok=True)
            todo.append((start, stop))
    return todo


def _compute(plan: Plan, out: Path, settings: dict, todo, fingerprint: str, invocation: dict, progress: bool,
             done_runs: int) -> int:
    """Compute the chunks `todo` with the executor and write each, tagged, as it arrives;
    returns the number of runs computed."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=plan.total_runs, initial=done_runs, unit="run", unit_scale=True, smoothing=0.1,
                   desc=plan.experiment.name, file=sys.stderr)
    stops = dict(todo)
    engine, workers = settings["engine"], settings["workers"]
    if settings["executor"] == "local":
        stream = executors.run_local(plan, engine, todo, workers)
    elif settings["executor"] == "threads":
        stream = executors.run_threads(plan, engine, todo, workers)
    else:
        stream = executors.run_ray(plan, engine, todo, workers, settings["ray_address"])
    computed = 0
    try:
        for start, table in stream:
            tagged = with_chunk_metadata(table, chunk_metadata(table, fingerprint, start, stops[start], invocation))
            atomic_write(_chunk_path(out, start, stops[start]), lambda t, tagged=tagged: pq.write_table(tagged, t))
            computed += table.num_rows
            if bar is not None:
                bar.update(table.num_rows)
    finally:
        stream.close()
        if bar is not None:
            bar.close()
    return computed


def _assemble(plan: Plan, out: Path, chunks, fingerprint: str) -> tuple[pa.Table, str, list[dict]]:
    """Read every chunk back (checked again) and check the run ids; return the table, its
    checksum and the invocations that computed its chunks, oldest first (the caller writes
    runs.parquet, tagged, and metadata.json)."""
    tables, contributions = [], {}
    for start, stop in chunks:
        path = _chunk_path(out, start, stop)
        table, meta, why = read_chunk(path, fingerprint, start, stop)
        if table is None:
            raise SweepFailed(f"chunk {path.name} changed while the sweep ran ({why}); nothing was assembled. "
                              "Run the same command again to compute it again.")
        tables.append(table)
        _count_contribution(contributions, meta, stop - start)
    table = pa.concat_tables(tables)
    del tables
    check_run_ids(table, plan.total_runs)
    invocations = sorted(contributions.values(), key=lambda e: (str(e.get("started")), str(e.get("id"))))
    return table, table_checksum(table), invocations


def _count_contribution(contributions: dict, chunk_meta: dict, runs: int) -> None:
    """Add one chunk to the record of the invocation that computed it (engine, executor,
    workers, ..., chunks and runs contributed, when its last chunk was written)."""
    inv = chunk_meta.get("invocation")
    inv = inv if isinstance(inv, dict) else {"id": "unknown"}
    entry = contributions.setdefault(str(inv.get("id", "unknown")),
                                     {**inv, "chunks": 0, "runs_computed": 0, "last_chunk_written": None})
    entry["chunks"] += 1
    entry["runs_computed"] += runs
    entry["last_chunk_written"] = max(filter(None, [entry["last_chunk_written"], chunk_meta.get("written")]),
                                      default=None)


def _remove_chunks(out: Path, chunks) -> None:
    for c in chunks:
        _chunk_path(out, *c).unlink(missing_ok=True)
    try:
        (out / "chunks").rmdir()
    except OSError:
        pass
