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


@dataclass
class WorldConfig:
    initial_troops: float = param(5000.0, 0.0, 5000.0, "F3", "US troops in Iraq in January 2020 (about 5,000)")
    initial_iran_influence: float = param(0.5, 0.0, 1.0, "F7, F24; assumption", "Iranian influence in Iraq at the start")
    initial_isis_threat: float = param(0.3, 0.0, 1.0, "F1, F20; assumption", "ISIS threat at the start")
    initial_tension: float = param(0.9, 0.0, 1.0, "F12; assumption", "US-Iran tension right after the Soleimani strike")
    initial_mobilisation: float = param(0.6, 0.0, 1.0, "F18; assumption", "street mobilisation for withdrawal at the start")
    initial_protests: float = param(0.7, 0.0, 1.0, "F14; assumption", "anti-corruption protests at the start")
    isis_mean: float = param(0.3, 0.0, 1.0, "F1, F20; assumption", "long-run ISIS threat with full US presence")
    isis_reversion: float = param(0.05, 0.0, 1.0, "assumption", "weekly reversion of the ISIS threat")
    isis_volatility: float = param(0.03, 0.0, 0.5, "assumption", "weekly noise of the ISIS threat")
    isis_presence_effect: float = param(0.3, 0.0, 1.0, "F1, F8, F20; assumption", "rise of the threat's long-run level if US forces leave")
    tension_baseline: float = param(0.3, 0.0, 1.0, "assumption", "level tension decays to")
    tension_decay: float = param(0.05, 0.0, 1.0, "assumption", "weekly decay of tension")
    mobilisation_rate: float = param(0.15, 0.0, 1.0, "F18; assumption", "weekly adjustment of street mobilisation")
    mobilisation_tension_weight: float = param(0.5, 0.0, 2.0, "F12, F18; assumption", "how much tension fills the street")
    mobilisation_sanctions_anger: float = param(0.3, 0.0, 1.0, "F22, F23; assumption", "street anger at imposed sanctions")
    mobilisation_volatility: float = param(0.02, 0.0, 0.5, "assumption", "weekly noise of mobilisation")
    protest_decay: float = param(0.02, 0.0, 1.0, "F14; assumption", "weekly decay of the protest wave")
    protest_floor: float = param(0.2, 0.0, 1.0, "F14; assumption", "level the protest wave decays to")
    protest_volatility: float = param(0.03, 0.0, 0.5, "F14; assumption", "weekly noise of protests")
    influence_rate: float = param(0.05, 0.0, 1.0, "assumption", "weekly adjustment of Iranian influence")
    influence_base: float = param(0.45, 0.0, 1.0, "F7; assumption", "Iranian influence's target with full US presence")
    influence_vacuum_weight: float = param(0.35, 0.0, 1.0, "F7, F24", "rise of influence's target if US forces leave")
    influence_sanctions_weight: float = param(0.15, 0.0, 1.0, "F23", "rise of influence's target under US sanctions")
    influence_pressure_weight: float = param(0.05, 0.0, 1.0, "F16; assumption", "rise of influence's target under Tehran's pressure")


@dataclass
class SanctionsConfig:
    magnitude: float = param(0.6, 0.0, 1.0, "F22 ('very big sanctions')", "size of the threatened sanctions")
    credibility: float = param(0.5, 0.0, 1.0, "F22; assumption", "probability the threat is carried out on a formal request")
    override: Optional[bool] = field(default=None, metadata={"doc": "force sanctions on (true) or off (false) at a formal request, holding beliefs fixed; null = by credibility", "source": "F23 counterfactual"})


