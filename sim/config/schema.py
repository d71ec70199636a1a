"""Typed configuration: every coefficient with its default, allowed range and source.

These dataclasses are registered in Hydra's ConfigStore (see `store.py`), so an unknown key
or a wrong type is refused while Hydra composes the config, before anything runs. Range
checks read the `range` metadata (`validate.py`). `source` names the facts of
`docs/facts.md` a value comes from, an outside source, or the word "assumption".
The defaults here are the January 2020 baseline; scenario files change only what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, TypeVar

from omegaconf import MISSING

from ..model.stages import STAGE_NAMES

INF = float("inf")

T = TypeVar("T")


def param(default: T, lo: float, hi: float, source: str, doc: str) -> T:
    """A config value with its default, its allowed closed range [lo, hi] and its source."""
    return field(default=default, metadata={"range": (lo, hi), "source": source, "doc": doc})


def optional_param(lo: float, hi: float, source: str, doc: str) -> Optional[float]:
    """A value that may be left null (then another value stands for it, as `doc` says)."""
    return field(default=None, metadata={"range": (lo, hi), "source": source, "doc": doc, "optional": True})


def _per_day(weekly_share: float) -> float:
    """The rate per day at which a share `weekly_share` of a gap closes in a week (docs)."""
    import math

    return round(-math.log(1.0 - weekly_share) / 7.0, 6)


# Every rate is per day and every volatility per square root of a day (docs/architecture.md,
# "Calendar time"); a payoff coefficient is a payoff per week of a situation, a one-off
# coefficient a payoff once, in the same units.


@dataclass
class WorldConfig:
    initial_troops: float = param(5000.0, 0.0, 5000.0, "F3", "US troops in Iraq in January 2020 (about 5,000)")
    initial_iran_influence: float = param(0.5, 0.0, 1.0, "F7, F24; assumption", "Iranian influence in Iraq at the start")
    initial_isis_threat: float = param(0.3, 0.0, 1.0, "F1, F20; assumption", "ISIS threat at the start")
    initial_tension: float = param(0.9, 0.0, 1.0, "F12; assumption", "US-Iran tension right after the Soleimani strike")
    initial_mobilisation: float = param(0.6, 0.0, 1.0, "F18; assumption", "street mobilisation for withdrawal at the start")
    initial_protests: float = param(0.7, 0.0, 1.0, "F14; assumption", "anti-corruption protests at the start")
    isis_mean: float = param(0.3, 0.0, 1.0, "F1, F20; assumption", "long-run ISIS threat with full US presence")
    isis_reversion: float = param(_per_day(0.05), 0.0, 1.0, "assumption", "reversion rate of the ISIS threat per day (half-life about 3 months)")
    isis_volatility: float = param(0.0116, 0.0, 0.2, "assumption", "noise of the ISIS threat per square root of a day (stationary s.d. about 0.1)")
    isis_presence_effect: float = param(0.3, 0.0, 1.0, "F1, F8, F20; assumption", "rise of the threat's long-run level if US forces leave")
    tension_baseline: float = param(0.3, 0.0, 1.0, "assumption", "level tension decays to")
    tension_decay: float = param(_per_day(0.05), 0.0, 1.0, "F12; assumption", "decay rate of tension per day (half-life about 3 months)")
    mobilisation_rate: float = param(_per_day(0.15), 0.0, 1.0, "F18; assumption", "adjustment rate of street mobilisation per day")
    mobilisation_tension_weight: float = param(0.5, 0.0, 2.0, "F12, F18; assumption", "how much tension fills the street")
    mobilisation_sanctions_anger: float = param(0.3, 0.0, 1.0, "F22, F23; assumption", "street anger at imposed sanctions")
    mobilisation_threat_anger: float = param(0.1, 0.0, 1.0, "F19; assumption", "street anger at a public sanctions threat ('knee-jerk reactions')")
    mobilisation_volatility: float = param(0.0082, 0.0, 0.2, "assumption", "noise of mobilisation per square root of a day")
    protest_decay: float = param(_per_day(0.02), 0.0, 1.0, "F14; assumption", "decay rate of the protest wave per day")
    protest_floor: float = param(0.2, 0.0, 1.0, "F14; assumption", "level the protest wave decays to")
    protest_volatility: float = param(0.0114, 0.0, 0.2, "F14; assumption", "noise of protests per square root of a day")
    influence_rate: float = param(_per_day(0.05), 0.0, 1.0, "assumption", "adjustment rate of Iranian influence per day")
    influence_base: float = param(0.45, 0.0, 1.0, "F7; assumption", "Iranian influence's long-run level with full US presence")
    influence_vacuum_weight: float = param(0.35, 0.0, 1.0, "F7, F24", "rise of influence's level if US forces leave")
    influence_sanctions_weight: float = param(0.15, 0.0, 1.0, "F23", "rise of influence's level under US sanctions")
    influence_pressure_weight: float = param(0.05, 0.0, 1.0, "F16; assumption", "rise of influence's level under Tehran's pressure")


@dataclass
class SanctionsConfig:
    magnitude: float = param(0.6, 0.0, 1.0, "F22 ('very big sanctions')", "size of the threatened sanctions")
    credibility: float = param(0.5, 0.0, 1.0, "F22; assumption", "Baghdad's prior belief that Washington would impose them after a formal request")
    resolute_signal: float = param(0.8, 0.0, 1.0, "F22; Fearon (1997); assumption", "chance a resolute Washington threatens at a revision (Baghdad's reading)")
    bluff_signal: float = param(0.5, 0.0, 1.0, "F22; Fearon (1997); assumption", "chance a bluffing Washington threatens at a revision (Baghdad's reading)")
    follow_through: float = param(0.9, 0.0, 1.0, "F22; assumption", "chance a resolute Washington imposes at a revision with a request standing (Baghdad's reading)")
    washington_cost: float = param(0.2, 0.0, 2.0, "F23 ('harmful to both nations'); assumption", "Washington's own cost per week of imposed sanctions, per unit of magnitude")
    lifted_by_retraction: bool = field(default=False, metadata={"doc": "taking the formal request back lifts imposed sanctions at once (false: they stay until Washington chooses to lift them, so they cannot buy a retraction: Kadhim's reading, F23)", "source": "F22, F23; scenario option"})
    override: Optional[bool] = field(default=None, metadata={"doc": "force Washington to impose sanctions at a formal request (true) or never (false), holding Baghdad's beliefs as they are; null = Washington decides", "source": "F23 counterfactual"})


@dataclass
class GovernmentConfig:
    initially_caretaker: bool = field(default=True, metadata={"doc": "Abdul Mahdi resigned and governs as caretaker", "source": "F11"})
    negotiations_requested: bool = field(default=True, metadata={"doc": "the caretaker has asked Pompeo for a delegation to plan withdrawal (a proposal for talks, not a formal request), waiting for Washington's answer", "source": "F5"})
    initial_position: float = param(0.6, 0.0, 1.0, "F5; assumption", "caretaker PM's stance: asked for a delegation to plan withdrawal")
    salience: float = param(1.5, 0.0, 5.0, "assumption", "PM's payoff per week per unit of distance between its stance and the withdrawal it gets")
    pm_weight: float = param(0.7, 0.0, 1.0, "F13, F15; assumption", "weight of the PM's own stance against parliament's collective stance")
    escalation_cost: float = param(2.0, 0.0, 50.0, "F19", "one-off cost of a public, 'knee-jerk' escalation: the formal request")
    mandate_weight: float = param(2.0, 0.0, 50.0, "F12, F13", "one-off weight of parliament's resolution as a mandate to act (and a cost of defying it)")
    base_revision_rate: float = param(round(1 / 21, 6), 0.0, 1.0, "F15; assumption", "how often per day a confirmed government reconsiders its course (every three weeks)")
    caretaker_deference: float = param(0.8, 0.0, 1.0, "F13", "share of its chances to act a caretaker lets pass")
    protest_drain: float = param(0.5, 0.0, 1.0, "F14", "share of its chances to act anti-corruption protests can drain")
    majority_revision_rate: float = param(round(1 / 7, 6), 0.0, 1.0, "F15; assumption", "how often per day a PM with a parliamentary majority reconsiders (weekly)")
    formation_rate: float = param(0.0043, 0.0, 1.0, "F13, F15; assumption", "hazard per day that a new government is confirmed (mean about 8 months)")
    p_anti_american_pm: float = param(0.1, 0.0, 1.0, "F15; assumption", "chance the new PM is very anti-American with a majority")
    anti_american_position: float = param(0.95, 0.0, 1.0, "F15", "stance of such a PM")
    collapse_rate: float = param(0.000286, 0.0, 1.0, "F14; assumption", "hazard per day (per unit of protests) that a confirmed government falls")
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "the PM's logit rationality; null = behaviour.rationality")


@dataclass
class WashingtonConfig:
    iran_weight: float = param(1.0, 0.0, 5.0, "F7, F24", "Washington's loss per week is iran_weight x Iranian influence squared")
    isis_weight: float = param(1.0, 0.0, 5.0, "F20", "value of presence per week per unit of ISIS threat")
    force_protection_weight: float = param(0.3, 0.0, 5.0, "F12; assumption", "cost of presence per week per unit of tension")
    legitimacy_weight: float = param(1.0, 0.0, 5.0, "F21", "cost per week of staying, per unit of presence, reached at the deadline after a formal request")
    overstay_penalty: float = param(1.0, 0.0, 5.0, "F11, F21", "extra cost per week of staying past the deadline, per unit of presence")
    threat_cost: float = param(0.02, 0.0, 1.0, "F19", "cost per week of a public sanctions threat")
    linkage_cost: float = param(0.02, 0.0, 1.0, "F17, F19", "cost per week of linking the whole relationship")
    offer_cost: float = param(0.5, 0.0, 50.0, "F20, F22 ('on Washington's terms'); assumption", "one-off cost of offering troops or a package in public")
    reputation_weight: float = param(5.0, 0.0, 100.0, "F22; assumption", "one-off value of carrying out a threat made at full voice")
    initial_posture: str = field(default="threaten_sanctions", metadata={"doc": "Washington's posture in January 2020: reassure | threaten_sanctions | link_issues", "source": "F17, F22"})
    initial_threat_level: float = param(1.0, 0.0, 1.0, "F22", "Trump's threat is live in January 2020")
    initial_linkage: float = param(1.0, 0.0, 1.0, "F17", "Jeffrey's linkage is live in January 2020")
    signal_decay: float = param(_per_day(0.1), 0.0, 1.0, "assumption", "fading rate per day of a threat or linkage no longer held")
    reassure_rate: float = param(0.01, 0.0, 1.0, "F19", "rate per day at which reassurance lowers tension")
    patience: float = param(0.95, 0.0, 0.999, "assumption", "Washington's discount factor per round in drawdown bargaining")
    withdrawal_days: float = param(210.0, 7.0, 1820.0, "F4, F9; assumption", "days a full withdrawal of the January 2020 force takes once decided")
    revision_rate: float = param(round(1 / 30, 6), 0.0, 1.0, "F20; assumption", "how often per day Washington reconsiders its posture (monthly)")
    switching_cost: float = param(0.5, 0.0, 50.0, "F19; Fearon (1994) audience costs; assumption", "one-off cost of changing posture in public")
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "Washington's logit rationality; null = behaviour.rationality")


@dataclass
class TehranConfig:
    influence_weight: float = param(1.0, 0.0, 5.0, "F7, F24", "Tehran's gain per unit of influence")
    departure_weight: float = param(1.0, 0.0, 5.0, "F16, F24", "Tehran's gain per week from pushing US forces out")
    pressure_influence: float = param(0.05, 0.0, 1.0, "F16; assumption", "influence gained per week by pressing aligned factions")
    press_cost: float = param(0.1, 0.0, 2.0, "F14; assumption", "cost per week of pressing factions (backlash)")
    escalation_rate: float = param(0.02, 0.0, 1.0, "F12", "rate per day at which proxy escalation raises tension")
    escalation_cost: float = param(1.0, 0.0, 5.0, "F12; assumption", "risk of a US response per week, per squared tension")
    pressure_decay: float = param(_per_day(0.3), 0.0, 1.0, "assumption", "fading rate per day of Tehran's pressure once it stops pressing")
    initial_pressure: float = param(0.8, 0.0, 1.0, "F12, F16; assumption", "Tehran's pressure right after al-Muhandis's death")
    initial_posture: str = field(default="press_factions", metadata={"doc": "Tehran's posture in January 2020: restrain | press_factions | escalate", "source": "F12, F16"})
    clock_weight: float = param(1.0, 0.0, 5.0, "F11, F16; assumption", "rise of pushing's value as a request's year runs out")
    revision_rate: float = param(round(1 / 30, 6), 0.0, 1.0, "assumption", "how often per day Tehran reconsiders its posture (monthly)")
    switching_cost: float = param(0.2, 0.0, 50.0, "assumption", "one-off cost of changing posture")
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "Tehran's logit rationality; null = behaviour.rationality")


@dataclass
class ParliamentConfig:
    total_seats: int = param(329, 1, 329, "Iraqi Council of Representatives, 2018", "seats in parliament")
    quorum: float = param(165.0, 0.0, 329.0, "Iraqi constitution art. 59 (absolute majority)", "seats that must be present")
    initial_resolutions: int = param(1, 0, 100, "F12", "the 5 January 2020 resolution")
    propose_rate: float = param(_per_day(0.05), 0.0, 1.0, "F12, F18; assumption", "hazard per day, per unit of mobilisation, that a resolution is tabled")
    min_interval_days: int = param(56, 0, 3650, "assumption", "days between two resolutions")
    yes_threshold: float = param(0.5, 0.0, 1.0, "F12, F16", "position above which a faction votes yes")
    boycott_threshold: float = param(0.4, 0.0, 1.0, "F12, F14", "position below which a faction that can boycott stays away")
    mandate_decay: float = param(_per_day(0.05), 0.0, 1.0, "F13; assumption", "fading rate per day of a resolution's pressure")


@dataclass
class BehaviourConfig:
    rationality: float = param(8.0, 0.0, INF, "McKelvey & Palfrey (1995); assumption", "logit rationality lambda of every actor whose own is null; inf = best response")
    discount_rate: float = param(0.002, 0.0001, 1.0, "assumption", "discount rate per day with which actors value lasting moves (half-life about a year); above zero, since a lasting move is valued over an open horizon")
    faction_revision_rate: float = param(round(1 / 21, 6), 0.0, 1.0, "assumption", "how often per day a faction reconsiders its stated position (every three weeks)")
    faction_switching_cost: float = param(0.1, 0.0, 50.0, "Fearon (1994) audience costs; assumption", "one-off cost to a faction of changing its stated position")
    baghdad_patience: float = param(0.9, 0.0, 0.999, "F15; assumption", "Baghdad's discount factor per round in drawdown bargaining")
    min_deal: float = param(0.02, 0.0, 1.0, "assumption", "smallest drawdown, as a share of the January 2020 force, worth negotiating")
    bdm_reading: str = field(default="text", metadata={"doc": "reading of the bdm rule where the open replications of Scholz, Calbert & Smith (2011) depart from their text: text | replication (sim/model/bdm_readings.py)", "source": "Scholz, Calbert & Smith (2011); jmckib/bdm-scholz-expected-utility-model"})
    collective_rule: str = field(default="compromise", metadata={"doc": "registered collective-decision rule: compromise | median | bdm (weighted_median is an alias of median)", "source": "Bueno de Mesquita (1994); Scholz, Calbert & Smith (2011)"})


@dataclass
class FactionConfig:
    label: str = ""
    active: bool = True
    seats: int = field(default=MISSING, metadata={"range": (0, 329), "source": "2018 election (see scenario file)", "doc": "seats held"})
    ideal_position: float = param(MISSING, 0.0, 1.0, "F14, F16", "preferred position, 0 = stay, 1 = leave now")
    salience: float = param(MISSING, 0.0, 1.0, "F12, F14, F16", "base salience of the issue")
    tension_sensitivity: float = param(0.0, 0.0, 1.0, "F12", "rise of salience with US-Iran tension")
    security_weight: float = param(0.0, 0.0, 2.0, "F1, F14", "value of US presence against ISIS")
    sanctions_exposure: float = param(0.3, 0.0, 2.0, "F22", "exposure to US sanctions (its seats' share of Baghdad's cost per week per unit of magnitude)")
    linkage_weight: float = param(0.2, 0.0, 2.0, "F17", "stake in the rest of the US relationship (its seats' share of Baghdad's cost per week of linked support at risk)")
    iran_alignment: float = param(0.0, 0.0, 2.0, "F16", "responsiveness to Tehran's pressure")
    street_responsiveness: float = param(0.0, 0.0, 2.0, "F18", "responsiveness to street mobilisation")
    mobilising_power: float = param(0.0, 0.0, 1.0, "F16, F18", "ability to bring crowds to the street")
    can_boycott: bool = field(default=False, metadata={"doc": "stays away from votes it opposes", "source": "F12, F14"})
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "the faction's logit rationality; null = behaviour.rationality")


@dataclass
class ScenarioConfig:
    name: str = MISSING
    title: str = ""
    description: str = ""
    world: WorldConfig = field(default_factory=WorldConfig)
    sanctions: SanctionsConfig = field(default_factory=SanctionsConfig)
    government: GovernmentConfig = field(default_factory=GovernmentConfig)
    washington: WashingtonConfig = field(default_factory=WashingtonConfig)
    tehran: TehranConfig = field(default_factory=TehranConfig)
    parliament: ParliamentConfig = field(default_factory=ParliamentConfig)
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    factions: Dict[str, FactionConfig] = field(default_factory=dict)


#: the default order of a week's stages: the order of `sim.model.stages.STAGES`
DEFAULT_STEP_ORDER = list(STAGE_NAMES)


@dataclass
class RunConfig:
    seed: Optional[int] = field(default=0, metadata={"doc": "root seed; 0 is a seed, null draws fresh entropy"})
    horizon_weeks: int = param(156, 1, 1040, "docs/model_brief.md: January 2020 plus three years", "calendar weeks from the start date in which a request can be made")
    start_date: str = field(default="2020-01-06", metadata={"doc": "date of day 0 (ISO)", "source": "F12"})
    step_days: int = param(7, 1, 28, "assumption (docs/model_brief.md: calendar time)", "days per step: the resolution of the calendar, not a parameter of behaviour")
    step_order: List[str] = field(default_factory=lambda: list(DEFAULT_STEP_ORDER))
    scenario: ScenarioConfig = MISSING
