"""The sweep app's own settings; the experiment declarations it runs are typed in
`sim.config.experiment`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from omegaconf import MISSING

from ..config.experiment import SAMPLERS, ExperimentConfig, UncertaintyConfig

__all__ = ["SAMPLERS", "ExperimentConfig", "SweepConfig", "UncertaintyConfig"]


@dataclass
class SweepConfig:
    experiment: ExperimentConfig = MISSING
    step_days: Optional[int] = None   # days per step; null: the experiment's (7)
    runs: Optional[int] = None        # total runs; sets points or replications where the sampler allows
    engine: str = "batch"
    executor: str = "local"
    workers: Optional[int] = None     # default: all cores
    chunk_size: int = 10000
    out: Optional[str] = None         # default: results/sweeps/<experiment name>
    ray_address: Optional[str] = None # executor=ray: a cluster address, or null for a local Ray instance
    progress: Optional[bool] = None   # default: a bar on a terminal, quiet otherwise or when CI is set
    overwrite: bool = False           # replace a finished or different sweep in `out`
