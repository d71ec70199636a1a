"""The numbers the model math runs on: plain attributes and arrays, never config nodes.

`ModelParams` is built once at the edge (`sim.config.model_params`) from a validated
config. Its sections are the scenario's sections, each the dataclass its module declares
(the world's `WorldConfig`, an actor's own, parliament's, `BehaviourConfig` below), so a
coefficient is declared once, with its default, range and source, where the code that reads
it lives; in sweeps a coefficient may be an array with one value per run, and every
function broadcasts over it. `sections()` lists them; `sim.model.packing` lays them out for
the compiled kernels and `sim.config.schema` composes the scenario's config from them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .declare import INF, param, setting

if TYPE_CHECKING:
    from .actors.government import GovernmentConfig
    from .actors.tehran import TehranConfig
    from .actors.washington import SanctionsConfig, WashingtonConfig
    from .parliament import ParliamentConfig
    from .world import WorldConfig


@dataclass
class BehaviourConfig:
    PREFIX: ClassVar[str] = "B"
    rationality: float = param(8.0, 0.0, INF, "McKelvey & Palfrey (1995); assumption", "logit rationality lambda of every actor whose own is null; inf = best response")
    discount_rate: float = param(0.002, 0.0001, 1.0, "assumption", "discount rate per day with which actors value lasting moves (half-life about a year); above zero, since a lasting move is valued over an open horizon")
    faction_revision_rate: float = param(round(1 / 21, 6), 0.0, 1.0, "assumption", "how often per day a faction reconsiders its stated position (every three weeks)")
    faction_switching_cost: float = param(0.1, 0.0, 50.0, "Fearon (1994) audience costs; assumption", "one-off cost to a faction of changing its stated position")
    baghdad_patience: float = param(0.9, 0.0, 0.999, "F15; assumption", "Baghdad's discount factor per round in drawdown bargaining")
    min_deal: float = param(0.02, 0.0, 1.0, "assumption", "smallest drawdown, as a share of the January 2020 force, worth negotiating")
    bdm_reading: str = setting("text", "reading of the bdm rule where the open replications of Scholz, Calbert & Smith (2011) depart from their text: text | replication (sim/model/bdm_readings.py)", "Scholz, Calbert & Smith (2011); jmckib/bdm-scholz-expected-utility-model")
    collective_rule: str = setting("compromise", "registered collective-decision rule: compromise | median | bdm (weighted_median is an alias of median)", "Bueno de Mesquita (1994); Scholz, Calbert & Smith (2011)")


def sections() -> tuple[tuple[str, type], ...]:
    """The scenario's sections of scalar coefficients, (name, dataclass), in order: the world,
    the legal basis, each actor's (`sim.model.actors`), parliament, behaviour."""
    from .actors import ACTORS
    from .legal import LegalConfig
    from .parliament import ParliamentConfig
    from .world import WorldConfig

    actor_sections = tuple(s for a in ACTORS.values() for s in a.sections)
    return (("world", WorldConfig), ("legal", LegalConfig), *actor_sections, ("parliament", ParliamentConfig),
            ("behaviour", BehaviourConfig))


def faction_attributes() -> tuple[str, ...]:
    """The factions' per-faction numbers, in `FactionConfig`'s order (seats to rationality)."""
    from .actors.factions import FactionConfig

    return tuple(f.name for f in dataclasses.fields(FactionConfig) if f.name not in ("label", "active"))


