"""Registration of the structured configs in Hydra's ConfigStore, and composing a config
without the command line (for tests, the sweep runner and the teaching tools)."""

from __future__ import annotations

from pathlib import Path

from hydra.core.config_store import ConfigStore

from .schema import RunConfig

CONFIG_DIR = str(Path(__file__).resolve().parents[2] / "configs")

_registered = False


def register_configs() -> None:
    """Register the run schema once per process (Hydra's ConfigStore is a singleton)."""
    global _registered
    if not _registered:
        ConfigStore.instance().store(name="run_schema", node=RunConfig)
        _registered = True


def compose_run_config(overrides: list[str] | None = None):
    """Compose `configs/config.yaml` with Hydra overrides, e.g. ["scenario=max_pressure", "seed=3"]."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_configs()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides or []))


def available_scenarios() -> list[str]:
    return sorted(p.stem for p in (Path(CONFIG_DIR) / "scenario").glob("*.yaml"))
