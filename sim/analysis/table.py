"""Loading a sweep folder (runs.parquet + metadata.json) for analysis.

Before anything is read, runs.parquet must match the checksum written with it and
metadata.json the checksum runs.parquet carries of it (`sim.sweep.verify.verify_sweep`: an
edited outcome, horizon, bound or label is refused, exit 2), and metadata.json must describe
the table (`check_describes`): the fingerprint and run count the sweep runner stamped into
runs.parquet, the row count and the columns; the declared bounds must be finite and hold
every sampled value. Only the columns the analysis needs are read; `lever` and `outcome`
come in as categoricals, so a table of a million runs takes a few hundred MB.

Text that metadata.json carries from an experiment file (labels, sources, the description)
is data someone may hand you: `markdown_text` escapes it before the report prints it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: the schema-metadata key under which the sweep runner (sim.sweep.verify.TABLE_KEY) stamps
#: runs.parquet with its fingerprint, run count and checksums
TABLE_KEY = b"sim.sweep"
REQUIRED = (
    "run_id", "point_id", "lever", "replication", "outcome", "formal_request_week", "weeks_simulated",
)
OPTIONAL = ("withdrawal_complete_week", "final_troops", "final_iran_influence", "sanctions_imposed")


class SweepError(Exception):
    """A sweep folder that cannot be analysed (missing or malformed files)."""


@dataclass(frozen=True)
class Sweep:
    """A sweep's runs and provenance. `conditions` are the uncertain parameters (columns)."""

    path: Path
    runs: pd.DataFrame
    metadata: dict
    conditions: tuple[str, ...]
    labels: dict
    sources: dict
    bounds: dict

    @property
    def experiment(self) -> dict:
        return self.metadata.get("experiment_config") or {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("experiment", self.experiment.get("name", self.path.name)))

    @property
    def horizon(self) -> int:
        return int(self.experiment.get("horizon_weeks", 156))

    @property
    def sampler(self) -> str:
        return str(self.experiment.get("sampler", ""))

    @property
    def levers(self) -> list[str]:
        present = set(self.runs["lever"].astype(str).unique())
        order = [lv for lv in self.metadata.get("levers", []) if lv in present]
        return order + sorted(present - set(order))

    def label(self, condition: str) -> str:
        return self.labels.get(condition) or condition


def load_sweep(path) -> Sweep:
    """Read `path/runs.parquet` and `path/metadata.json`, after checking that the metadata
    describes the table (`check_describes`); SweepError says what is missing or wrong."""
    path = Path(path)
    runs_file, meta_file = path / "runs.parquet", path / "metadata.json"
    if not path.is_dir():
        raise SweepError(f"{path} is not a folder (expected a sweep folder with runs.parquet and metadata.json)")
    if not runs_file.exists():
        raise SweepError(f"{runs_file} is missing: run a sweep first, e.g. "
                         f"`python -m sim.sweep experiment=conditions out={path}`")
    if not meta_file.exists():
        raise SweepError(f"{meta_file} is missing (an unfinished sweep? run the same sweep command again to finish it)")
    metadata = read_metadata(meta_file)
    try:
        parquet = pq.ParquetFile(runs_file)
        schema = parquet.schema_arrow
        rows = parquet.metadata.num_rows
    except (OSError, pa.ArrowException) as err:
        raise SweepError(f"{runs_file} is not a readable Parquet table ({_first_line(err)}); run the sweep "
                         "again") from None
    schema_names = list(schema.names)
    missing = [c for c in REQUIRED if c not in schema_names]
    if missing:
        raise SweepError(f"{runs_file} lacks the columns {missing} (is it a sweep table?)")
    check_describes(metadata, schema, rows, meta_file, runs_file)
    labels, sources, bounds = _declared_uncertainties(metadata, meta_file)
    from ..sweep.verify import ChecksumMismatch, verify_sweep

    try:
        verify_sweep(path)  # the content: an outcome, a horizon or a label edited since the sweep wrote them
    except ChecksumMismatch as err:
        raise SweepError(str(err)) from None
    # the declared conditions; coefficients drawn from a table (experiment `table`, e.g. a
    # posterior) are columns of the runs but not conditions of the analysis
    conditions = tuple(labels)
    columns = list(REQUIRED) + [c for c in OPTIONAL if c in schema_names] + list(conditions)
    try:
        table = pq.read_table(runs_file, columns=columns, read_dictionary=["lever", "outcome"])
    except (OSError, pa.ArrowException) as err:
        raise SweepError(f"{runs_file} cannot be read ({_first_line(err)}): a damaged or truncated table; run the "
                         "sweep again") from None
    if table.num_rows != rows:
        raise SweepError(f"{runs_file} holds {table.num_rows} rows where its footer says {rows}: a damaged table")
    runs = table.to_pandas()
    if len(runs) == 0:
        raise SweepError(f"{runs_file} has no rows")
    runs = add_derived(runs)
    for c in conditions:
        bounds.setdefault(c, (float(runs[c].min()), float(runs[c].max())))
    check_against_table(runs, metadata, bounds, meta_file)
    labels = {c: markdown_text(v) for c, v in labels.items()}
    sources = {c: markdown_text(v) for c, v in sources.items()}
    return Sweep(path, runs, metadata, conditions, labels, sources, bounds)