@dataclass
class GovernmentConfig:
    initially_caretaker: bool = field(default=True, metadata={"doc": "Abdul Mahdi resigned and governs as caretaker", "source": "F11"})
    negotiations_requested: bool = field(default=True, metadata={"doc": "the caretaker has asked Pompeo for a delegation to plan withdrawal (not a formal request)", "source": "F5"})
    initial_position: float = param(0.6, 0.0, 1.0, "F5; assumption", "caretaker PM's stance: asked for a delegation to plan withdrawal")
    salience: float = param(1.5, 0.0, 2.0, "assumption", "weight of the stance-distance term in the PM's payoff")
    pm_weight: float = param(0.7, 0.0, 1.0, "F13, F15; assumption", "weight of the PM's own stance against parliament's collective stance")
    sanctions_exposure: float = param(1.0, 0.0, 2.0, "F22", "government's exposure to sanctions")
    linkage_cost: float = param(0.4, 0.0, 2.0, "F17", "cost of the linked US support a request puts at risk")
    security_cost: float = param(0.3, 0.0, 2.0, "F1, F14", "security cost of a request per unit of ISIS threat")
    escalation_cost: float = param(0.1, 0.0, 2.0, "F19", "cost of a public, 'knee-jerk' escalation")
    street_weight: float = param(0.5, 0.0, 2.0, "F18", "street approval of a request per unit of mobilisation")
    mandate_weight: float = param(0.4, 0.0, 2.0, "F12, F13", "weight of parliament's resolution as a mandate")
    package_value: float = param(0.4, 0.0, 2.0, "F17, F19; assumption", "value of Washington's package for taking a request back")
    drawdown_value: float = param(0.15, 0.0, 2.0, "F19; assumption", "value of a negotiated drawdown to the PM")
    base_capacity: float = param(0.25, 0.0, 1.0, "F15; assumption", "weekly chance a confirmed government takes a decision at all")
    caretaker_deference: float = param(0.8, 0.0, 1.0, "F13", "share of that capacity a caretaker gives up")
    protest_drain: float = param(0.5, 0.0, 1.0, "F14", "share of capacity anti-corruption protests can drain")
    majority_capacity: float = param(0.6, 0.0, 1.0, "F15; assumption", "capacity of a PM with a parliamentary majority")
    formation_rate: float = param(0.03, 0.0, 1.0, "F13, F15; assumption", "weekly hazard that a new government is confirmed")
    p_anti_american_pm: float = param(0.1, 0.0, 1.0, "F15; assumption", "chance the new PM is very anti-American with a majority")
    anti_american_position: float = param(0.95, 0.0, 1.0, "F15", "stance of such a PM")
    collapse_rate: float = param(0.002, 0.0, 1.0, "F14; assumption", "weekly hazard (per unit of protests) that a confirmed government falls")


@dataclass
class WashingtonConfig:
    iran_weight: float = param(1.0, 0.0, 5.0, "F7, F24", "Washington's loss per unit of Iranian influence")
    isis_weight: float = param(1.0, 0.0, 5.0, "F20", "value of presence per unit of ISIS threat")
    force_protection_weight: float = param(0.3, 0.0, 5.0, "F12; assumption", "cost of presence per unit of tension")
    legitimacy_weight: float = param(1.0, 0.0, 5.0, "F21", "cost of staying by the deadline after a formal request")
    overstay_penalty: float = param(1.0, 0.0, 5.0, "F11, F21", "extra cost of staying past the deadline")
    deterrence_weight: float = param(3.0, 0.0, 50.0, "F20, F22; assumption", "weight on deterring a formal request")
    threat_cost: float = param(0.02, 0.0, 1.0, "F19", "cost of a public sanctions threat")
    linkage_cost: float = param(0.02, 0.0, 1.0, "F17, F19", "cost of linking the whole relationship")
    initial_threat_level: float = param(1.0, 0.0, 1.0, "F22", "Trump's threat is live in January 2020")
    initial_linkage: float = param(1.0, 0.0, 1.0, "F17", "Jeffrey's linkage is live in January 2020")
    signal_decay: float = param(0.1, 0.0, 1.0, "assumption", "weekly fading of a threat or linkage not repeated")
    reassure_effect: float = param(0.05, 0.0, 1.0, "F19", "drop in tension from a week of reassurance")
    patience: float = param(0.95, 0.0, 0.999, "assumption", "Washington's discount factor in drawdown bargaining")
    package_cost: float = param(0.1, 0.0, 2.0, "F17, F19; assumption", "cost of the package offered for a retraction")
    withdrawal_weeks: float = param(30.0, 1.0, 260.0, "F4, F9; assumption", "weeks a full withdrawal takes once decided")


