"""The front door for configs: compose, validate and convert, in one place.

    run_config("max_pressure", seed=3, overrides=["scenario.sanctions.credibility=0.9"])  -> RunConfig
    run_params("baseline", seed=0)                                                         -> ModelParams
    experiment_config("conditions", overrides=["replications=5"])                          -> ExperimentConfig

Scenario and experiment files pass the config edge (`sim.config.safety.check_choice`:
location, size, YAML aliases, no interpolations or instantiation keys) before Hydra or
OmegaConf reads them. Scenario overrides are Hydra override strings, exactly as on the command line of
`python -m sim`; experiment overrides are `key=value` pairs relative to the experiment
(`seed=3`, `replications=5`). Composition goes through Hydra's process-wide singleton, so it
runs under a lock (the browser app serves sessions from several threads) and its results
are cached; each call returns its own copy, so a caller may change it freely.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..model import draws
from ..model.params import FactionTable, ModelParams, faction_attributes, sections
from .experiment import ExperimentConfig
from .safety import check_choice, check_no_resolvers
from .schema import FactionConfig, RunConfig
from .validate import ConfigError, validate

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"

_LOCK = threading.RLock()
_registered = False


class UnknownScenario(ConfigError):
    """A scenario name that has no file in configs/scenario/."""

    def __init__(self, name: str):
        self.name = name
        choices = ", ".join(available_scenarios())
        super().__init__("scenario", name, f"one of {choices}")
        self.args = (f"unknown scenario {name!r}; choose one of: {choices}",)


class UnknownExperiment(ConfigError):
    """An experiment name that has no file in configs/experiment/."""

    def __init__(self, name: str):
        self.name = name
        choices = ", ".join(available_experiments())
        super().__init__("experiment", name, f"one of {choices}")
        self.args = (f"unknown experiment {name!r}; choose one of: {choices}",)


def available_scenarios() -> list[str]:
    """The scenario names, one per file of configs/scenario/."""
    return sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))


def available_experiments() -> list[str]:
    """The experiment names, one per file of configs/experiment/."""
    return sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))


def check_scenario(name: str) -> str:
    """`name` if it is a scenario of configs/scenario/, else UnknownScenario."""
    if name not in available_scenarios():
        raise UnknownScenario(name)
    return name


def register_configs() -> None:
    """Register the run schema, and a stub of `python -m sim`'s help (`sim.config.help`), in
    Hydra's ConfigStore once per process (it is a singleton)."""
    global _registered
    with _LOCK:
        if not _registered:
            from hydra.core.config_store import ConfigStore

            from .help import register_help

            ConfigStore.instance().store(name="run_schema", node=RunConfig)
            register_help("sim_run", "python -m sim")
            _registered = True


def to_run_config(cfg: DictConfig | RunConfig) -> RunConfig:
    """A config composed by Hydra (the `python -m sim` app's) as a validated RunConfig."""
    obj = OmegaConf.to_object(cfg) if isinstance(cfg, DictConfig) else cfg
    return validate(obj)  # type: ignore[arg-type]


