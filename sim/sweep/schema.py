"""Typed experiment declarations (configs/experiment/*.yaml), after the EMA Workbench's
uncertainties / levers / outcomes, and the sweep app's own settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from omegaconf import MISSING

SAMPLERS = ("grid", "lhs", "sobol", "saltelli")  # saltelli: Sobol indices design (SALib)
ENGINES = ("batch", "mesa")
EXECUTORS = ("local", "ray")


@dataclass
class UncertaintyConfig:
    """One uncertain condition: a scenario parameter (path relative to the scenario, e.g.
    `sanctions.credibility` or `factions.kurds.seats`) drawn uniformly from [low, high], or
    taken from `levels` by the grid sampler."""

    param: str = MISSING
    low: float = MISSING
    high: float = MISSING
    levels: Optional[List[float]] = None
    source: str = ""
    label: str = ""


@dataclass
class ExperimentConfig:
    name: str = MISSING
    description: str = ""
    scenario: str = "baseline"
    seed: int = 0
    horizon_weeks: int = 156
    sampler: str = "lhs"
    points: int = 1              # sampled points (lhs, sobol: a power of 2); grid: from the levels;
                                 # saltelli: N base samples (a power of 2), giving N * (D + 2) points
    grid_levels: int = 3         # levels per uncertainty for the grid sampler when none are listed
    replications: int = 1        # runs per point and lever, with common random numbers across points
    uncertainties: List[UncertaintyConfig] = field(default_factory=list)
    levers: Dict[str, Dict[str, Any]] = field(default_factory=dict)


@dataclass
class SweepConfig:
    experiment: ExperimentConfig = MISSING
    runs: Optional[int] = None        # total runs; sets points or replications where the sampler allows
    engine: str = "batch"
    executor: str = "local"
    workers: Optional[int] = None     # default: all cores
    chunk_size: int = 10000
    out: Optional[str] = None         # default: results/sweeps/<experiment name>
    ray_address: Optional[str] = None # executor=ray: a cluster address, or null for a local Ray instance
    progress: Optional[bool] = None   # default: a bar on a terminal, quiet otherwise or when CI is set
    overwrite: bool = False           # replace a finished or different sweep in `out`
