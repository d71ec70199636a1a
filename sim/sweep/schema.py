"""The sweep app's own settings; the experiment declarations it runs are typed in
`sim.config.experiment`. Each field's `doc` (and `allowed`) is what `python -m sim.sweep
--help` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from omegaconf import MISSING

from ..config.experiment import SAMPLERS, ExperimentConfig, UncertaintyConfig

__all__ = ["SAMPLERS", "ExperimentConfig", "SweepConfig", "UncertaintyConfig", "register_sweep_schema"]


def setting(default, doc: str, allowed: str = ""):
    """A sweep setting with its meaning and what it may be (for --help)."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"doc": doc, "allowed": allowed})
    return field(default=default, metadata={"doc": doc, "allowed": allowed})


@dataclass
class SweepConfig:
    experiment: ExperimentConfig = MISSING
    runs: Optional[int] = setting(None, "total runs; sets the replications (grid, no uncertainties) or the points "
                                        "(lhs, sobol, saltelli)", "an integer in [1, 2**62], or null for the "
                                                                  "experiment's own")
    engine: str = setting("batch", "which engine computes the runs (same table either way)", "batch | mesa")
    executor: str = setting("local", "where chunks are computed", "local | ray")
    workers: Optional[int] = setting(None, "worker processes (local) or Ray tasks at a time", "an integer >= 1, or "
                                                                                             "null for all cores")
    chunk_size: int = setting(10000, "runs per chunk (the unit that is saved and resumed)", "an integer >= 1 (>= 100 "
                                                                                           "above 1,000 runs)")
    out: Optional[str] = setting(None, "the output folder", "a folder; null for results/sweeps/<experiment name>")
    ray_address: Optional[str] = setting(None, "executor=ray: a cluster to join", "HOST:PORT, or null for a local "
                                                                                  "Ray instance")
    progress: Optional[bool] = setting(None, "show a progress bar", "true | false | null (a bar on a terminal, "
                                                                    "none when CI is set)")
    overwrite: bool = setting(False, "replace a finished or different sweep in `out`", "true | false")

def register_sweep_schema() -> None:
    """Register SweepConfig in Hydra's ConfigStore (configs/sweep.yaml's `sweep_schema`)."""
    from hydra.core.config_store import ConfigStore

    from ..config.help import register_help

    ConfigStore.instance().store(name="sweep_schema", node=SweepConfig)
    register_help("sim_sweep", "python -m sim.sweep")
