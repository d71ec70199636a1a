"""Computing one chunk of a sweep (a contiguous range of run ids) into an Arrow table with
one row per run. Executors call `compute_chunk`; it is a pure function of the plan and the
range, so any worker, engine or chunk size gives the same rows."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa

from ..model import outcomes
from ..model.state import summary_kinds
from .plan import Plan, run_params, run_seed

ENGINE_NAMES = ("batch", "mesa")


def use_system_allocator() -> None:
    """Arrow's buffers from the C library's allocator rather than pyarrow's default
    (mimalloc), in the process that runs a sweep or a calibration and in its workers; an
    allocator named by the environment variable ARROW_DEFAULT_MEMORY_POOL is left as it is.
    With mimalloc (tables built by worker threads, written by the main thread), writing
    runs.parquet at the end of a 200,000-run sweep took 0.6 s instead of 0.15 s, and two
    threads ran 1.70x one against 1.87x (medians of four rounds; benchmarks/HISTORY.md,
    "Threads")."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def _engine(name: str):
    if name == "batch":
        from ..engines import batch

        return batch.simulate
    if name == "mesa":
        from ..engines import mesa_engine

        return mesa_engine.simulate
    raise ValueError(f"engine {name!r} is not one of {ENGINE_NAMES}")


def compute_chunk(plan: Plan, engine: str, start: int, stop: int) -> pa.Table:
    """Rows for run ids start..stop-1 (sorted by run id)."""
    simulate = _engine(engine)
    run_ids = np.arange(start, stop, dtype=np.int64)
    lever, point, replication = plan.locate(run_ids)
    parts = []
    for k in np.unique(lever):  # run ids are lever-major, so each lever is one contiguous block
        sel = lever == k
        params = run_params(plan, int(k), point[sel])
        parts.append(simulate(params, plan.worlds(point[sel], replication[sel])))
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    return build_table(plan, run_ids, lever, point, replication, cols)


def _nullable_week(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, type=pa.int64(), mask=values < 0)


def _column(kind: str, values: np.ndarray) -> pa.Array:
    """A summary column as the table stores it: outcomes by name, days and weeks nullable
    (-1: the event did not happen), floats, integers and flags as they are."""
    if kind == "outcome":
        return pa.array(np.asarray(outcomes.OUTCOMES, dtype=object)[values], type=pa.string())
    if kind == "day":
        return _nullable_week(values)
    return pa.array(values, type={"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}[kind])


def build_table(plan: Plan, run_ids, lever, point, replication, cols) -> pa.Table:
    exp = plan.experiment
    n = run_ids.size
    data = {
        "run_id": pa.array(run_ids, type=pa.int64()),
        "point_id": pa.array(point, type=pa.int64()),
        "lever": pa.array(np.asarray(plan.levers, dtype=object)[lever], type=pa.string()),
        "replication": pa.array(replication, type=pa.int64()),
        "run_seed": pa.array(run_seed(exp.seed, plan.worlds(point, replication)), type=pa.uint64()),
    }
    values = np.empty((n, len(plan.params)))
    for k in np.unique(lever):  # a column a lever sets holds the lever's value (Plan.values)
        sel = lever == k
        values[sel] = plan.values(int(k), point[sel])
    for j, path in enumerate(plan.params):
        data[path] = pa.array(values[:, j].astype(np.int64) if plan.integer_params[j] else values[:, j])
    kinds = summary_kinds()
    for name, kind in kinds.items():  # every summary column the state declares, in its order
        if name in ("weeks_simulated", "days_simulated"):
            continue
        data[name] = _column(kind, cols[name])
    data.update({
        "seed": pa.array(np.full(n, exp.seed), type=pa.int64()),
        "scenario": pa.array([exp.scenario] * n, type=pa.string()),
        "run_index": pa.array(plan.worlds(point, replication), type=pa.int64()),
        "weeks_simulated": pa.array(cols["weeks_simulated"], type=pa.int64()),
        "days_simulated": pa.array(cols["days_simulated"], type=pa.int64()),
    })
    return pa.table(data)


# ---------------------------------------------------------------- integrity
def table_checksum(table: pa.Table) -> str:
    """A SHA-256 of a table's content: column names, types, validity and values, in order.

    Deterministic for equal content however the table is laid out in memory (chunking,
    buffer offsets, a validity bitmap present or not), so a chunk read back from Parquet has
    the checksum of the table that was written. Schema metadata is not covered.
    `sim.sweep.verify.file_checksum` computes the same checksum of a Parquet file one column
    at a time."""
    import hashlib

    h = hashlib.sha256()
    h.update(f"rows={table.num_rows};".encode())
    for name, column in zip(table.column_names, table.columns):
        add_column(h, name, column)
    return h.hexdigest()


def add_column(h, name: str, column: pa.ChunkedArray | pa.Array) -> None:
    """Feed one column of a table into the checksum `h` (see `table_checksum`)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    h.update(f"{name}:{arr.type};".encode())
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    h.update(valid.tobytes())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or pa.types.is_binary(arr.type):
        encoded = arr.dictionary_encode()
        h.update(np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64).tobytes())
        for word in encoded.dictionary.to_pylist():
            data = word.encode() if isinstance(word, str) else bytes(word)
            h.update(len(data).to_bytes(8, "little") + data)
    else:
        if arr.null_count:
            arr = arr.fill_null(False if pa.types.is_boolean(arr.type) else 0)
        h.update(np.ascontiguousarray(arr.to_numpy(zero_copy_only=False)).tobytes())
