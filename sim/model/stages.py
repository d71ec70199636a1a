"""One step of the model, as stages over a `State` of R runs, and the stage list.

A stage reads the state, asks `views` what its actor sees (values and open actions),
chooses by the logit rule of `choice` at the actor's revision opportunities, and writes the
results back through `transitions` and `institutions`. It holds no payoff formula of its
own. Both engines run exactly these functions, through `week.run_week`: the batch engine
over many runs at once, the Mesa model through its agents (one run, R = 1).

Revision opportunities (docs/architecture.md, "Decisions"): an actor reconsiders its
posture when a Poisson clock at its own rate per day rings within the step, or when a
trigger event addressed to it is waiting (a strike or escalation, a resolution, a new PM, a
formal request, sanctions imposed, a proposal made to it: the `trigger_*` fields, set by
the stage where the event happens and read by the actor's next stage); between revisions
its posture stands. A player's forced action is a revision too.

`STAGES` is the one list of stages: the default step order, the stage names the config
accepts and the Mesa model's dispatch all come from it. To add a stage, write its function
here and add a `Stage` to `STAGES` (see docs/architecture.md).

Random numbers come only from `draws`, keyed by (root seed, run index, step, purpose):
`keys` holds each run's stream key, so a run's draws are the same whichever engine
computes it and with whichever other runs.

`events`, when a list is given, receives `(kind, mask, data)` tuples: `mask` marks the runs
in which the event happened this step and `data` holds per-run numbers for its text. Kind
"decision" records an actor's revision: its values, open actions and choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import bargaining, draws, institutions, outcomes, transitions, views
from .actions import (
    POSITION_GRID,
    WASHINGTON_POSTURES,
    GovernmentAction,
    Proposal,
    TehranAction,
    WashingtonAction,
)
from .choice import revision_choice
from .outcomes import Outcome, RequestState
from .params import ModelParams
from .state import State
from .valuation import YEAR_DAYS, step_chance

Events = list | None
_POSTURE_CODES = np.array(sorted(int(a) for a in WASHINGTON_POSTURES))
_PRE_REQUEST = np.array([WashingtonAction.REASSURE, WashingtonAction.THREATEN_SANCTIONS, WashingtonAction.LINK_ISSUES])


def _forced(chosen: np.ndarray, forced: np.ndarray, available: np.ndarray) -> np.ndarray:
    """A player's imposed action where one is set and open, else the model's choice."""
    idx = np.clip(forced, 0, available.shape[1] - 1).astype(np.int64)
    take = (forced >= 0) & available[np.arange(available.shape[0]), idx]
    return np.where(take, forced, chosen)


def _emit(events: Events, kind: str, mask: np.ndarray, **data: Any) -> None:
    if events is not None and np.any(mask):
        events.append((kind, np.asarray(mask, dtype=bool), data))


def _decision(events: Events, actor: str, mask: np.ndarray, values: np.ndarray, available: np.ndarray,
              chosen: np.ndarray) -> None:
    """Record a revision (for the story, role play and the best-response tests)."""
    if events is not None and np.any(mask):
        events.append(("decision", np.asarray(mask, dtype=bool),
                       {"actor": actor, "values": values.copy(), "open": available.copy(), "chosen": chosen.copy()}))


def _opportunities(keys: np.ndarray, step: int, actor: str, rate: object, step_days: int,
                   triggered: np.ndarray, human: np.ndarray | None = None,
                   forced: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Who may act this step: runs with a trigger event waiting, or whose revision clock
    (Poisson, `rate` per day) rang at least once within the step; and each run's clock mass
    m = rate x step_days (see `choice.revision_choice`). An actor a player has taken on
    (`human`) acts only when the player imposes an action (`forced`): the model never moves
    for it."""
    mass = np.broadcast_to(np.asarray(rate, dtype=np.float64) * step_days, triggered.shape)
    rang = draws.uniform(keys, step, f"{actor}.revise") < -np.expm1(-mass)
    may = triggered | rang
    if human is not None and forced is not None:
        may = np.where(human, forced >= 0, may | (forced >= 0))
    return may, mass


