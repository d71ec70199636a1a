"""The case library: the scenarios that are cases, what each observed, and which
coefficients a case sets itself.

A case is a scenario file of configs/scenario/ with a `case:` section (`sim.model.case`);
it is part of the library's scoring when its section records an observed outcome. Iraq 2020
(scenario `baseline`) is the article's case: its outcome is not data (the model predicts it),
and what was knowable in January 2020 enters through the calibration's bands
(configs/calibration/patterns.yaml).

Which coefficients are shared across cases: the calibration's behavioural coefficients
(configs/calibration/priors.yaml) except, for each case, those its own file sets (it fixes
them from its sources) and the factions' attributes (a case's factions are its own).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ..config import ConfigError, run_config
from ..config.safety import CONFIG_ROOT, check_config_file
from ..config.schema import RunConfig

#: the article's case: its scenario, and the name the case library gives it
IRAQ = "baseline"
SCENARIO_DIR = CONFIG_ROOT / "scenario"
#: keys of a scenario file that are not coefficients
NOT_COEFFICIENTS = ("defaults", "name", "title", "description", "case")


@dataclass(frozen=True)
class Case:
    """A case of the library: its scenario name, country and start date, what it observed
    (an outcome name, or None for Iraq 2020), the days from the notice to that outcome, and
    the coefficient paths its file sets."""
    name: str
    country: str
    start_date: str
    observed: str | None
    days_from_notice: int | None
    source: str
    sets: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.country} {self.start_date[:4]}"


def _flatten(doc: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in doc.items():
        path = f"{prefix}{key}"
        out += _flatten(value, path + ".") if isinstance(value, dict) else [path]
    return out


def file_paths(name: str) -> frozenset[str]:
    """The coefficient paths configs/scenario/NAME.yaml sets (its own keys, not its case section)."""
    import yaml

    path = SCENARIO_DIR / f"{name}.yaml"
    check_config_file(path, "scenario", root=SCENARIO_DIR)
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(p for key, value in doc.items() if key not in NOT_COEFFICIENTS and isinstance(value, dict)
                     for p in _flatten(value, key + "."))


@functools.lru_cache(maxsize=None)
def case(name: str) -> Case:
    """The case of scenario `name` (ConfigError if the scenario has no case section)."""
    path = SCENARIO_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError("case", name, f"a scenario of configs/scenario/ with a case section: one of "
                          f"{', '.join(names())}")
    cfg = run_config(name, 0)
    c = cfg.scenario.case
    outcome = c.outcome if name != IRAQ else None
    observed = outcome.observed if outcome is not None and outcome.observed else None
    if name != IRAQ and observed is None:
        raise ConfigError("case", name, "a case whose scenario records its outcome (case.outcome.observed); "
                          f"the scored cases are {', '.join(names())}")
    return Case(name, c.country, str(cfg.start_date), observed,
                outcome.days_from_notice if outcome is not None else None,
                outcome.source if outcome is not None else "", file_paths(name))


def names() -> list[str]:
    """The library's cases: scenarios whose case section records an observed outcome, by start date."""
    import yaml

    found = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        section = doc.get("case") if isinstance(doc, dict) else None
        outcome = section.get("outcome") if isinstance(section, dict) else None
        if isinstance(outcome, dict) and outcome.get("observed"):
            found.append((str(section.get("start_date", "")), path.stem))
    return [name for _, name in sorted(found)]


def config(name: str, seed: int, step_days: int | None = None) -> RunConfig:
    """The case's run config (its own horizon), at the experiment's step length."""
    return run_config(name, seed, [f"step_days={step_days}"] if step_days else [])


def kept_paths(c: Case, prior_paths: list[str]) -> tuple[str, ...]:
    """The prior's paths the case keeps at its own values: those its file sets and the
    factions' attributes (Iraq 2020 keeps none: the calibration's priors are its own)."""
    if c.name == IRAQ:
        return ()
    return tuple(p for p in prior_paths if p in c.sets or p.startswith("factions."))


def sheet_path(name: str) -> Path:
    return CONFIG_ROOT.parent / "docs" / "cases" / f"{name}.md"