@dataclass
class TehranConfig:
    influence_weight: float = param(1.0, 0.0, 5.0, "F7, F24", "Tehran's gain per unit of influence")
    departure_weight: float = param(1.0, 0.0, 5.0, "F16, F24", "Tehran's gain from pushing US forces out")
    pressure_influence: float = param(0.05, 0.0, 1.0, "F16; assumption", "influence gained by pressing aligned factions")
    press_cost: float = param(0.1, 0.0, 2.0, "F14; assumption", "cost of pressing factions (backlash)")
    escalation_step: float = param(0.15, 0.0, 1.0, "F12", "rise in tension from a week of proxy escalation")
    escalation_cost: float = param(1.0, 0.0, 5.0, "F12; assumption", "risk of a US response, per squared tension")
    pressure_decay: float = param(0.3, 0.0, 1.0, "assumption", "weekly fading of Tehran's pressure")
    initial_pressure: float = param(0.8, 0.0, 1.0, "F12, F16; assumption", "Tehran's pressure right after al-Muhandis's death")


@dataclass
class ParliamentConfig:
    total_seats: int = param(329, 1, 329, "Iraqi Council of Representatives, 2018", "seats in parliament")
    quorum: float = param(165.0, 0.0, 329.0, "Iraqi constitution art. 59 (absolute majority)", "seats that must be present")
    initial_resolutions: int = param(1, 0, 100, "F12", "the 5 January 2020 resolution")
    propose_rate: float = param(0.05, 0.0, 1.0, "F12, F18; assumption", "weekly chance per unit of mobilisation that a resolution is tabled")
    min_interval_weeks: int = param(8, 0, 520, "assumption", "weeks between two resolutions")
    yes_threshold: float = param(0.5, 0.0, 1.0, "F12, F16", "position above which a faction votes yes")
    boycott_threshold: float = param(0.4, 0.0, 1.0, "F12, F14", "position below which a faction that can boycott stays away")
    mandate_decay: float = param(0.05, 0.0, 1.0, "F13; assumption", "weekly fading of a resolution's pressure")


@dataclass
class BehaviourConfig:
    rationality: float = param(8.0, 0.0, INF, "McKelvey & Palfrey (1995); assumption", "logit rationality lambda; inf = best response")
    position_inertia: float = param(0.8, 0.0, 1.0, "assumption", "weight of last week's position in a faction's new one")
    baghdad_patience: float = param(0.9, 0.0, 0.999, "F15; assumption", "Baghdad's discount factor in drawdown bargaining")
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
    sanctions_exposure: float = param(0.3, 0.0, 2.0, "F22", "exposure to US sanctions")
    linkage_weight: float = param(0.2, 0.0, 2.0, "F17", "stake in the rest of the US relationship")
    iran_alignment: float = param(0.0, 0.0, 2.0, "F16", "responsiveness to Tehran's pressure")
    street_responsiveness: float = param(0.0, 0.0, 2.0, "F18", "responsiveness to street mobilisation")
    mobilising_power: float = param(0.0, 0.0, 1.0, "F16, F18", "ability to bring crowds to the street")
    can_boycott: bool = field(default=False, metadata={"doc": "stays away from votes it opposes", "source": "F12, F14"})


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
    horizon_weeks: int = param(156, 1, 1040, "docs/model_brief.md: January 2020 plus three years", "weeks in which a request can be made")
    start_date: str = field(default="2020-01-06", metadata={"doc": "date of week 0 (ISO)", "source": "F12"})
    step_days: int = param(7, 1, 365, "docs/model_brief.md", "days per step")
    step_order: List[str] = field(default_factory=lambda: list(DEFAULT_STEP_ORDER))
    scenario: ScenarioConfig = MISSING