def _revise(values: np.ndarray, available: np.ndarray, rationality: np.ndarray | float, status_quo: np.ndarray,
            mass: np.ndarray, triggered: np.ndarray, keys: np.ndarray, step: int, actor: str,
            forced: np.ndarray, human: np.ndarray) -> np.ndarray:
    """The action of runs that may act (`_opportunities`): a player's forced action where one
    is set and open, else logit-response dynamics (`choice.revision_choice`); an actor a
    player has taken on keeps its status quo unless the player's action is open."""
    chosen = revision_choice(values, rationality, available, status_quo, mass, triggered,
                             draws.uniform(keys, step, f"{actor}.change"), draws.uniform(keys, step, f"{actor}.choice"))
    return _forced(np.where(human, status_quo, chosen), forced, available)


def _subset(s: State, p: ModelParams, rows: np.ndarray) -> tuple[State, ModelParams]:
    """The state and parameters of the runs `rows` (the whole of them if that is all)."""
    if rows.size == s.runs:
        return s, p
    return s.take(rows), p.take(rows)


def _spread(rows: np.ndarray, runs: int, sub: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Values computed for the runs `rows` placed in an array over all runs."""
    out = np.full((runs,) + sub.shape[1:], fill, dtype=sub.dtype)
    out[rows] = sub
    return out


# ---------------------------------------------------------------- world
def stage_world(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """What runs on its own over the step: ISIS threat (F1, F20), tension after the strike
    with Tehran's escalation and Washington's reassurance as they stand (F12, F19), protests
    (F14), street mobilisation (F18, F19), and the signals the standing postures keep up or
    let fade: the sanctions threat (F22), linkage (F17), Tehran's pressure (F16) and
    parliament's mandate (F12)."""
    w, wa, te, dt = p.world, p.washington, p.tehran, p.step_days
    s.isis_threat = transitions.isis_step(
        s.isis_threat, views.presence(s, p), draws.normal(keys, step, "world.isis"), dt,
        mean=w.isis_mean, reversion=w.isis_reversion, volatility=w.isis_volatility,
        presence_effect=w.isis_presence_effect,
    )
    escalating = (s.tehran_action == TehranAction.ESCALATE) & (s.troops > 0)
    s.tension = transitions.tension_step(
        s.tension, escalating, s.washington_posture == WashingtonAction.REASSURE, dt, baseline=w.tension_baseline,
        decay=w.tension_decay, escalation_rate=te.escalation_rate, reassure_rate=wa.reassure_rate)
    s.protests = transitions.protests_step(
        s.protests, draws.normal(keys, step, "world.protests"), dt,
        decay=w.protest_decay, volatility=w.protest_volatility, floor=w.protest_floor,
    )
    call = transitions.street_call(p.factions.mobilising_power, s.position, s.salience)
    s.mobilisation = transitions.mobilisation_step(
        s.mobilisation, s.tension, call, s.sanctions_imposed, s.threat_level,
        draws.normal(keys, step, "world.mobilisation"), dt, rate=w.mobilisation_rate,
        tension_weight=w.mobilisation_tension_weight, sanctions_anger=w.mobilisation_sanctions_anger,
        threat_anger=w.mobilisation_threat_anger, volatility=w.mobilisation_volatility,
    )
    threatening = (s.washington_posture == WashingtonAction.THREATEN_SANCTIONS) & (s.troops > 0)
    s.threat_level = transitions.fade(s.threat_level, threatening, dt, decay=wa.signal_decay)
    s.linkage_level = transitions.fade(s.linkage_level, s.washington_posture == WashingtonAction.LINK_ISSUES, dt,
                                       decay=wa.signal_decay)
    s.tehran_pressure = transitions.fade(s.tehran_pressure, s.tehran_action == TehranAction.PRESS_FACTIONS, dt,
                                         decay=te.pressure_decay)
    s.mandate = transitions.fade(s.mandate, np.zeros(s.runs, dtype=bool), dt, decay=p.parliament.mandate_decay)


# ---------------------------------------------------------------- Tehran
def stage_tehran(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Tehran restrains, presses aligned factions (F16) or escalates through proxies (F12),
    revising at its own rate and on trigger events; a posture that is no longer open
    (escalating once no US troops are left) is revised at once."""
    t = p.tehran
    standing = views.tehran_open(s)[np.arange(s.runs), np.maximum(s.tehran_action, 0)]
    triggered = (s.trigger_tehran | ~standing | (s.forced_tehran_action >= 0)) & ~s.human_tehran
    revise, mass = _opportunities(keys, step, "tehran", t.revision_rate, p.step_days, triggered, s.human_tehran,
                                  s.forced_tehran_action)
    rows = np.flatnonzero(revise)
    a = s.tehran_action.astype(np.int64)
    if rows.size:
        sub, ps = _subset(s, p, rows)
        values, available = views.tehran_view(sub, ps, step)
        a[rows] = _revise(values, available, views.lam(ps.tehran, ps), sub.tehran_action, mass[rows], triggered[rows],
                          keys[rows], step, "tehran", sub.forced_tehran_action, sub.human_tehran)
        if events is not None:
            _decision(events, "tehran", revise, _spread(rows, s.runs, values), _spread(rows, s.runs, available), a)
    changed = revise & (a != s.tehran_action)
    _emit(events, "tehran_press", changed & (a == TehranAction.PRESS_FACTIONS))
    _emit(events, "tehran_escalate", changed & (a == TehranAction.ESCALATE))
    _emit(events, "tehran_restrain", changed & (a == TehranAction.RESTRAIN))
    s.tehran_posture_changes = s.tehran_posture_changes + changed
    escalation = changed & (a == TehranAction.ESCALATE)  # a strike-like shock others answer (F12)
    s.trigger_washington = s.trigger_washington | escalation
    s.trigger_factions = s.trigger_factions | escalation
    s.tehran_action = a.astype(np.int8)
    s.trigger_tehran = np.zeros(s.runs, dtype=bool)


# ---------------------------------------------------------------- factions
def faction_step(s: State, p: ModelParams, step: int, keys: np.ndarray, j: int, events: Events = None) -> None:
    """Faction j updates its salience (F12) and, at a revision, states a position by logit
    choice over its values (F1, F14, F16, F18); between revisions its stance stands."""
    fa, b = p.factions, p.behaviour
    s.salience[:, j] = transitions.salience_now(
        fa.column("salience", j), fa.column("tension_sensitivity", j), s.tension
    )
    name = fa.names[j]
    triggered = s.trigger_factions
    revise, mass = _opportunities(keys, step, f"faction.{name}", b.faction_revision_rate, p.step_days, triggered)
    rows = np.flatnonzero(revise)
    if rows.size == 0:
        return
    values = views.faction_values(s, p, j, rows)
    every = np.ones(values.shape, dtype=bool)
    lam_j = views.faction_rationality(p, j)
    k = revision_choice(values, lam_j if np.ndim(lam_j) == 0 else np.asarray(lam_j)[rows], every, s.stance[rows, j],
                        mass[rows], triggered[rows], draws.uniform(keys[rows], step, f"faction.{name}.change"),
                        draws.uniform(keys[rows], step, f"faction.{name}.choice"))
    if events is not None:
        chosen = s.stance[:, j].astype(np.int64)
        chosen[rows] = k
        _decision(events, f"faction.{name}", revise, _spread(rows, s.runs, values),
                  np.ones((s.runs, POSITION_GRID.size), dtype=bool), chosen)
    s.factions_posture_changes[rows] += k != s.stance[rows, j]
    s.stance[rows, j] = k
    s.position[rows, j] = POSITION_GRID[k]


def update_collective(s: State, p: ModelParams, step: int = 0, keys: np.ndarray | None = None,
                      events: Events = None) -> None:
    """Baghdad's collective stance by the configured rule over seats, positions and
    saliences; every faction has now answered the trigger events it had."""
    s.collective_stance = bargaining.collective_position(
        p.behaviour.collective_rule, p.factions.seats, s.position, s.salience,
        getattr(p.behaviour, "bdm_reading", "text"),
    )
    s.trigger_factions = np.zeros(s.runs, dtype=bool)


def stage_factions(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Every faction decides on last step's world (so their order does not matter), then the
    collective stance is formed."""
    for j in range(p.factions.size):
        faction_step(s, p, step, keys, j, events)
    update_collective(s, p, step, keys, events)


# ---------------------------------------------------------------- parliament and government formation
def stage_parliament(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Non-binding resolutions (F12, F14), tabled only while there are US troops to expel and
    no formal request stands, and government formation or collapse (F13, F14, F15)."""
    pa, g, dt, day = p.parliament, p.government, p.step_days, p.day(step)
    can_table = ((s.troops > 0) & ~s.us_withdrawing & (s.request_state == RequestState.NONE)
                 & (day - s.last_resolution_day >= pa.min_interval_days))
    tabled = can_table & (draws.uniform(keys, step, "parliament.table")
                          < step_chance(np.asarray(pa.propose_rate) * s.mobilisation, dt))
    passed, yes, present = institutions.resolution_vote(
        p.factions.seats, s.position, p.factions.can_boycott,
        yes_threshold=pa.yes_threshold, boycott_threshold=pa.boycott_threshold, quorum=pa.quorum,
    )
    passed = tabled & passed
    _emit(events, "resolution_passed", passed, yes=yes, present=present)
    _emit(events, "resolution_failed", tabled & ~passed, yes=yes, present=present)
    s.resolutions_passed = s.resolutions_passed + passed
    s.last_resolution_day = np.where(tabled, day, s.last_resolution_day)
    s.mandate = np.where(passed, 1.0, s.mandate)
    s.trigger_government = s.trigger_government | passed
    s.trigger_washington = s.trigger_washington | passed

    formed = s.caretaker & (draws.uniform(keys, step, "government.formation") < step_chance(g.formation_rate, dt))
    pos, anti = institutions.new_prime_minister(
        draws.uniform(keys, step, "government.pm_type"), s.collective_stance,
        p_anti_american=g.p_anti_american_pm, anti_american_position=g.anti_american_position,
    )
    _emit(events, "pm_confirmed", formed, position=pos, anti_american=anti)
    s.pm_position = np.where(formed, pos, s.pm_position)
    s.pm_majority = np.where(formed, anti, s.pm_majority)
    s.caretaker = s.caretaker & ~formed
    s.pm_changes = s.pm_changes + formed
    for actor in ("government", "washington", "tehran"):
        setattr(s, f"trigger_{actor}", getattr(s, f"trigger_{actor}") | formed)
    fell = ~s.caretaker & ~formed & (
        draws.uniform(keys, step, "government.collapse") < step_chance(np.asarray(g.collapse_rate) * s.protests, dt)
    )
    _emit(events, "government_fell", fell)
    s.caretaker = s.caretaker | fell
    s.pm_majority = s.pm_majority & ~fell


# ---------------------------------------------------------------- the prime minister
def stage_government(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """The PM, the only actor who can make a formal request (F10), reconsiders its course
    when its own clock rings (at a rate set by the institutions, F13, F14, F15) or, if it
    takes the chance, on a trigger event; it waits, asks for talks on a drawdown (F5), makes
    the formal request (F4), takes it back (F19) or accepts Washington's drawdown offer.
    Only the runs in which the PM reconsiders are valued."""
    sa, day = p.sanctions, p.day(step)
    # a trigger is an opportunity the PM takes with its responsiveness; a player always acts
    responds = s.trigger_government & (draws.uniform(keys, step, "government.respond") < views.pm_responsiveness(s, p))
    triggered = (responds | (s.forced_government_action >= 0)) & ~s.human_government
    revise, mass = _opportunities(keys, step, "government", views.pm_revision_rate(s, p), p.step_days, triggered,
                                  s.human_government, s.forced_government_action)
    rows = np.flatnonzero(revise)
    a = np.full(s.runs, GovernmentAction.WAIT, dtype=np.int64)
    deal_size = np.zeros(s.runs)
    if rows.size:
        sub, ps = _subset(s, p, rows)
        look = views.outlook(sub, ps, step)
        values = views.government_values(sub, ps, step, look)
        available = views.government_open(sub, look.deal.size)
        a[rows] = _revise(values, available, views.lam(ps.government, ps), np.zeros(rows.size, dtype=np.int64),
                          mass[rows], triggered[rows], keys[rows], step, "government", sub.forced_government_action,
                          sub.human_government)
        deal_size[rows] = look.deal.size
        if events is not None:
            _decision(events, "government", revise, _spread(rows, s.runs, values), _spread(rows, s.runs, available), a)
    s.trigger_government = np.zeros(s.runs, dtype=bool)
    moved = a != GovernmentAction.WAIT
    s.government_posture_changes = s.government_posture_changes + moved
    s.government_action = np.where(moved, a, s.government_action).astype(np.int8)
    initial = p.world.initial_troops

    # answers to Washington's proposals: anything but accepting turns them down
    offer_open = revise & (s.proposal == Proposal.WASHINGTON_DRAWDOWN)
    _emit(events, "offer_rejected", offer_open & (a != GovernmentAction.ACCEPT_OFFER),
          troops=s.proposal_size * initial)
    package_open = revise & (s.proposal == Proposal.RETRACTION_PACKAGE)
    _emit(events, "package_rejected", package_open & (a != GovernmentAction.WITHDRAW_REQUEST),
          troops=s.proposal_size * initial)
    answered = offer_open | package_open
    package = np.where(package_open & (a == GovernmentAction.WITHDRAW_REQUEST), s.proposal_size, 0.0)
    offered = np.where(offer_open, s.proposal_size, 0.0)
    s.proposal = np.where(answered, Proposal.NONE, s.proposal).astype(np.int8)
    s.proposal_size = np.where(answered, -1.0, s.proposal_size)

    ask = a == GovernmentAction.ASK_NEGOTIATIONS
    _emit(events, "ask_negotiations", ask, troops=deal_size * initial)
    s.proposal = np.where(ask, Proposal.BAGHDAD_DRAWDOWN, s.proposal).astype(np.int8)
    s.proposal_size = np.where(ask, deal_size, s.proposal_size)
    s.talks_requested = s.talks_requested | ask

    accept = a == GovernmentAction.ACCEPT_OFFER
    _agree_drawdown(s, p, accept, offered, events)

    request = a == GovernmentAction.FORMAL_REQUEST
    s.request_state = np.where(request, RequestState.ACTIVE, s.request_state).astype(np.int8)
    s.request_day = np.where(request, day, s.request_day)
    s.deadline_day = np.where(request, day + YEAR_DAYS, s.deadline_day)
    _emit(events, "formal_request", request, deadline_day=s.deadline_day.copy())
    if sa.override is True:  # the counterfactual: Washington imposes at once (F23)
        _impose(s, request, events)

    retract = a == GovernmentAction.WITHDRAW_REQUEST
    _emit(events, "request_withdrawn", retract, package=package * initial)
    s.request_state = np.where(retract, RequestState.WITHDRAWN, s.request_state).astype(np.int8)
    stop_at = np.maximum(np.minimum(s.troops, s.troop_target) - package * initial, 0.0)
    s.troop_target = np.where(retract & s.us_withdrawing, stop_at,
                              np.where(retract, np.maximum(s.troop_target - package * initial, 0.0), s.troop_target))
    s.us_withdrawing = s.us_withdrawing & ~retract
    lift = retract & s.sanctions_imposed & bool(sa.lifted_by_retraction)
    _emit(events, "sanctions_lifted", lift)
    s.sanctions_imposed = s.sanctions_imposed & ~lift
    news = request | retract | accept
    s.trigger_washington = s.trigger_washington | news | ask
    s.trigger_tehran = s.trigger_tehran | news
    s.trigger_factions = s.trigger_factions | request | retract


def _agree_drawdown(s: State, p: ModelParams, agreed: np.ndarray, size: np.ndarray, events: Events) -> None:
    """A drawdown both sides have agreed: the troops' target falls by `size` of the January
    force (F5, F19); it holds unless a side has reason to break it (a formal request)."""
    initial = p.world.initial_troops
    target = np.maximum(s.troop_target - size * initial, 0.0)
    _emit(events, "drawdown_agreed", agreed, troops=target)
    s.troop_target = np.where(agreed, target, s.troop_target)
    s.drawdowns_agreed = s.drawdowns_agreed + agreed
    s.trigger_tehran = s.trigger_tehran | agreed
    s.trigger_factions = s.trigger_factions | agreed


def _impose(s: State, mask: np.ndarray, events: Events) -> None:
    """Washington imposes its sanctions (F22): in force from now, and Baghdad knows the
    threat was real."""
    _emit(events, "sanctions_imposed", mask)
    s.sanctions_imposed = s.sanctions_imposed | mask
    s.sanctions_ever = s.sanctions_ever | mask
    s.credibility_belief = np.where(mask, 1.0, s.credibility_belief)
    s.trigger_government = s.trigger_government | mask
    s.trigger_factions = s.trigger_factions | mask
    s.trigger_tehran = s.trigger_tehran | mask
    s.trigger_washington = s.trigger_washington | mask


# ---------------------------------------------------------------- Washington
def stage_washington(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Washington reconsiders its posture at its own rate and on trigger events (F20): before
    a formal request it reassures, threatens sanctions (F22) or links issues (F17), offers a
    drawdown or answers Baghdad's request for one (F5, F19); after it, it withdraws on
    schedule, negotiates a retraction or stays (F4, F21), and decides whether to impose its
    sanctions (F22, F23). Baghdad updates its belief in the threat on what it sees."""
    wa, sa = p.washington, p.sanctions
    no_deal = np.zeros(s.runs)
    structural = views.washington_open(s, p, no_deal)  # the postures' openness does not depend on a deal
    rows_all = np.arange(s.runs)
    standing = structural[rows_all, np.maximum(s.washington_posture, 0)]
    triggered = ((s.trigger_washington | ~standing | (s.forced_washington_action >= 0)) & structural.any(axis=1)
                 & ~s.human_washington)
    revise, mass = _opportunities(keys, step, "washington", wa.revision_rate, p.step_days, triggered,
                                  s.human_washington, s.forced_washington_action)
    revise = revise & structural.any(axis=1)  # a proposal or an offer needs troops there, as the postures do
    rows = np.flatnonzero(revise)
    a = np.full(s.runs, -1, dtype=np.int64)
    deal_size = np.zeros(s.runs)
    package = np.zeros(s.runs)
    if rows.size:
        sub, ps = _subset(s, p, rows)
        look = views.outlook(sub, ps, step)
        values = views.washington_values(sub, ps, step, look)
        available = views.washington_open(sub, ps, look.deal.size)
        chosen = _revise(values, available, views.lam(ps.washington, ps), sub.washington_posture, mass[rows],
                         triggered[rows], keys[rows], step, "washington", sub.forced_washington_action,
                         sub.human_washington)
        a[rows] = np.where(chosen == sub.washington_posture, -1, chosen)  # kept its posture: no move
        deal_size[rows] = look.deal.size
        package[rows] = views.retraction_deal(sub, ps, step, look.stake, look.now).size
        if events is not None:
            _decision(events, "washington", revise, _spread(rows, s.runs, values), _spread(rows, s.runs, available),
                      np.where(a >= 0, a, s.washington_posture))
    considered = revise
    revise = revise & (a >= 0)
    s.trigger_washington = np.zeros(s.runs, dtype=bool)
    s.washington_action = np.where(revise, a, s.washington_action).astype(np.int8)
    initial = p.world.initial_troops

    # postures
    posture = np.isin(a, _POSTURE_CODES)
    changed = posture & (a != s.washington_posture)
    for kind, action in (("washington_threaten", WashingtonAction.THREATEN_SANCTIONS),
                         ("washington_link", WashingtonAction.LINK_ISSUES),
                         ("washington_reassure", WashingtonAction.REASSURE),
                         ("washington_stays", WashingtonAction.STAY)):
        _emit(events, kind, changed & (a == action))
    s.washington_posture_changes = s.washington_posture_changes + changed
    s.washington_posture = np.where(posture, a, s.washington_posture).astype(np.int8)
    # Baghdad reads a change of posture as a signal of resolve (F22), and a request left
    # unpunished when Washington had the chance as a bluff being called
    signalled = changed & np.isin(a, _PRE_REQUEST)
    s.credibility_belief = np.where(signalled, transitions.credibility_after_posture(
        s.credibility_belief, a == WashingtonAction.THREATEN_SANCTIONS, resolute_signal=sa.resolute_signal,
        bluff_signal=sa.bluff_signal), s.credibility_belief)
    restrained = (considered & (s.request_state == RequestState.ACTIVE) & ~s.sanctions_imposed
                  & (a != WashingtonAction.IMPOSE_SANCTIONS) & (sa.override is None))
    s.credibility_belief = np.where(restrained, transitions.credibility_after_restraint(
        s.credibility_belief, follow_through=sa.follow_through), s.credibility_belief)

    # Baghdad's proposal: accepted, or turned down by any other answer
    asked = considered & (s.proposal == Proposal.BAGHDAD_DRAWDOWN)
    size = np.where(s.proposal_size >= 0, s.proposal_size, deal_size)
    accept = (a == WashingtonAction.ACCEPT_PROPOSAL) & (size > 0)
    _emit(events, "proposal_rejected", asked & ~accept)
    s.proposal = np.where(asked, Proposal.NONE, s.proposal).astype(np.int8)
    s.proposal_size = np.where(asked, -1.0, s.proposal_size)
    _agree_drawdown(s, p, accept, size, events)

    offer = a == WashingtonAction.OFFER_DRAWDOWN
    _emit(events, "drawdown_offered", offer, troops=deal_size * initial)
    s.proposal = np.where(offer, Proposal.WASHINGTON_DRAWDOWN, s.proposal).astype(np.int8)
    s.proposal_size = np.where(offer, deal_size, s.proposal_size)

    negotiate = a == WashingtonAction.NEGOTIATE_RETRACTION
    _emit(events, "retraction_offered", negotiate, troops=package * initial)
    s.proposal = np.where(negotiate, Proposal.RETRACTION_PACKAGE, s.proposal).astype(np.int8)
    s.proposal_size = np.where(negotiate, package, s.proposal_size)
    s.trigger_government = s.trigger_government | offer | negotiate

    withdraw = a == WashingtonAction.WITHDRAW_ON_SCHEDULE
    _emit(events, "withdrawal_decided", withdraw)
    s.us_withdrawing = s.us_withdrawing | withdraw
    s.troop_target = np.where(withdraw, 0.0, s.troop_target)
    s.trigger_tehran = s.trigger_tehran | withdraw
    s.trigger_government = s.trigger_government | withdraw

    _impose(s, a == WashingtonAction.IMPOSE_SANCTIONS, events)
    lift = a == WashingtonAction.LIFT_SANCTIONS
    _emit(events, "sanctions_lifted", lift)
    s.sanctions_imposed = s.sanctions_imposed & ~lift
    s.trigger_government = s.trigger_government | lift


# ---------------------------------------------------------------- consequences
def stage_consequences(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Troops move at the withdrawal's pace (F4, F9), Iranian influence responds (F7, F23,
    F24), the clock is read (F4, F11)."""
    w, wa, dt, day = p.world, p.washington, p.step_days, p.day(step)
    had_troops = s.troops > 0
    pace = np.asarray(w.initial_troops) / np.asarray(wa.withdrawal_days)
    before = s.troops
    s.troops = transitions.troops_step(s.troops, s.troop_target, dt, pace=pace)
    # the withdrawal a formal request asks for is complete when no troops are left (F4), on
    # the day within the step that the pace takes the last of them out
    gone_now = (s.troops <= 0.0) & (s.withdrawal_complete_day < 0) & (s.request_state == RequestState.ACTIVE)
    days_left = np.ceil(np.divide(before, pace, out=np.zeros_like(before), where=pace > 0))  # no troops: no days
    last_day = np.minimum(day - dt + days_left, day).astype(np.int64)
    s.withdrawal_complete_day = np.where(gone_now, last_day, s.withdrawal_complete_day)
    _emit(events, "troops_gone", had_troops & (s.troops <= 0.0))
    s.trigger_tehran = s.trigger_tehran | (had_troops & (s.troops <= 0.0))
    s.iran_influence = transitions.influence_step(
        s.iran_influence, views.presence(s, p), s.sanctions_imposed, s.tehran_pressure, dt,
        rate=w.influence_rate, base=w.influence_base, vacuum_weight=w.influence_vacuum_weight,
        sanctions_weight=w.influence_sanctions_weight, pressure_weight=w.influence_pressure_weight,
    )
    decided = s.outcome
    s.outcome = outcomes.decide_during_run(s.outcome, s.request_state, s.troops, day, s.deadline_day,
                                           s.withdrawal_complete_day).astype(np.int8)
    _emit(events, "deadline_passed", (decided != s.outcome) & (s.outcome == Outcome.OCCUPATION),
          troops=np.where(s.troops > 0, s.troops, before))


# ---------------------------------------------------------------- the stage list
StageFunction = Callable[[State, ModelParams, int, np.ndarray, Events], None]


@dataclass(frozen=True)
class Stage:
    """One stage of the step.

    `run` computes the stage over R runs. `actor` names the actor whose decision it is (a
    key of `actors.ACTORS`), or None for the world's own dynamics. A stage whose actor has
    several members (the factions) also gives `each`, one member's step (`faction_step`,
    with the member index after `keys`), and `then`, what follows once all have stepped:
    `run` is exactly `each` over the members followed by `then`, which is how the Mesa model
    steps the members as agents and still computes the same step."""

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
