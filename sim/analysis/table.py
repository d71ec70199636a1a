"""Loading a sweep folder (runs.parquet + metadata.json) for analysis.

Only the columns the analysis needs are read; `lever` and `outcome` come in as
categoricals, so a table of a million runs takes a few hundred MB.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

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
    """Read `path/runs.parquet` and `path/metadata.json`; SweepError says what is missing."""
    path = Path(path)
    runs_file, meta_file = path / "runs.parquet", path / "metadata.json"
    if not path.is_dir():
        raise SweepError(f"{path} is not a folder (expected a sweep folder with runs.parquet and metadata.json)")
    if not runs_file.exists():
        raise SweepError(f"{runs_file} is missing: run a sweep first, e.g. "
                         f"`python -m sim.sweep experiment=conditions out={path}`")
    if not meta_file.exists():
        raise SweepError(f"{meta_file} is missing (an unfinished sweep? run the same sweep command again to finish it)")
    try:
        metadata = json.loads(meta_file.read_text())
    except json.JSONDecodeError as err:
        raise SweepError(f"{meta_file} is not valid JSON: {err}") from None
    schema_names = set(pq.read_schema(runs_file).names)
    missing = [c for c in REQUIRED if c not in schema_names]
    if missing:
        raise SweepError(f"{runs_file} lacks the columns {missing} (is it a sweep table?)")
    conditions = tuple(c for c in metadata.get("parameters", []) if c in schema_names)
    columns = list(REQUIRED) + [c for c in OPTIONAL if c in schema_names] + list(conditions)
    table = pq.read_table(runs_file, columns=columns, read_dictionary=["lever", "outcome"])
    runs = table.to_pandas()
    if len(runs) == 0:
        raise SweepError(f"{runs_file} has no rows")
    runs = add_derived(runs)
    uncertainties = (metadata.get("experiment_config") or {}).get("uncertainties", [])
    labels = {u["param"]: u.get("label") or u["param"] for u in uncertainties}
    sources = {u["param"]: u.get("source", "") for u in uncertainties}
    bounds = {u["param"]: (float(u["low"]), float(u["high"])) for u in uncertainties}
    for c in conditions:
        bounds.setdefault(c, (float(runs[c].min()), float(runs[c].max())))
    return Sweep(path, runs, metadata, conditions, labels, sources, bounds)


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
