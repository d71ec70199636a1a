"""One week of the model, as stages over a `State` of R runs, and the stage list.

A stage reads the state, asks `views` what its actor sees (payoffs and open actions),
chooses by the logit rule of `choice`, and writes the results back through the transitions
of `transitions` and `institutions`. It holds no payoff formula of its own. Both engines
run exactly these functions, through `week.run_week`: the batch engine over many runs at
once, the Mesa model through its agents (one run, R = 1).

`STAGES` is the one list of stages: the default step order, the stage names the config
accepts and the Mesa model's dispatch all come from it. To add a stage, write its function
here and add a `Stage` to `STAGES` (see docs/architecture.md).

Random numbers come only from `draws`, keyed by (root seed, run index, week, purpose): `keys`
holds each run's stream key, `draws.run_key(root_seed, run_indices)`, so a run's draws are
the same whichever engine computes it and with whichever other runs.

`events`, when a list is given, receives `(kind, mask, data)` tuples: `mask` marks the runs
in which the event happened this week and `data` holds per-run numbers for its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import bargaining, draws, institutions, outcomes, transitions, views
from .actions import POSITION_GRID, GovernmentAction, TehranAction, WashingtonAction
from .choice import logit_choice
from .outcomes import Outcome, RequestState
from .params import ModelParams
from .state import State

Events = list | None


def _forced(chosen: np.ndarray, forced: np.ndarray, available: np.ndarray | None = None) -> np.ndarray:
    """A player's imposed action where one is set (and open), else the model's choice."""
    take = forced >= 0
    if available is not None:
        idx = np.clip(forced, 0, available.shape[1] - 1).astype(np.int64)
        take = take & available[np.arange(available.shape[0]), idx]
    return np.where(take, forced, chosen)


def _emit(events: Events, kind: str, mask: np.ndarray, **data: Any) -> None:
    if events is not None and np.any(mask):
        events.append((kind, np.asarray(mask, dtype=bool), data))


# ---------------------------------------------------------------- world
def stage_world(s: State, p: ModelParams, week: int, keys: np.ndarray, events: Events = None) -> None:
    """Exogenous dynamics: ISIS threat (F1, F20), tension decay (F12), protests (F14), street
    mobilisation (F18)."""
    w = p.world
    s.isis_threat = transitions.isis_step(
        s.isis_threat, views.presence(s, p), draws.normal(keys, week, "world.isis"),
        mean=w.isis_mean, reversion=w.isis_reversion, volatility=w.isis_volatility,
        presence_effect=w.isis_presence_effect,
    )
    s.tension = transitions.tension_step(s.tension, baseline=w.tension_baseline, decay=w.tension_decay)
    s.protests = transitions.protests_step(
        s.protests, draws.normal(keys, week, "world.protests"),
        decay=w.protest_decay, volatility=w.protest_volatility, floor=w.protest_floor,
    )
    call = transitions.street_call(p.factions.mobilising_power, s.position, s.salience)
    s.mobilisation = transitions.mobilisation_step(
        s.mobilisation, s.tension, call, s.sanctions_imposed, draws.normal(keys, week, "world.mobilisation"),
        rate=w.mobilisation_rate, tension_weight=w.mobilisation_tension_weight,
        sanctions_anger=w.mobilisation_sanctions_anger, volatility=w.mobilisation_volatility,
    )


# ---------------------------------------------------------------- Tehran
def stage_tehran(s: State, p: ModelParams, week: int, keys: np.ndarray, events: Events = None) -> None:
    """Tehran restrains, presses aligned factions (F16) or escalates through proxies (F12)."""
    t = p.tehran
    u, _ = views.tehran_view(s, p, week)
    a = logit_choice(u, p.behaviour.rationality, draws.uniform(keys, week, "tehran.choice"))
    a = _forced(a, s.forced_tehran_action)
    changed = a != s.tehran_action
    _emit(events, "tehran_press", changed & (a == TehranAction.PRESS_FACTIONS))
    _emit(events, "tehran_escalate", changed & (a == TehranAction.ESCALATE))
    _emit(events, "tehran_restrain", changed & (a == TehranAction.RESTRAIN) & (s.tehran_action >= 0))
    s.tehran_pressure = transitions.level_step(s.tehran_pressure, a == TehranAction.PRESS_FACTIONS,
                                               decay=t.pressure_decay)
    s.tension = transitions.nudge(s.tension, t.escalation_step, a == TehranAction.ESCALATE)
    s.tehran_action = a.astype(np.int8)


# ---------------------------------------------------------------- factions
def faction_step(s: State, p: ModelParams, week: int, keys: np.ndarray, j: int, events: Events = None) -> None:
    """Faction j updates its salience (F12), states a position by logit choice over its
    payoff (F14, F16, F17, F18, F22) and moves toward it."""
    fa = p.factions
    s.salience[:, j] = transitions.salience_now(
        fa.column("salience", j), fa.column("tension_sensitivity", j), s.tension
    )
    u = views.faction_payoffs_now(s, p, j)
    k = logit_choice(u, p.behaviour.rationality, draws.uniform(keys, week, f"faction.{fa.names[j]}"))
    s.position[:, j] = transitions.position_step(
        s.position[:, j], POSITION_GRID[k], inertia=p.behaviour.position_inertia
    )


def update_collective(s: State, p: ModelParams, week: int = 0, keys: np.ndarray | None = None,
                      events: Events = None) -> None:
    """Baghdad's collective stance by the configured rule over seats, positions and saliences."""
    s.collective_stance = bargaining.collective_position(
        p.behaviour.collective_rule, p.factions.seats, s.position, s.salience
    )


