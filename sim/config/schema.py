"""Typed configuration: the scenario's sections as the model declares them, and a run's settings.

Every coefficient is declared once, with its default, allowed range and source, in the
module of the model that reads it (`sim.model.world.WorldConfig`, each actor's section in
`sim/model/actors/`, `sim.model.parliament.ParliamentConfig`,
`sim.model.params.BehaviourConfig`, the factions' `sim.model.actors.factions.FactionConfig`);
`ScenarioConfig` is composed here from those sections (`sim.model.params.sections()`). These
dataclasses are registered in Hydra's ConfigStore (see `store.py`), so an unknown key or a
wrong type is refused while Hydra composes the config, before anything runs. Range checks
read the `range` metadata (`validate.py`). `source` names the facts of `docs/facts.md` a
value comes from, an outside source, or the word "assumption". The defaults are the January
2020 baseline; scenario files change only what differs.

Every rate is per day and every volatility per square root of a day (docs/odd.md, "Calendar
time"); a payoff coefficient is a payoff per week of a situation, a one-off coefficient a
payoff once, in the same units.
"""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from omegaconf import MISSING

from ..model.actors.factions import FactionConfig
from ..model.actors.government import GovernmentConfig
from ..model.actors.tehran import TehranConfig
from ..model.actors.washington import SanctionsConfig, WashingtonConfig
from ..model.case import CaseConfig
from ..model.declare import INF, optional_param, param
from ..model.params import BehaviourConfig, sections
from ..model.parliament import ParliamentConfig
from ..model.stages import STAGE_NAMES
from ..model.world import WorldConfig

__all__ = ["INF", "BehaviourConfig", "CaseConfig", "FactionConfig", "GovernmentConfig", "ParliamentConfig", "RunConfig",
           "SanctionsConfig", "ScenarioConfig", "TehranConfig", "WashingtonConfig", "WorldConfig", "optional_param",
           "param"]

if TYPE_CHECKING:
    ScenarioConfig = Any
else:
    #: a scenario: its name and texts, each section of the model (`sections()`), its factions
    ScenarioConfig = make_dataclass("ScenarioConfig", [
        ("name", str, field(default=MISSING)),
        ("title", str, field(default="")),
        ("description", str, field(default="")),
        ("case", CaseConfig, field(default_factory=CaseConfig)),
        *((name, cls, field(default_factory=cls)) for name, cls in sections()),
        ("factions", Dict[str, FactionConfig], field(default_factory=dict)),
    ], module=__name__)


#: the default order of a week's stages: the order of `sim.model.stages.STAGES`
DEFAULT_STEP_ORDER = list(STAGE_NAMES)


@dataclass
class RunConfig:
    seed: Optional[int] = field(default=0, metadata={"doc": "root seed; 0 is a seed, null draws fresh entropy"})
    horizon_weeks: int = param(156, 1, 1040, "the case's (scenario.case.horizon_weeks; Iraq 2020: docs/model_brief.md, January 2020 plus three years)", "calendar weeks from the start date in which a request can be made")
    start_date: str = field(default="2020-01-06", metadata={"doc": "date of day 0 (ISO); the case's (scenario.case.start_date)", "source": "the case (Iraq 2020: F12)"})
    step_days: int = param(7, 1, 28, "assumption (docs/model_brief.md: calendar time)", "days per step: the resolution of the calendar, not a parameter of behaviour")
    step_order: List[str] = field(default_factory=lambda: list(DEFAULT_STEP_ORDER))
    scenario: ScenarioConfig = MISSING