class FactionTable:
    """Baghdad's active factions as arrays over a factions axis F (in config order): one
    array per attribute of `FactionConfig` (`faction_attributes`), (F,), or (R, F) in sweeps
    over a faction's coefficient; a rationality left null is NaN (`behaviour.rationality`
    stands for it)."""

    def __init__(self, names: tuple[str, ...], labels: tuple[str, ...], columns: dict[str, np.ndarray]) -> None:
        missing = set(faction_attributes()) - set(columns)
        if missing:
            raise ValueError(f"FactionTable: no column for {sorted(missing)}")
        self.names, self.labels, self.columns = tuple(names), tuple(labels), dict(columns)

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("columns", {})
        if name in columns:
            return columns[name]
        raise AttributeError(name)

    def __reduce__(self) -> tuple:
        return (FactionTable, (self.names, self.labels, self.columns))

    @property
    def size(self) -> int:
        return len(self.names)

    def with_column(self, attr: str, values: np.ndarray) -> "FactionTable":
        return FactionTable(self.names, self.labels, {**self.columns, attr: values})

    def take(self, rows: np.ndarray) -> "FactionTable":
        """Rows of per-run (R, F) attributes; (F,) attributes are shared and kept."""
        return FactionTable(self.names, self.labels, {k: (v[rows] if v.ndim == 2 else v) for k, v in self.columns.items()})

    def row(self, i: int) -> "FactionTable":
        """Run i's attributes; the table itself if none is per run."""
        if all(v.ndim < 2 for v in self.columns.values()):
            return self
        return FactionTable(self.names, self.labels, {k: (v[i] if v.ndim == 2 else v) for k, v in self.columns.items()})

    def column(self, attr: str, j: int) -> np.ndarray:
        """Attribute `attr` of faction j, as a scalar or a per-run (R,) array."""
        return self.columns[attr][..., j]


@dataclass(frozen=True)
class ModelParams:
    seed: int
    horizon_days: int                   # calendar days from the start date in which a request can be made
    step_order: tuple[str, ...]
    world: "WorldConfig"
    sanctions: "SanctionsConfig"
    government: "GovernmentConfig"
    washington: "WashingtonConfig"
    tehran: "TehranConfig"
    parliament: "ParliamentConfig"
    behaviour: BehaviourConfig
    factions: FactionTable
    scenario_name: str = "custom"
    start_date: dt.date = dt.date(2020, 1, 6)   # the date of day 0
    step_days: int = 7                          # calendar days one step stands for (the resolution)
    #: the sections of actors added beside these (their module declares them): p.<name>
    extra: dict[str, Any] = field(default_factory=dict)
    #: the case (`sim.model.case.CaseConfig`): its actors' names, rival, texts; None: Iraq 2020
    case: Any = None

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra") or {}
        if name in extra:
            return extra[name]
        raise AttributeError(name)

    @property
    def horizon_steps(self) -> int:
        """Steps that cover the horizon: the last one contains day `horizon_days`."""
        return -(-self.horizon_days // self.step_days)

    def day(self, step: int) -> int:
        """The day (since the start date) at the end of step `step` (step 0 = day 0)."""
        return int(step) * self.step_days

    def date_of_day(self, day: int) -> dt.date:
        """The calendar date of a day since the start date."""
        return self.start_date + dt.timedelta(days=int(day))

    def step_date(self, step: int) -> dt.date:
        """The calendar date at the end of a step."""
        return self.date_of_day(self.day(step))

    def section(self, name: str) -> Any:
        return getattr(self, name)

    def with_section(self, name: str, section: Any) -> "ModelParams":
        """The params with section `name` replaced."""
        if name in {f.name for f in dataclasses.fields(self)}:
            return dataclasses.replace(self, **{name: section})
        return dataclasses.replace(self, extra={**self.extra, name: section})

    def _per_run(self, pick: Any) -> "ModelParams":
        p = self
        for name, _ in sections():
            sec = self.section(name)
            changes = {f.name: pick(getattr(sec, f.name)) for f in dataclasses.fields(sec)
                       if isinstance(getattr(sec, f.name), np.ndarray)}
            if changes:
                p = p.with_section(name, dataclasses.replace(sec, **changes))
        return p

    def take(self, rows: np.ndarray) -> "ModelParams":
        """The parameters of a subset of runs: per-run (R,) arrays are indexed, scalars kept."""
        return dataclasses.replace(self._per_run(lambda a: a[rows]), factions=self.factions.take(rows))

    def row(self, i: int) -> "ModelParams":
        """The scalar parameters of run i (per-run arrays indexed; shared values kept); the
        params themselves if nothing is per run, so that what is computed once per params
        object (`packing.packed`, `state.initial_state`) is computed once for all the runs."""
        p, factions = self._per_run(lambda a: a[i].item()), self.factions.row(i)
        if p is self and factions is self.factions:
            return self
        return dataclasses.replace(p, factions=factions)
