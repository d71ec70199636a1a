"""Range and consistency checks on a composed config, before anything runs.

Hydra already refuses unknown keys and wrong types while composing. This module checks
what types cannot: the `range` metadata of each field, that seats fit in parliament, that
registered names exist, that the step order is a permutation of the stages, that seeds fit
the 64-bit signed integers the tables store (`SEED_LIMIT`), that integer fields hold
integers, and that every date a run can reach is a date the calendar can hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from pathlib import Path

import numpy as np

from ..model.bargaining import COLLECTIVE_RULES
from ..model.bdm_readings import BDM_READINGS
from ..model.stages import STAGE_NAMES
from .schema import RunConfig

#: seeds lie in [0, SEED_LIMIT): sweep tables and summaries store them as 64-bit signed integers,
#: and a larger seed would silently wrap onto another one in the random-number keys
SEED_LIMIT = 2**63


class ConfigError(ValueError):
    """A config value outside what the model allows; the message names key, value and range."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key} = {value!r} is not allowed: {allowed}")


def _fmt(x: float) -> str:
    return "inf" if x == math.inf else f"{x:g}"


def is_int_field(f: dataclasses.Field) -> bool:
    """A field declared `int` (the schema uses postponed annotations, so the type is a string)."""
    return f.type in (int, "int")


def python_value(value: object) -> object:
    """The Python value a NumPy value holds: a NumPy scalar or a 0-d array as its number or
    boolean (`np.float64(0.3)` -> 0.3, `np.int64(3)` -> 3, `np.bool_(True)` -> True), an
    array of one or more dimensions as a list of those; anything else unchanged. The Python
    interface passes every number it is given through this first, so a NumPy value is taken,
    checked and refused exactly as the Python value it holds (`np.float64` is a float whose
    repr, `np.float64(0.3)`, is not a number to Hydra; `np.int64` is not an int)."""
    if isinstance(value, np.ndarray):
        return python_value(value[()]) if value.ndim == 0 else value.tolist()
    if isinstance(value, np.generic):
        item = value.item()
        if isinstance(item, np.generic):  # a long double has no Python twin: the nearest float
            return complex(item) if np.iscomplexobj(item) else float(item)
        return item
    return value