def stage_factions(s: State, p: ModelParams, week: int, keys: np.ndarray, events: Events = None) -> None:
    """Every faction decides on last week's world (so their order does not matter), then the
    collective stance is formed."""
    for j in range(p.factions.size):
        faction_step(s, p, week, keys, j, events)
    update_collective(s, p)


# ---------------------------------------------------------------- parliament and government formation
def stage_parliament(s: State, p: ModelParams, week: int, keys: np.ndarray, events: Events = None) -> None:
    """Non-binding resolutions (F12, F14) and government formation or collapse (F13, F14, F15)."""
    pa, g = p.parliament, p.government
    tabled = (draws.uniform(keys, week, "parliament.table") < pa.propose_rate * s.mobilisation) & (
        week - s.last_resolution_week >= pa.min_interval_weeks
    )
    passed, yes, present = institutions.resolution_vote(
        p.factions.seats, s.position, p.factions.can_boycott,
        yes_threshold=pa.yes_threshold, boycott_threshold=pa.boycott_threshold, quorum=pa.quorum,
    )
    passed = tabled & passed
    _emit(events, "resolution_passed", passed, yes=yes, present=present)
    _emit(events, "resolution_failed", tabled & ~passed, yes=yes, present=present)
    s.resolutions_passed = s.resolutions_passed + passed
    s.last_resolution_week = np.where(tabled, week, s.last_resolution_week)
    s.mandate = transitions.mandate_step(s.mandate, passed, decay=pa.mandate_decay)

    formed = s.caretaker & (draws.uniform(keys, week, "government.formation") < g.formation_rate)
    pos, anti = institutions.new_prime_minister(
        draws.uniform(keys, week, "government.pm_type"), s.collective_stance,
        p_anti_american=g.p_anti_american_pm, anti_american_position=g.anti_american_position,
    )
    _emit(events, "pm_confirmed", formed, position=pos, anti_american=anti)
    s.pm_position = np.where(formed, pos, s.pm_position)
    s.pm_majority = np.where(formed, anti, s.pm_majority)
    s.caretaker = s.caretaker & ~formed
    s.pm_changes = s.pm_changes + formed
    fell = ~s.caretaker & ~formed & (
        draws.uniform(keys, week, "government.collapse") < g.collapse_rate * s.protests
    )
    _emit(events, "government_fell", fell)
    s.caretaker = s.caretaker | fell
    s.pm_majority = s.pm_majority & ~fell