def markdown_text(value: object) -> str:
    """Text from a sweep's files made safe to print in Markdown: one line, with `<` and `>`
    as entities (`<script>` shows as text, no HTML tag can start) and the characters that
    start Markdown links, table cells and code spans shown as themselves (`&` is left as it
    is: alone it starts no markup)."""
    text = " ".join(str(value).split())
    for ch, entity in (("<", "&lt;"), (">", "&gt;"), ("|", "&#124;"), ("[", "&#91;"), ("]", "&#93;"), ("`", "&#96;")):
        text = text.replace(ch, entity)
    return text


def check_against_table(runs: pd.DataFrame, metadata: dict, bounds: dict, meta_file: Path) -> None:
    """Refuse metadata.json numbers the report prints that the table contradicts: the horizon
    (every run is observed at least that long, and at most a request's year and a step
    longer) and the declared bounds of each condition (finite, holding every sampled value)."""
    exp = metadata.get("experiment_config") or {}
    horizon, step = exp.get("horizon_weeks", 156), exp.get("step_days", 7)
    weeks = int(runs["weeks_simulated"].min())
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in (horizon, step)) \
            or not horizon <= weeks <= horizon + 53 + step // 7 + 1:
        raise SweepError(f"{meta_file}: experiment_config.horizon_weeks = {horizon!r} does not describe the table "
                         f"(its runs are observed for at least {weeks} weeks): an edited metadata.json; run the sweep "
                         "again")
    for c, (low, high) in bounds.items():
        values = runs[c].to_numpy(dtype=np.float64)
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise SweepError(f"{meta_file}: the bounds of {c} [{low:g}, {high:g}] are not a finite range; run the "
                             "sweep again with finite bounds")
        if not np.isfinite(values).all() or values.min() < low or values.max() > high:
            raise SweepError(f"{meta_file}: the bounds of {c} [{low:g}, {high:g}] do not hold the table's values "
                             f"({values.min():g}..{values.max():g}); run the sweep again")


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:200]