def compose_config(config_name: str, overrides: Sequence[str]) -> DictConfig:
    """configs/<config_name>.yaml composed with Hydra overrides, as the command line composes
    it (the schemas it uses must be registered). Raises ConfigError for an override Hydra
    cannot apply (a value of the wrong type, a malformed override), naming the key."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException

    check_no_resolvers(overrides)
    with _LOCK:
        register_configs()
        if GlobalHydra.instance().is_initialized():
            GlobalHydra.instance().clear()
        try:
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                return compose(config_name=config_name, overrides=list(overrides))
        except (HydraException, OmegaConfBaseException) as err:
            raise composition_error(err, overrides) from None


def composition_error(err: BaseException, overrides: Sequence[str]) -> ConfigError:
    """A Hydra or OmegaConf error raised while composing, as one ConfigError line."""
    cause = err.__cause__ if isinstance(err.__cause__, OmegaConfBaseException) else err
    key = getattr(cause, "full_key", None)
    message = (getattr(cause, "msg", None) or str(cause)).strip().splitlines()
    value = next((o.split("=", 1)[1] for o in overrides if "=" in o and o.split("=", 1)[0].lstrip("+~") == key), None)
    return ConfigError(key or "override", value if key else list(overrides),
                       f"a value the config accepts ({message[0] if message else type(cause).__name__})")


@functools.lru_cache(maxsize=256)
def _run_config(scenario: str, seed: int | None, overrides: tuple[str, ...]) -> RunConfig:
    seed_override = "seed=null" if seed is None else f"seed={int(seed)}"
    given = [f"scenario={scenario}", seed_override, *overrides]
    cfg = compose_config("config", given)
    try:
        return to_run_config(cfg)
    except OmegaConfBaseException as err:  # a mandatory value left missing (a faction added without seats)
        raise composition_error(err, given) from None


def run_config(scenario: str = "baseline", seed: int | None = 0, overrides: Sequence[str] = ()) -> RunConfig:
    """The validated config of one run: a scenario of configs/scenario/, a root seed (0 is a
    seed; None draws fresh entropy when the parameters are built) and Hydra overrides.
    Raises UnknownScenario or ConfigError (key, value, what is allowed)."""
    check_scenario(scenario)
    check_choice("scenario", scenario)  # the file (and those it builds on) pass the config edge
    with _LOCK:
        return copy.deepcopy(_run_config(scenario, seed, tuple(overrides)))


def faction_table(factions: dict[str, FactionConfig]) -> FactionTable:
    """The active factions, in config order, as arrays over a factions axis (one per
    attribute of `FactionConfig`; a rationality left null is NaN, a flag a bool)."""
    active = [(name, f) for name, f in factions.items() if f.active]

    def column(attr: str) -> np.ndarray:
        values = [getattr(f, attr) for _, f in active]
        if all(isinstance(v, bool) for v in values) and values:
            return np.array(values, dtype=bool)
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    return FactionTable(tuple(n for n, _ in active), tuple(f.label or n for n, f in active),
                        {attr: column(attr) for attr in faction_attributes()})


def model_params(cfg: RunConfig, seed: int | None = None) -> ModelParams:
    """The numbers the model runs on, from a validated config; `seed` (already resolved)
    overrides cfg.seed, and a null seed is resolved to fresh entropy here."""
    sc = cfg.scenario
    typed = {f.name for f in dataclasses.fields(ModelParams)}
    names = [name for name, _ in sections()]
    return ModelParams(
        seed=draws.resolve_seed(cfg.seed if seed is None else seed),
        horizon_days=7 * int(cfg.horizon_weeks),
        step_order=tuple(cfg.step_order),
        **{name: getattr(sc, name) for name in names if name in typed},
        factions=faction_table(sc.factions),
        scenario_name=sc.name,
        start_date=dt.date.fromisoformat(cfg.start_date),
        step_days=int(cfg.step_days),
        extra={name: getattr(sc, name) for name in names if name not in typed},
        case=sc.case,
    )


def run_params(scenario: str = "baseline", seed: int | None = 0, overrides: Sequence[str] = ()) -> ModelParams:
    """`model_params(run_config(scenario, seed, overrides))`."""
    return model_params(run_config(scenario, seed, overrides))


@functools.lru_cache(maxsize=64)
def _experiment_config(name: str, overrides: tuple[str, ...]) -> ExperimentConfig:
    merged = OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                             OmegaConf.load(CONFIG_DIR / "experiment" / f"{name}.yaml"))
    if overrides:
        try:
            merged = OmegaConf.merge(merged, OmegaConf.from_dotlist(list(overrides)))
        except OmegaConfBaseException as err:
            key = getattr(err, "full_key", None) or ", ".join(overrides)
            raise ConfigError(f"experiment.{key}", list(overrides), f"existing experiment keys of the right type ({err.msg})") from None
    return OmegaConf.to_object(merged)  # type: ignore[return-value]


def experiment_config(name: str, overrides: Sequence[str] = ()) -> ExperimentConfig:
    """The typed declaration of configs/experiment/NAME.yaml, with `key=value` overrides
    relative to the experiment (`seed=3`). The same object `python -m sim.sweep
    experiment=NAME` composes; its plan (`sim.sweep.plan.make_plan`) checks the rest."""
    if name not in available_experiments():
        raise UnknownExperiment(name)
    check_choice("experiment", name)
    check_no_resolvers(overrides)
    with _LOCK:
        return copy.deepcopy(_experiment_config(name, tuple(overrides)))


def shipped_lever_keys() -> dict[str, list[str]]:
    """Every scenario key a lever of a shipped experiment (configs/experiment/*.yaml) sets,
    with the `experiment.lever`s that set it. A lever is a policy: the calibration never
    calibrates these keys (a posterior column would otherwise stand in a sweep's table where
    the lever should), and its report lists them."""
    keys: dict[str, list[str]] = {}
    for name in sorted(available_experiments()):
        for lever, settings in experiment_config(name).levers.items():
            for path in settings or {}:
                keys.setdefault(path, []).append(f"{name}.{lever}")
    return dict(sorted(keys.items()))
