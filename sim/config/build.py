"""From a validated `RunConfig` to the plain numbers of `ModelParams` (the math never sees
config objects)."""

from __future__ import annotations

import numpy as np
from omegaconf import DictConfig, OmegaConf

from ..model import draws
from ..model.params import FactionTable, ModelParams
from .schema import RunConfig
from .validate import validate

FACTION_ARRAYS = (
    "seats", "ideal_position", "salience", "tension_sensitivity", "security_weight", "sanctions_exposure",
    "linkage_weight", "iran_alignment", "street_responsiveness", "mobilising_power",
)


def to_run_config(cfg) -> RunConfig:
    """A composed Hydra config (DictConfig) as a validated RunConfig dataclass instance."""
    obj = OmegaConf.to_object(cfg) if isinstance(cfg, DictConfig) else cfg
    return validate(obj)


def faction_table(factions: dict) -> FactionTable:
    active = [(name, f) for name, f in factions.items() if f.active]
    arrays = {a: np.array([getattr(f, a) for _, f in active], dtype=np.float64) for a in FACTION_ARRAYS}
    return FactionTable(
        names=tuple(n for n, _ in active), labels=tuple(f.label or n for n, f in active),
        can_boycott=np.array([f.can_boycott for _, f in active], dtype=bool), **arrays,
    )


def model_params(cfg: RunConfig, seed: int | None = None) -> ModelParams:
    """Numbers for the model; `seed` (already resolved) overrides cfg.seed."""
    sc = cfg.scenario
    root = draws.resolve_seed(cfg.seed if seed is None else seed)
    return ModelParams(
        seed=root,
        horizon_weeks=cfg.horizon_weeks,
        deadline_weeks=int(round(364 / cfg.step_days)),  # F4: one year
        step_order=tuple(cfg.step_order),
        world=sc.world, sanctions=sc.sanctions, government=sc.government, washington=sc.washington,
        tehran=sc.tehran, parliament=sc.parliament, behaviour=sc.behaviour,
        factions=faction_table(sc.factions),
    )
