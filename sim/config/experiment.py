"""Typed experiment declarations (configs/experiment/*.yaml), after the EMA Workbench's
uncertainties / levers / outcomes. Read them with `sim.config.experiment_config(name)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from omegaconf import MISSING

SAMPLERS = ("grid", "lhs", "sobol", "saltelli", "table")  # saltelli: Sobol indices design (SALib); table: rows of a file
SCALES = ("linear", "log")


def _setting(default: Any, doc: str, allowed: str = "") -> Any:
    """An experiment field with its meaning and what it may be (`python -m sim.sweep --help`)."""
    if isinstance(default, (list, dict)):
        return field(default_factory=type(default), metadata={"doc": doc, "allowed": allowed})
    return field(default=default, metadata={"doc": doc, "allowed": allowed})


@dataclass
class UncertaintyConfig:
    """One uncertain condition: a scenario parameter (path relative to the scenario, e.g.
    `sanctions.credibility` or `factions.kurds.seats`) drawn uniformly from [low, high], or
    taken from `levels` by the grid sampler."""

    param: str = _setting(MISSING, "a scenario coefficient, relative to the scenario (sanctions.credibility)",
                          "a field with a range (python -m sim --help lists them)")
    low: float = _setting(MISSING, "lowest value drawn", "within the coefficient's range")
    high: float = _setting(MISSING, "highest value drawn", "within the coefficient's range, >= low")
    levels: Optional[List[float]] = _setting(None, "the values the grid sampler takes (default: grid_levels evenly "
                                                   "spaced values from low to high)")
    source: str = _setting("", "where the range comes from (fact ids of docs/facts.md, or assumption)")
    label: str = _setting("", "the condition's name in reports")
    scale: str = _setting("linear", "how values are spread over [low, high]: evenly (linear) or evenly in their "
                                    "logarithm (log, for rates and weights known only to a factor)", " | ".join(SCALES))


@dataclass
class ExperimentConfig:
    name: str = _setting(MISSING, "the experiment's name (its folder under results/sweeps/)",
                         "letters, digits and underscores")
    description: str = _setting("", "what the experiment asks")
    scenario: str = _setting("baseline", "the scenario every run starts from", "a scenario of configs/scenario/")
    seed: int = _setting(0, "root seed of the sweep (0 is a seed)", "an integer in [0, 2**63)")
    horizon_weeks: int = _setting(156, "weeks in which a request can be made (January 2020 plus three years)",
                                  "an integer in [1, 1040]")
    step_days: int = _setting(7, "days per step: the calendar's resolution, not a parameter of behaviour",
                              "an integer in [1, 28]")
    sampler: str = _setting("lhs", "how points are drawn from the uncertainties", " | ".join(SAMPLERS))
    # points: sampled points (lhs, sobol: a power of 2); grid: from the levels; saltelli: N base
    # samples (a power of 2), giving N * (D + 2) points
    points: int = _setting(1, "points drawn (lhs, sobol: a power of 2; saltelli: N base samples, giving "
                              "N * (D + 2) points; grid: from the levels)", "an integer >= 1")
    grid_levels: int = _setting(3, "levels per uncertainty for the grid sampler when none are listed",
                                "an integer >= 1")
    replications: int = _setting(1, "runs per point and lever; the levers share each run's random world, every point has its own",
                                 "an integer >= 1")
    uncertainties: List[UncertaintyConfig] = _setting([], "the uncertain conditions (param, low, high, levels, "
                                                          "source, label)")
    levers: Dict[str, Dict[str, Any]] = _setting({}, "named policy options: lever name -> {scenario field: value}")
    table: Optional[str] = _setting(None, "sampler table: a Parquet file in results/ whose columns named like "
                                          "scenario coefficients (government.salience) are the points; `points` "
                                          "rows are drawn from it with replacement (e.g. a posterior)",
                                    "a path relative to the repository, under results/")
