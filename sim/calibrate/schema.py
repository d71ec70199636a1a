"""The settings of `python -m sim.calibrate` (configs/calibrate.yaml); the experiment it
runs is typed in `sim.config.experiment`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from omegaconf import MISSING

from ..config.experiment import ExperimentConfig


def setting(default, doc: str, allowed: str = ""):
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"doc": doc, "allowed": allowed})
    return field(default=default, metadata={"doc": doc, "allowed": allowed})


@dataclass
class ScreeningConfig:
    enabled: bool = setting(True, "run Morris screening and Sobol indices", "true | false")
    trajectories: int = setting(10, "Morris trajectories (each has one point per factor, plus one)", "an integer >= 2")
    structural: bool = setting(True, "include the structural choices (collective rule, step length, revision pace) "
                                     "as discrete factors", "true | false")
    top: int = setting(15, "factors kept for the Sobol indices (most influential by Morris mu*)", "an integer >= 2")
    base_samples: int = setting(64, "Sobol base samples N (a power of 2); the design has N * (top + 2) sets",
                                "a power of 2")
    replications: int = setting(16, "runs per screening set (common random numbers across sets)", "an integer >= 1")


@dataclass
class CalibrateConfig:
    experiment: ExperimentConfig = MISSING
    sets: Optional[int] = setting(None, "parameter sets drawn from the prior (null: the experiment's points)",
                                  "an integer >= 1")
    replications: Optional[int] = setting(None, "runs per set and lever (null: the experiment's)", "an integer >= 1")
    patterns: str = setting("patterns", "the bands: configs/calibration/NAME.yaml", "a file name in configs/calibration/")
    priors: str = setting("priors", "the prior ranges: configs/calibration/NAME.yaml", "a file name in configs/calibration/")
    band_scales: List[float] = setting([0.5, 0.75, 1.25, 1.5], "band widths tried for the sensitivity table",
                                       "numbers > 0")
    chunk_sets: int = setting(500, "parameter sets per saved chunk", "an integer >= 1")
    posterior_rows: Optional[int] = setting(
        10000, "accepted sets written to posterior.parquet: all when fewer are accepted, else a random subset "
               "drawn with the experiment's seed (the report's tables and the posterior medians use every "
               "accepted set; null: all)", "an integer >= 1, or null")
    executor: str = setting("local", "where the sets are computed: worker processes, threads of one process, or "
                                     "Ray (a cluster at ray_address, or a local Ray instance)", "local | threads | ray")
    workers: Optional[int] = setting(None, "worker processes or threads, or Ray tasks in flight (null: all cores)",
                                     "an integer >= 1, or null")
    ray_address: Optional[str] = setting(None, "executor=ray: a cluster to join", "HOST:PORT, or null for a local "
                                                                                 "Ray instance")
    progress: Optional[bool] = setting(None, "show a progress bar with the time left", "true | false | null (a bar on "
                                                                                       "a terminal, else log lines)")
    out: str = setting("results/calibration", "the output folder", "a folder")
    scenario_out: Optional[str] = setting(None, "also write the posterior medians as a scenario file here (e.g. "
                                                "configs/scenario/calibrated.yaml)", "a .yaml path, or null")
    screening: ScreeningConfig = field(default_factory=ScreeningConfig)


def register_calibrate_schema() -> None:
    from hydra.core.config_store import ConfigStore

    from ..config.help import register_help

    ConfigStore.instance().store(name="calibrate_schema", node=CalibrateConfig)
    register_help("sim_calibrate", "python -m sim.calibrate")