def read_metadata(meta_file: Path) -> dict:
    """metadata.json as a dict holding the keys the checks and the analysis need."""
    try:
        metadata = json.loads(meta_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SweepError(f"{meta_file} is not valid JSON: {err}") from None
    if not isinstance(metadata, dict):
        raise SweepError(f"{meta_file} holds a JSON {type(metadata).__name__}, not the object a sweep writes")
    kinds = {"fingerprint": str, "run_count": int, "parameters": list, "columns": list, "levers": list,
             "experiment_config": dict}
    for key, kind in kinds.items():
        if key not in metadata:
            raise SweepError(f"{meta_file} has no {key!r} (not written by this version's sweep runner); run the "
                             "sweep again")
        if not isinstance(metadata[key], kind) or isinstance(metadata[key], bool):
            raise SweepError(f"{meta_file}: {key} = {metadata[key]!r} is not a {kind.__name__}")
    return metadata


def _declared_uncertainties(metadata: dict, meta_file: Path) -> tuple[dict, dict, dict]:
    """Labels, sources and declared bounds of the uncertain conditions, from the experiment
    declaration metadata.json records (its parameters must be the sweep's)."""
    exp = metadata.get("experiment_config") or {}
    try:
        uncertainties = exp.get("uncertainties") or []
        labels = {u["param"]: u.get("label") or u["param"] for u in uncertainties}
        sources = {u["param"]: u.get("source", "") for u in uncertainties}
        bounds = {u["param"]: (float(u["low"]), float(u["high"])) for u in uncertainties}
    except (AttributeError, KeyError, TypeError, ValueError):
        raise SweepError(f"{meta_file}: experiment_config.uncertainties is not a list of declarations "
                         "(param, low, high)") from None
    params = list(metadata["parameters"])
    if exp.get("table") and (exp.get("sampler") == "table" or params[:len(labels)] == list(labels)):
        return labels, sources, bounds
    if list(labels) != params:
        raise SweepError(f"{meta_file}: the declared uncertainties {list(labels)[:5]} are not the sweep's parameters "
                         f"{list(metadata['parameters'])[:5]}")
    return labels, sources, bounds


def check_describes(metadata: dict, schema: pa.Schema, rows: int, meta_file: Path, runs_file: Path) -> None:
    """Refuse a metadata.json that does not describe runs.parquet: the fingerprint and run
    count the sweep runner stamped into the table (`TABLE_KEY`), the table's row count and
    its columns must be the ones metadata.json records (another sweep's metadata.json next
    to a table would otherwise give a confident, wrong report)."""
    raw = (schema.metadata or {}).get(TABLE_KEY)
    try:
        tag = json.loads(raw) if raw is not None else None
    except ValueError:
        tag = None
    if not isinstance(tag, dict):
        raise SweepError(f"{runs_file} carries no sweep record (fingerprint, run count): not written by this "
                         "version's sweep runner; run the sweep again")
    problems = []
    if tag.get("fingerprint") != metadata["fingerprint"]:
        problems.append(f"fingerprint {metadata['fingerprint']} in metadata.json, {tag.get('fingerprint')} in the "
                        "table")
    if not metadata["run_count"] == rows == tag.get("run_count"):
        problems.append(f"run_count {metadata['run_count']} in metadata.json, {rows} rows in the table")
    if list(metadata["columns"]) != list(schema.names):
        extra = [c for c in schema.names if c not in metadata["columns"]]
        absent = [c for c in metadata["columns"] if c not in schema.names]
        problems.append(f"columns differ (in the table only: {extra[:5]}, in metadata.json only: {absent[:5]}"
                        f"{'' if extra or absent else ', or in another order'})")
    strays = [p for p in metadata["parameters"] if p not in metadata["columns"]]
    if strays:
        problems.append(f"parameters {strays[:5]} that are not columns")
    if problems:
        raise SweepError(f"{meta_file} does not describe {runs_file.name}: {'; '.join(problems)} (another sweep's "
                         "metadata? run the sweep again, or put the two files of one sweep together)")


def add_derived(runs: pd.DataFrame) -> pd.DataFrame:
    """Add `formal_request` (bool) and `weeks_to_request`: the request's week, or for runs
    without one the weeks they were observed (right-censored there, at the horizon)."""
    week = runs["formal_request_week"].to_numpy(dtype=np.float64, na_value=np.nan)
    requested = ~np.isnan(week)
    observed = runs["weeks_simulated"].to_numpy(dtype=np.float64)
    return runs.assign(formal_request=requested, weeks_to_request=np.where(requested, week, observed))


def pretty(name: str) -> str:
    """A lever or outcome name for prose: `status_quo` -> `status quo`."""
    return str(name).replace("_", " ")
