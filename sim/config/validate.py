"""Range and consistency checks on a composed config, before anything runs.

Hydra already refuses unknown keys and wrong types while composing. This module checks
what types cannot: the `range` metadata of each field, that seats fit in parliament, that
registered names exist, and that the step order is a permutation of the stages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from ..model.bargaining import COLLECTIVE_RULES
from ..model.stages import STAGE_NAMES
from .schema import RunConfig


class ConfigError(ValueError):
    """A config value outside what the model allows; the message names key, value and range."""

    def __init__(self, key: str, value, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key} = {value!r} is not allowed: {allowed}")


def _fmt(x) -> str:
    return "inf" if x == math.inf else f"{x:g}"


def check_ranges(obj, path: str) -> None:
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            key = f"{path}.{f.name}" if path else f.name
            allowed = f.metadata.get("range")
            if allowed is not None and not isinstance(value, bool):
                lo, hi = allowed
                if not (isinstance(value, (int, float)) and lo <= value <= hi):
                    raise ConfigError(key, value, f"must lie in [{_fmt(lo)}, {_fmt(hi)}]")
            check_ranges(value, key)
    elif isinstance(obj, dict):
        for name, value in obj.items():
            check_ranges(value, f"{path}.{name}")


def validate(cfg: RunConfig) -> RunConfig:
    """Raise ConfigError for the first value the model does not allow; return cfg unchanged."""
    if cfg.seed is not None and (not isinstance(cfg.seed, int) or cfg.seed < 0):
        raise ConfigError("seed", cfg.seed, "an integer >= 0 (0 is a seed), or null for fresh entropy")
    check_ranges(cfg, "")
    try:
        dt.date.fromisoformat(cfg.start_date)
    except ValueError:
        raise ConfigError("start_date", cfg.start_date, "an ISO date such as 2020-01-06") from None
    if sorted(cfg.step_order) != sorted(STAGE_NAMES):
        raise ConfigError("step_order", list(cfg.step_order), f"each of {list(STAGE_NAMES)} exactly once, in any order")
    sc = cfg.scenario
    if sc.behaviour.collective_rule not in COLLECTIVE_RULES:
        raise ConfigError("scenario.behaviour.collective_rule", sc.behaviour.collective_rule, f"one of {list(COLLECTIVE_RULES)}")
    active = {k: f for k, f in sc.factions.items() if f.active}
    if not active:
        raise ConfigError("scenario.factions", sorted(sc.factions), "at least one active faction")
    seats = sum(f.seats for f in active.values())
    total = sc.parliament.total_seats
    if seats > total:
        raise ConfigError("scenario.factions.*.seats", seats, f"active factions' seats must sum to at most {total} (scenario.parliament.total_seats)")
    if sc.parliament.quorum > total:
        raise ConfigError("scenario.parliament.quorum", sc.parliament.quorum, f"at most scenario.parliament.total_seats = {total}")
    return cfg
