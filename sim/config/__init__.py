"""Configuration at the edge: the typed schema (`schema`, `experiment`), its validation
(`validate`) and the front door (`load`) every entry point, notebook, test and tool uses:

    from sim.config import run_config, run_params, model_params, experiment_config
"""

from .load import (
    CONFIG_DIR,
    UnknownExperiment,
    UnknownScenario,
    available_experiments,
    available_scenarios,
    check_scenario,
    compose_config,
    experiment_config,
    model_params,
    register_configs,
    run_config,
    run_params,
    to_run_config,
)
from .validate import ConfigError

__all__ = [
    "CONFIG_DIR", "ConfigError", "UnknownExperiment", "UnknownScenario", "available_experiments",
    "available_scenarios", "check_scenario", "compose_config", "experiment_config", "model_params", "register_configs",
    "run_config", "run_params", "to_run_config",
]
