"""Verifying a sweep's files against the checksums written with them, before anything reads them.

The sweep runner stamps runs.parquet's schema metadata (key `TABLE_KEY`) with the plan's
fingerprint, the run count, the SHA-256 of the table's content (`chunk.table_checksum`) and
the SHA-256 of the metadata.json it writes beside it (`metadata_digest`); series.parquet
carries the checksum of its own content (key `SERIES_KEY`). Whoever reads these files
(`sim.analyze`, `sim.Sweep`, a sweep finding itself complete, the re-runs of the fan charts)
calls `verify_sweep` or `verify_table` first, so a table whose outcomes were edited while
its tag was kept, or a metadata.json whose horizon, bounds or labels were edited, is refused
in one line naming the file and the way to recompute it (`ChecksumMismatch`, a ConfigError:
the commands exit with code 2).

These are public functions of the sweep machinery: any command that writes a Parquet table
with a checksum in its schema metadata can verify it with `verify_table(path, key)`.

A checksum guards against edits and damage, not against someone who recomputes it: it is not
a signature.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..config.validate import ConfigError
from .chunk import add_column

#: schema-metadata key of runs.parquet's record (fingerprint, run_count, checksum, metadata, experiment)
TABLE_KEY = b"sim.sweep"
#: schema-metadata key of series.parquet's record (fingerprint, weeks, series, ..., checksum)
SERIES_KEY = b"sim.sweep.series"


class ChecksumMismatch(ConfigError):
    """A file that does not match the checksum written with it (edited, damaged, or written by
    other code). The message is one line: the file, what is wrong, and how to recompute it."""

    def __init__(self, path: str | Path, why: str, how: str):
        super().__init__(str(path), "(its content)", why)
        self.path, self.why, self.how = Path(path), why, how
        self.args = (f"{path}: {why}; recompute it: {how}",)


def file_checksum(path: str | Path) -> str:
    """`chunk.table_checksum` of the table in a Parquet file (schema metadata left out),
    reading one column at a time, so a table of millions of runs is checked in the memory
    of its largest column."""
    f = pq.ParquetFile(path)
    h = hashlib.sha256()
    h.update(f"rows={f.metadata.num_rows};".encode())
    for name in f.schema_arrow.names:
        add_column(h, name, f.read(columns=[name]).column(0))
    return h.hexdigest()


def read_tag(path: str | Path, key: bytes = TABLE_KEY) -> dict | None:
    """The record a Parquet file carries under `key` in its schema metadata (None if it
    carries none, it is damaged, or the file cannot be read)."""
    try:
        raw = (pq.read_schema(path).metadata or {}).get(key)
        tag = json.loads(raw) if raw is not None else None
    except (OSError, ValueError, pa.ArrowException):
        return None
    return tag if isinstance(tag, dict) else None


def verify_table(path: str | Path, key: bytes = TABLE_KEY, *, how: str = "", writer: str = "sweep runner") -> dict:
    """Check that the Parquet file `path` holds the content whose checksum it carries under
    `key` (its `checksum` field); return the record. ChecksumMismatch, naming the file and
    `how` to recompute it, for a file that cannot be read, carries no checksum, or whose
    content has changed. `writer` names the code that writes such files (in the message
    for a file that carries no checksum)."""
    path = Path(path)
    how = how or "run the command that wrote it again"
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:160]
        raise ChecksumMismatch(path, f"not a readable Parquet table ({first})", how) from None
    tag = read_tag(path, key)
    if tag is None or not isinstance(tag.get("checksum"), str):
        raise ChecksumMismatch(path, f"it carries no checksum (not written by this version's {writer}, or its "
                                     "record was removed)", how)
    try:
        actual = file_checksum(path)
    except (OSError, pa.ArrowException) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:160]
        raise ChecksumMismatch(path, f"it cannot be read whole ({first}): a damaged table", how) from None
    if actual != tag["checksum"]:
        raise ChecksumMismatch(path, "its content does not match the checksum written with it (edited or damaged)",
                               how)
    return tag


def metadata_digest(doc: dict) -> str:
    """The SHA-256 of a metadata.json document as JSON data (key order and layout left out),
    so the digest of the dict the runner writes equals that of the file read back."""
    data = json.loads(json.dumps(doc, default=str))
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def recompute_hint(folder: str | Path, tag: dict | None = None) -> str:
    """How to compute a sweep folder's files again, as one clause."""
    exp = (tag or {}).get("experiment")
    runs = (tag or {}).get("run_count")
    what = f"experiment={exp} " if isinstance(exp, str) else "experiment=NAME "
    what += f"runs={runs} " if isinstance(runs, int) else ""
    return (f"run the sweep again with overwrite=true (python -m sim.sweep {what}out={folder} overwrite=true, with "
            "the sweep's other settings)")


def verify_sweep(folder: str | Path) -> tuple[dict, dict]:
    """Check a finished sweep folder: runs.parquet against its checksum, and metadata.json
    against the digest runs.parquet carries; return (runs.parquet's record, metadata).
    ChecksumMismatch (one line, the file and how to recompute) when either was changed."""
    folder = Path(folder)
    runs_file, meta_file = folder / "runs.parquet", folder / "metadata.json"
    tag = verify_table(runs_file, TABLE_KEY, how=recompute_hint(folder, read_tag(runs_file)))
    how = recompute_hint(folder, tag)
    try:
        metadata = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ChecksumMismatch(meta_file, f"it cannot be read as JSON ({str(err).splitlines()[0][:160]})", how) \
            from None
    if not isinstance(tag.get("metadata"), str):
        raise ChecksumMismatch(runs_file, "it carries no checksum of its metadata.json (written by an older version "
                                          "of the sweep runner)", how)
    if not isinstance(metadata, dict) or metadata_digest(metadata) != tag["metadata"]:
        raise ChecksumMismatch(meta_file, f"it does not match the checksum written with {runs_file.name} (edited, "
                                          "damaged, or another sweep's)", how)
    return tag, metadata