# ---------------------------------------------------------------- the prime minister
def stage_government(s: State, p: ModelParams, week: int, keys: np.ndarray, events: Events = None) -> None:
    """The PM, the only actor who can make a formal request (F10), decides if the
    institutions let it act this week (F13, F14, F15)."""
    g, sa = p.government, p.sanctions
    capacity = institutions.decision_capacity(
        s.caretaker, s.pm_majority, s.protests, base_capacity=g.base_capacity,
        caretaker_deference=g.caretaker_deference, protest_drain=g.protest_drain, majority_capacity=g.majority_capacity,
    )
    acts = draws.uniform(keys, week, "government.opportunity") < capacity
    u, avail = views.government_view(s, p, week)
    a = logit_choice(u, p.behaviour.rationality, draws.uniform(keys, week, "government.choice"), avail)
    a = np.where(acts, a, GovernmentAction.WAIT)
    a = _forced(a, s.forced_government_action, avail)  # a player is not held back by capacity

    ask = a == GovernmentAction.ASK_NEGOTIATIONS
    _emit(events, "ask_negotiations", ask)
    s.negotiations_open = s.negotiations_open | ask

    request = a == GovernmentAction.FORMAL_REQUEST
    if sa.override is None:
        sanction = draws.uniform(keys, week, "sanctions.carried_out") < sa.credibility
    else:
        sanction = np.full(s.runs, bool(sa.override))
    sanction = request & sanction
    s.request_state = np.where(request, RequestState.ACTIVE, s.request_state).astype(np.int8)
    s.request_week = np.where(request, week, s.request_week)
    s.deadline_week = np.where(request, week + p.deadline_weeks, s.deadline_week)
    _emit(events, "formal_request", request, deadline_week=s.deadline_week)
    _emit(events, "sanctions_imposed", sanction)
    s.sanctions_imposed = s.sanctions_imposed | sanction

    retract = a == GovernmentAction.WITHDRAW_REQUEST
    keep = np.where(s.retraction_offer, np.minimum(s.troops, s.troop_target), s.troops)
    _emit(events, "request_withdrawn", retract, package=s.retraction_offer.copy())
    s.request_state = np.where(retract, RequestState.WITHDRAWN, s.request_state).astype(np.int8)
    s.troop_target = np.where(retract, keep, s.troop_target)
    s.us_withdrawing = s.us_withdrawing & ~retract
    s.government_action = a.astype(np.int8)


# ---------------------------------------------------------------- Washington
def stage_washington(s: State, p: ModelParams, week: int, keys: np.ndarray, events: Events = None) -> None:
    """Washington reassures, threatens sanctions (F22), links issues (F17) or offers a
    drawdown (F19) while no request stands; after a formal request it withdraws on
    schedule, negotiates a retraction or stays (F4, F21)."""
    wa = p.washington
    u, avail = views.washington_view(s, p, week)
    a = logit_choice(u, p.behaviour.rationality, draws.uniform(keys, week, "washington.choice"), avail)
    decides = ~s.us_withdrawing & (s.troops > 0)
    a = _forced(a, s.forced_washington_action, avail)
    a = np.where(decides, a, -1)
    changed = a != s.washington_action
    _emit(events, "washington_threaten", changed & (a == WashingtonAction.THREATEN_SANCTIONS))
    _emit(events, "washington_link", changed & (a == WashingtonAction.LINK_ISSUES))
    _emit(events, "washington_reassure", changed & (a == WashingtonAction.REASSURE))

    s.threat_level = transitions.level_step(s.threat_level, a == WashingtonAction.THREATEN_SANCTIONS,
                                            decay=wa.signal_decay)
    s.linkage_level = transitions.level_step(s.linkage_level, a == WashingtonAction.LINK_ISSUES,
                                             decay=wa.signal_decay)
    s.tension = transitions.nudge(s.tension, -wa.reassure_effect, a == WashingtonAction.REASSURE)

    offer = a == WashingtonAction.OFFER_DRAWDOWN
    drawdown_troops = p.world.initial_troops * (1.0 - views.drawdown_fraction(p))
    s.drawdown_agreed = s.drawdown_agreed | offer
    s.troop_target = np.where(offer, np.minimum(s.troop_target, drawdown_troops), s.troop_target)
    _emit(events, "drawdown_agreed", offer, troops=np.broadcast_to(drawdown_troops, (s.runs,)))

    withdraw = a == WashingtonAction.WITHDRAW_ON_SCHEDULE
    s.us_withdrawing = s.us_withdrawing | withdraw
    s.troop_target = np.where(withdraw, 0.0, s.troop_target)
    _emit(events, "withdrawal_decided", withdraw)

    negotiate = a == WashingtonAction.NEGOTIATE_RETRACTION
    _emit(events, "retraction_offered", negotiate & ~s.retraction_offer)
    s.retraction_offer = s.retraction_offer | negotiate
    _emit(events, "washington_stays", changed & (a == WashingtonAction.STAY))
    s.washington_action = a.astype(np.int8)


