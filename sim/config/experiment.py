"""Typed experiment declarations (configs/experiment/*.yaml), after the EMA Workbench's
uncertainties / levers / outcomes. Read them with `sim.config.experiment_config(name)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from omegaconf import MISSING

SAMPLERS = ("grid", "lhs", "sobol", "saltelli")  # saltelli: Sobol indices design (SALib)


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
    step_days: int = 7           # days per step: the calendar's resolution, not a parameter of behaviour
    sampler: str = "lhs"
    points: int = 1              # sampled points (lhs, sobol: a power of 2); grid: from the levels;
                                 # saltelli: N base samples (a power of 2), giving N * (D + 2) points
    grid_levels: int = 3         # levels per uncertainty for the grid sampler when none are listed
    replications: int = 1        # runs per point and lever, with common random numbers across points
    uncertainties: List[UncertaintyConfig] = field(default_factory=list)
    levers: Dict[str, Dict[str, Any]] = field(default_factory=dict)