def check_seed(key: str, seed: object, null_allowed: bool = True) -> None:
    """A root seed: an integer in [0, 2**63) (None, fresh entropy, is the caller's to allow
    or refuse before calling; `null_allowed` only says whether the message offers it)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        null = ", or null for fresh entropy" if null_allowed else ""
        raise ConfigError(key, seed, f"an integer in [0, 2**63) (0 is a seed){null}")


def check_ranges(obj: object, path: str) -> None:
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            key = f"{path}.{f.name}" if path else f.name
            allowed = f.metadata.get("range")
            if value is None and f.metadata.get("optional"):
                continue
            if allowed is not None and is_int_field(f) and (isinstance(value, bool) or not isinstance(value, int)):
                lo, hi = allowed
                raise ConfigError(key, value, f"an integer in [{_fmt(lo)}, {_fmt(hi)}]")
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
    if cfg.seed is not None:
        check_seed("seed", cfg.seed)
    check_ranges(cfg, "")
    try:
        start = dt.date.fromisoformat(cfg.start_date)
    except (TypeError, ValueError):
        raise ConfigError("start_date", cfg.start_date, "an ISO date such as 2020-01-06") from None
    # the last day a run can reach: a request made at the horizon runs its notice period (F4) past it
    last_day = cfg.horizon_weeks * 7 + int(math.ceil(_largest(cfg.scenario.legal.notice_days))) + 1 + cfg.step_days
    latest_start = dt.date.max - dt.timedelta(days=last_day)
    if start > latest_start:
        raise ConfigError("start_date", cfg.start_date, f"an ISO date no later than {latest_start.isoformat()}, so that "
                          f"every day of the run ({last_day} days) is a calendar date")
    if sorted(cfg.step_order) != sorted(STAGE_NAMES):
        raise ConfigError("step_order", list(cfg.step_order), f"each of {list(STAGE_NAMES)} exactly once, in any order")
    sc = cfg.scenario
    check_case(sc)
    if sc.behaviour.collective_rule not in COLLECTIVE_RULES:
        raise ConfigError("scenario.behaviour.collective_rule", sc.behaviour.collective_rule, f"one of {list(COLLECTIVE_RULES)}")
    if sc.behaviour.bdm_reading not in BDM_READINGS:
        raise ConfigError("scenario.behaviour.bdm_reading", sc.behaviour.bdm_reading, f"one of {list(BDM_READINGS)}")
    for actor, allowed_postures in _initial_postures().items():
        posture = getattr(sc, actor).initial_posture
        if posture not in allowed_postures:
            raise ConfigError(f"scenario.{actor}.initial_posture", posture, f"one of {list(allowed_postures)}")
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


def _largest(value: object) -> float:
    return float(np.max(value)) if isinstance(value, (np.ndarray, list, tuple)) else float(value)  # type: ignore[arg-type]


def _iso(key: str, value: object) -> None:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(key, value, "an ISO date such as 2020-01-06") from None


def check_case(sc: object) -> None:
    """The case of a scenario (`sim.model.case`, docs/cases/README.md): its dates and horizon,
    its legal basis (who may give notice, the vote rule), its outcome with a source, a rival
    actor switched off when there is no rival, a sheet inside the repository, and words for
    its texts that do not feed each other. Raises ConfigError."""
    from ..model.case import IRAQ_SHEET, NOTICE_BY, VOTE_RULES
    from ..model.outcomes import OUTCOMES as OUTCOME_NAMES

    case = sc.case  # type: ignore[attr-defined]
    legal = sc.legal  # type: ignore[attr-defined]
    _iso("scenario.case.start_date", case.start_date)
    if isinstance(case.horizon_weeks, bool) or not isinstance(case.horizon_weeks, int) or not 1 <= case.horizon_weeks <= 1040:
        raise ConfigError("scenario.case.horizon_weeks", case.horizon_weeks, "an integer in [1, 1040]")
    if legal.notice_by not in NOTICE_BY:
        raise ConfigError("scenario.legal.notice_by", legal.notice_by, f"one of {list(NOTICE_BY)}")
    if legal.vote_rule not in VOTE_RULES:
        raise ConfigError("scenario.legal.vote_rule", legal.vote_rule, f"one of {list(VOTE_RULES)}")
    if legal.notice_by == "legislature" and legal.vote_rule == "none":
        raise ConfigError("scenario.legal.notice_by", legal.notice_by, "executive or executive_after_law when "
                          "scenario.legal.vote_rule is none (a legislature that never votes cannot give notice)")
    sheet = str(case.sheet)
    root = Path(__file__).resolve().parents[2]
    missing = sheet != IRAQ_SHEET and not (root / sheet).is_file()  # Iraq 2020's facts: the project's own
    if not sheet or sheet.startswith(("/", "~")) or ".." in Path(sheet).parts or missing:
        raise ConfigError("scenario.case.sheet", sheet, "the path of the case's sheet inside the repository, "
                          "such as docs/cases/<case>.md")
    out = case.outcome
    if out is not None:
        if out.observed not in OUTCOME_NAMES:
            raise ConfigError("scenario.case.outcome.observed", out.observed, f"one of {list(OUTCOME_NAMES)}")
        if not str(out.source or "").strip():
            raise ConfigError("scenario.case.outcome.source", out.source, "a source: keys of docs/cases/sources.md "
                              "or fact ids of the case's sheet")
        for name in ("notice_date", "date", "completed_date"):
            if getattr(out, name) is not None:
                _iso(f"scenario.case.outcome.{name}", getattr(out, name))
    for k, line in enumerate(case.opening):
        _iso(f"scenario.case.opening.{k}.date", line.date)
    if case.rival is None:
        if sc.tehran.initial_posture != "restrain":  # type: ignore[attr-defined]
            raise ConfigError("scenario.tehran.initial_posture", sc.tehran.initial_posture,  # type: ignore[attr-defined]
                              "restrain when scenario.case.rival is null (no rival: its actor never moves)")
        if _largest(sc.tehran.initial_pressure) != 0.0:  # type: ignore[attr-defined]
            raise ConfigError("scenario.tehran.initial_pressure", sc.tehran.initial_pressure,  # type: ignore[attr-defined]
                              "0 when scenario.case.rival is null (no rival)")
    for word, said in case.terms.items():
        feeds = [k for k in case.terms if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", str(said))]
        if feeds:
            raise ConfigError(f"scenario.case.terms.{word}", said, f"words that contain none of the terms replaced "
                              f"({feeds[0]!r}), so that a text reads the same however often it is rendered")


def _initial_postures() -> dict[str, tuple[str, ...]]:
    """The postures each actor with an `initial_posture` setting may start from: those its
    module names (`INITIAL_POSTURES`), else every action of the actor."""
    import importlib

    from ..model.actors import ACTORS

    out = {}
    for actor in ACTORS.values():
        for section, cls in actor.sections:
            if "initial_posture" in {f.name for f in dataclasses.fields(cls)}:
                module = importlib.import_module(f"sim.model.actors.{actor.name}")
                out[section] = tuple(getattr(module, "INITIAL_POSTURES", actor.action_names))
    return out