# ---------------------------------------------------------------- consequences
def stage_consequences(s: State, p: ModelParams, week: int, keys: np.ndarray, events: Events = None) -> None:
    """Troops move, Iranian influence responds (F7, F23, F24), the clock is read (F4, F11)."""
    w, wa = p.world, p.washington
    s.troops = transitions.troops_step(s.troops, s.troop_target, pace=w.initial_troops / wa.withdrawal_weeks)
    # the withdrawal a formal request asks for is complete when no troops are left (F4)
    gone_now = (s.troops <= 0.0) & (s.withdrawal_complete_week < 0) & (s.request_state == RequestState.ACTIVE)
    s.withdrawal_complete_week = np.where(gone_now, week, s.withdrawal_complete_week)
    _emit(events, "troops_gone", gone_now)
    s.iran_influence = transitions.influence_step(
        s.iran_influence, views.presence(s, p), s.sanctions_imposed, s.tehran_pressure,
        rate=w.influence_rate, base=w.influence_base, vacuum_weight=w.influence_vacuum_weight,
        sanctions_weight=w.influence_sanctions_weight, pressure_weight=w.influence_pressure_weight,
    )
    before = s.outcome
    s.outcome = outcomes.decide_during_run(s.outcome, s.request_state, s.troops, week, s.deadline_week).astype(np.int8)
    _emit(events, "deadline_passed", (before != s.outcome) & (s.outcome == Outcome.OCCUPATION), troops=s.troops.copy())


# ---------------------------------------------------------------- the stage list
StageFunction = Callable[[State, ModelParams, int, np.ndarray, Events], None]


@dataclass(frozen=True)
class Stage:
    """One stage of the week.

    `run` computes the stage over R runs. `actor` names the actor whose decision it is (a
    key of `actors.ACTORS`), or None for the world's own dynamics. A stage whose actor has
    several members (the factions) also gives `each`, one member's step (`faction_step`,
    with the member index after `keys`), and `then`, what follows once all have stepped:
    `run` is exactly `each` over the members followed by `then`, which is how the Mesa model
    steps the members as agents and still computes the same week."""

    name: str
    run: StageFunction
    actor: str | None = None
    each: Callable[..., None] | None = None
    then: StageFunction | None = None


STAGES: tuple[Stage, ...] = (
    Stage("world", stage_world),
    Stage("tehran", stage_tehran, actor="tehran"),
    Stage("factions", stage_factions, actor="factions", each=faction_step, then=update_collective),
    Stage("parliament", stage_parliament),
    Stage("government", stage_government, actor="government"),
    Stage("washington", stage_washington, actor="washington"),
    Stage("consequences", stage_consequences),
)
#: the stage names, in the default step order (`step_order` in the config may permute them)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)
STAGE_BY_NAME: dict[str, Stage] = {stage.name: stage for stage in STAGES}
