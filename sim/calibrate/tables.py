"""The calibration's Parquet files, each carrying a checksum of its content, as the sweep's do.

`posterior.parquet` and `prior_sets.parquet` carry in their schema metadata (key
`TABLE_KEY`) a record naming the table, its row count and the SHA-256 of its content
(`sim.sweep.chunk.table_checksum`, the sweep's own checksum). Whoever reads them (the sweep's
table sampler, `experiments.which_conditions --posterior`) calls `verify_calibration_table`
first, so an edited or damaged table, or one carrying no checksum, is refused in one line
naming the file and how to recompute it (`sim.sweep.verify.ChecksumMismatch`, a ConfigError:
the commands exit with code 2).

The chunks of sets the calibration saves as it goes (`chunks/TAG-<i>.parquet`,
`sim.calibrate.runner.compute`) carry (key `CHUNK_KEY`) the computation's tag (a fingerprint
of everything that decides its rows), the chunk's index, its row count and its checksum. A
chunk is read back only when all of these match and its point ids are the task's; any other
file with a chunk's name (edited, truncated, copied from another position or another
calibration) is named in a one-line warning and computed again.

A checksum guards against edits and damage, not against someone who recomputes it: it is not
a signature.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..files import atomic_write
from ..sweep.chunk import table_checksum
from ..sweep.verify import verify_table

#: schema-metadata key of posterior.parquet's and prior_sets.parquet's record (table, rows, checksum)
TABLE_KEY = b"sim.calibrate"
#: schema-metadata key of a chunk's record (tag, index, rows, checksum)
CHUNK_KEY = b"sim.calibrate.chunk"
#: the tables a calibration writes, by the name its record gives them
TABLES = ("posterior", "prior_sets")


def tagged(df: pd.DataFrame, key: bytes, record: dict) -> pa.Table:
    """`df` as an Arrow table (its index left out) whose only schema metadata is `record`,
    with the table's row count and checksum added, under `key`."""
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    full = {**record, "rows": table.num_rows, "checksum": table_checksum(table)}
    return table.replace_schema_metadata({key: json.dumps(full, sort_keys=True)})


def write_table(df: pd.DataFrame, path: str | Path, table: str) -> None:
    """Write a calibration table (`table`: one of TABLES) with its checksum, atomically."""
    if table not in TABLES:
        raise ValueError(f"write_table: table {table!r} is not one of {TABLES}")
    t = tagged(df, TABLE_KEY, {"table": table})
    atomic_write(Path(path), lambda tmp: pq.write_table(t, tmp))


def recompute_hint(path: str | Path) -> str:
    """How to compute a calibration table again, as one clause."""
    folder = Path(path).parent
    return (f"run the calibration again (python -m sim.calibrate out={folder}, with the calibration's other "
            "settings), which writes it with its checksum")


def verify_calibration_table(path: str | Path) -> dict:
    """Check a posterior.parquet or prior_sets.parquet against the checksum written with it;
    return its record. ChecksumMismatch (one line: the file, what is wrong, how to recompute
    it) for a file that cannot be read, carries no checksum, or was changed."""
    return verify_table(path, TABLE_KEY, how=recompute_hint(path), writer="calibration")


def write_chunk(df: pd.DataFrame, path: Path, tag: str, index: int) -> None:
    """Save chunk `index` of the computation `tag`, with its record, atomically."""
    t = tagged(df, CHUNK_KEY, {"tag": tag, "index": index})
    atomic_write(path, lambda tmp: pq.write_table(t, tmp))


def read_chunk(path: Path, tag: str, index: int, point_ids) -> tuple[pd.DataFrame | None, str]:
    """The chunk file's rows if it is chunk `index` of the computation `tag`, intact, holding
    the sets `point_ids`; else (None, why not)."""
    try:
        table = pq.read_table(path)
    except Exception as err:  # any damage makes the file unusable, never stops the run
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:160]
        return None, f"unreadable ({first})"
    raw = (table.schema.metadata or {}).get(CHUNK_KEY)
    if raw is None:
        return None, "it carries no checksum (written by other code, or by an older version of the calibration)"
    try:
        record = json.loads(raw)
        their_tag, their_index, rows, checksum = (record[k] for k in ("tag", "index", "rows", "checksum"))
    except (ValueError, KeyError, TypeError):
        return None, "its record is damaged"
    if their_tag != tag:
        return None, f"it belongs to another computation (tag {their_tag}, this one's is {tag})"
    if their_index != index:
        return None, f"it is chunk {their_index} of this computation, not chunk {index}"
    table = table.replace_schema_metadata(None)
    if table.num_rows != rows:
        return None, f"it has {table.num_rows} rows, its record says {rows}"
    if table_checksum(table) != checksum:
        return None, "its content does not match its checksum (changed or damaged)"
    df = table.to_pandas()
    ids = np.sort(np.asarray(point_ids))
    if "point_id" not in df or not np.array_equal(np.sort(df["point_id"].to_numpy()), ids):
        return None, "its sets are not this chunk's sets"
    return df, ""


def usable_chunk(path: Path, tag: str, index: int, point_ids) -> pd.DataFrame | None:
    """`read_chunk` for a chunk file that exists: its rows, or None after a one-line warning
    naming it (the file, or a folder with its name, is removed and the chunk is computed
    again)."""
    if path.is_dir() and not path.is_symlink():
        print(f"warning: chunk {path} is a folder, not a chunk file; removing it and computing the chunk again",
              file=sys.stderr)
        shutil.rmtree(path)
        return None
    df, why = read_chunk(path, tag, index, point_ids)
    if df is None:
        print(f"warning: chunk {path} is not usable: {why}; computing it again", file=sys.stderr)
        path.unlink(missing_ok=True)
    return df
