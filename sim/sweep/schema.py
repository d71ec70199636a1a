"""The sweep app's own settings; the experiment declarations it runs are typed in
`sim.config.experiment`. Each field's `doc` (and `allowed`) is what `python -m sim.sweep
--help` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from omegaconf import MISSING

from ..config.experiment import SAMPLERS, ExperimentConfig, UncertaintyConfig

__all__ = ["FORMATS", "SAMPLERS", "ExperimentConfig", "RecordConfig", "SweepConfig", "UncertaintyConfig",
           "register_sweep_schema"]

#: table formats a sweep can write: Parquet always (the analysis reads it); csv adds CSV copies
FORMATS = ("parquet", "csv")
#: the weekly series recorded by default when record.weeks is set
DEFAULT_SERIES = ["troops", "iran_influence", "request_state"]


def setting(default, doc: str, allowed: str = ""):
    """A sweep setting with its meaning and what it may be (for --help)."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"doc": doc, "allowed": allowed})
    return field(default=default, metadata={"doc": doc, "allowed": allowed})


@dataclass
class RecordConfig:
    """Weekly series recorded at chosen weeks, written as a second table (series.parquet)."""

    weeks: List[int] = setting([], "calendar weeks since 2020-01-06 at which to record the series (each mapped to "
                                   "the step that contains its last day); empty: record nothing",
                               "whole numbers from 0 to the experiment's horizon")
    series: List[str] = setting(DEFAULT_SERIES, "the series to record, one column each",
                                "names of per-run state variables, e.g. troops, iran_influence, request_state, "
                                "isis_threat, tension, mobilisation, protests, collective_stance, pm_position")


@dataclass
class SweepConfig:
    experiment: ExperimentConfig = MISSING
    step_days: Optional[int] = setting(None, "days per step: the calendar's resolution, not a parameter of behaviour",
                                       "an integer in [1, 28], or null for the experiment's (7)")
    runs: Optional[int] = setting(None, "total runs; sets the replications (grid, no uncertainties) or the points "
                                        "(lhs, sobol, saltelli)", "an integer in [1, 2**62], or null for the "
                                                                  "experiment's own")
    engine: str = setting("batch", "which engine computes the runs (same table either way)", "batch | mesa")
    executor: str = setting("local", "where chunks are computed: worker processes, threads of one process, or Ray",
                            "local | threads | ray")
    workers: Optional[int] = setting(None, "worker processes (local), threads, or Ray tasks at a time", "an integer >= 1, or "
                                                                                             "null for all cores")
    chunk_size: int = setting(10000, "runs per chunk (the unit that is saved and resumed)", "an integer >= 1 (>= 100 "
                                                                                           "above 1,000 runs)")
    out: Optional[str] = setting(None, "the output folder", "a folder; null for results/sweeps/<experiment name>")
    ray_address: Optional[str] = setting(None, "executor=ray: a cluster to join", "HOST:PORT, or null for a local "
                                                                                  "Ray instance")
    progress: Optional[bool] = setting(None, "show a progress bar", "true | false | null (a bar on a terminal, "
                                                                    "none when CI is set)")
    overwrite: bool = setting(False, "replace a finished or different sweep in `out`", "true | false")
    format: str = setting("parquet", "table format: runs.parquet always; csv adds runs.csv (and series.csv)",
                          " | ".join(FORMATS))
    record: RecordConfig = field(default_factory=RecordConfig, metadata={
        "doc": "weekly series recorded at chosen weeks, written to series.parquet", "allowed": ""})


def register_sweep_schema() -> None:
    """Register SweepConfig in Hydra's ConfigStore (configs/sweep.yaml's `sweep_schema`)."""
    from hydra.core.config_store import ConfigStore

    from ..config.help import register_help

    ConfigStore.instance().store(name="sweep_schema", node=SweepConfig)
    register_help("sim_sweep", "python -m sim.sweep")
