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

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import bargaining, draws, institutions, outcomes, packing, payoffs, transitions, views
from . import packing as K
from .actions import (
    POSITION_GRID,
    WASHINGTON_POSTURES,
    GovernmentAction,
    Proposal,
    TehranAction,
    WashingtonAction,
)
from .choice import revision_choice, revision_one
from .compiled import at, kernel
from .outcomes import UNDECIDED, Outcome, RequestState
from .params import ModelParams
from .state import State
from .valuation import YEAR_DAYS, chance_within, ou_value

Events = list | None
_POSTURE_CODES = np.array(sorted(int(a) for a in WASHINGTON_POSTURES))
_GRID = POSITION_GRID
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


@kernel(inline=True)
def opportunity(key: np.uint64, step: np.uint64, pid_revise: np.uint64, rate: float, step_days: float,
                ring: float, triggered: bool, human: bool, forced: int) -> tuple[bool, float]:
    """`_opportunities` for one run: whether the actor may act, and its clock mass; `ring`
    is the chance its clock rings within the step (`valuation.chance_within`)."""
    mass = rate * step_days
    may = triggered or (draws.uniform_at(key, step, pid_revise) < ring)
    return (forced >= 0 if human else (may or forced >= 0)), mass


@kernel(inline=True)
def revised(values: np.ndarray, available: np.ndarray, lam: float, status_quo: int, mass: float, triggered: bool,
            key: np.uint64, step: np.uint64, pid_change: np.uint64, pid_choice: np.uint64, forced: int, human: bool,
            probs: np.ndarray) -> int:
    """`_revise` for one run (`probs`: scratch space of the actions' length)."""
    chosen = revision_one(values, lam, available, status_quo, mass, triggered, draws.uniform_at(key, step, pid_change),
                          draws.uniform_at(key, step, pid_choice), probs)
    if human:
        chosen = status_quo
    if forced >= 0 and available[min(max(forced, 0), available.shape[0] - 1)]:
        return forced
    return chosen


def _pids(actor: str) -> tuple[np.uint64, np.uint64, np.uint64]:
    """The purpose ids of an actor's revision clock, change and choice draws."""
    return tuple(draws.purpose_key(f"{actor}.{x}") for x in ("revise", "change", "choice"))  # type: ignore[return-value]


def _record(runs: int, actions: int, events: Events) -> tuple[np.ndarray, np.ndarray]:
    """Where a compiled decision stage writes its values and open actions: (R, A) arrays
    when events are recorded, else a row it may overwrite."""
    rows = runs if events is not None else 1
    return np.zeros((rows, actions)), np.zeros((rows, actions), dtype=np.bool_)


# ---------------------------------------------------------------- world
_PID_ISIS, _PID_PROTESTS, _PID_MOBILISATION = (draws.purpose_key(f"world.{x}")
                                               for x in ("isis", "protests", "mobilisation"))


@kernel
def _world_rows(lo: int, hi: int, par: np.ndarray, fac: np.ndarray, keys: np.ndarray, step: np.uint64, troops: np.ndarray,
                isis: np.ndarray, tension: np.ndarray, protests: np.ndarray, mobilisation: np.ndarray,
                threat_level: np.ndarray, linkage_level: np.ndarray, tehran_pressure: np.ndarray, mandate: np.ndarray,
                position: np.ndarray, salience: np.ndarray, tehran_action: np.ndarray,
                washington_posture: np.ndarray, sanctions_imposed: np.ndarray) -> None:
    """`stage_world` for the runs lo..hi-1."""
    scratch = np.empty(position.shape[1])
    for i in range(lo, hi):
        pr, fr, key = at(par, i), at(fac, i), keys[i]
        dt = pr[K.STEP_DAYS]
        presence = transitions.presence_of(troops[i], pr[K.W_INITIAL_TROOPS])
        isis[i] = transitions.isis_next(isis[i], presence, draws.normal_at(key, step, _PID_ISIS), pr[K.W_ISIS_MEAN],
                                        pr[K.W_ISIS_PRESENCE_EFFECT], pr[K.ISIS_MOVED], pr[K.ISIS_SPREAD])
        escalating = (tehran_action[i] == TehranAction.ESCALATE) and (troops[i] > 0)
        tension[i] = transitions.tension_next(tension[i], escalating,
                                              washington_posture[i] == WashingtonAction.REASSURE, dt,
                                              pr[K.W_TENSION_BASELINE], pr[K.W_TENSION_DECAY],
                                              pr[K.TE_ESCALATION_RATE], pr[K.WA_REASSURE_RATE])
        protests[i] = ou_value(protests[i], pr[K.W_PROTEST_FLOOR], pr[K.PROTESTS_MOVED], pr[K.PROTESTS_SPREAD],
                               draws.normal_at(key, step, _PID_PROTESTS))
        call = transitions.street_call_of(fr[K.F_MOBILISING_POWER], position[i], salience[i], scratch)
        mobilisation[i] = transitions.mobilisation_next(
            mobilisation[i], tension[i], call, sanctions_imposed[i], threat_level[i],
            draws.normal_at(key, step, _PID_MOBILISATION), pr[K.W_MOBILISATION_TENSION_WEIGHT],
            pr[K.W_MOBILISATION_SANCTIONS_ANGER], pr[K.W_MOBILISATION_THREAT_ANGER], pr[K.MOBILISATION_MOVED],
            pr[K.MOBILISATION_SPREAD])
        threatening = (washington_posture[i] == WashingtonAction.THREATEN_SANCTIONS) and (troops[i] > 0)
        threat_level[i] = transitions.faded(threat_level[i], threatening, pr[K.SIGNAL_STEP_KEPT])
        linkage_level[i] = transitions.faded(linkage_level[i], washington_posture[i] == WashingtonAction.LINK_ISSUES,
                                             pr[K.SIGNAL_STEP_KEPT])
        tehran_pressure[i] = transitions.faded(tehran_pressure[i], tehran_action[i] == TehranAction.PRESS_FACTIONS,
                                               pr[K.PRESSURE_STEP_KEPT])
        mandate[i] = transitions.faded(mandate[i], False, pr[K.MANDATE_STEP_KEPT])


def stage_world(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """What runs on its own over the step: ISIS threat (F1, F20), tension after the strike
    with Tehran's escalation and Washington's reassurance as they stand (F12, F19), protests
    (F14), street mobilisation (F18, F19), and the signals the standing postures keep up or
    let fade: the sanctions threat (F22), linkage (F17), Tehran's pressure (F16) and
    parliament's mandate (F12)."""
    par, fac = packing.packed(p)
    _world_rows(0, s.runs, par, fac, keys, draws.step_key(step), s.troops, s.isis_threat, s.tension, s.protests, s.mobilisation,
                s.threat_level, s.linkage_level, s.tehran_pressure, s.mandate, s.position, s.salience,
                s.tehran_action, s.washington_posture, s.sanctions_imposed)


# ---------------------------------------------------------------- Tehran
_TEHRAN_PIDS = _pids("tehran")


@kernel(inline=True)
def tehran_values_of(pr: np.ndarray, request_state: int, us_withdrawing: bool, days_since: float, troops: float,
                     tension: float, influence: float, action: int, out: np.ndarray) -> None:
    """Tehran's values of restrain, press factions, escalate in one run (`views.tehran_values`)."""
    stake = payoffs.departure_stake(request_state == RequestState.ACTIVE, us_withdrawing, days_since,
                                    pr[K.TE_CLOCK_WEIGHT])
    presence = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    payoffs.tehran_flows_of(presence, tension, influence, pr[K.ALIGNED_SHARE], stake, pr[K.TE_INFLUENCE_WEIGHT],
                            pr[K.TE_DEPARTURE_WEIGHT], pr[K.TE_PRESSURE_INFLUENCE], pr[K.TE_PRESS_COST],
                            pr[K.ESCALATION_STEP], pr[K.TE_ESCALATION_COST], out)
    for a in range(3):
        out[a] = out[a] * pr[K.TEHRAN_WEEKS] + pr[K.TE_SWITCHING_COST] * (1.0 if a == action else 0.0)


@kernel(inline=True)
def tehran_open_of(troops: float, out: np.ndarray) -> None:
    """Tehran's open postures in one run: escalation needs US forces to escalate against."""
    out[0] = True
    out[1] = True
    out[2] = troops > 0


@kernel
def _tehran_rows(lo: int, hi: int, par: np.ndarray, keys: np.ndarray, step: np.uint64, day: int, pids: tuple, troops: np.ndarray,
                 tension: np.ndarray, influence: np.ndarray, request_state: np.ndarray, request_day: np.ndarray,
                 us_withdrawing: np.ndarray, tehran_action: np.ndarray, trigger_tehran: np.ndarray,
                 trigger_washington: np.ndarray, trigger_factions: np.ndarray, changes: np.ndarray,
                 human: np.ndarray, forced: np.ndarray, revise: np.ndarray, record: bool, values: np.ndarray,
                 available: np.ndarray) -> None:
    """`stage_tehran` for the runs lo..hi-1; if `record`, `values` and `available` get each revising
    run's view."""
    probs = np.empty(3)
    u = np.empty(3)
    avail = np.empty(3, dtype=np.bool_)
    for i in range(lo, hi):
        pr = at(par, i)
        a = tehran_action[i]
        tehran_open_of(troops[i], avail)
        triggered = (trigger_tehran[i] or not avail[max(a, 0)] or forced[i] >= 0) and not human[i]
        may, mass = opportunity(keys[i], step, pids[0], pr[K.TE_REVISION_RATE], pr[K.STEP_DAYS], pr[K.TEHRAN_RING],
                                triggered,
                                human[i], forced[i])
        revise[i] = may
        if not may:
            continue
        days_since = float(day - request_day[i]) if request_state[i] == RequestState.ACTIVE else 0.0
        tehran_values_of(pr, request_state[i], us_withdrawing[i], days_since, troops[i], tension[i], influence[i],
                         a, u)
        chosen = revised(u, avail, pr[K.LAM_TEHRAN], a, mass, triggered, keys[i], step, pids[1], pids[2],
                         forced[i], human[i], probs)
        if record:
            values[i, :] = u
            available[i, :] = avail
        if chosen != a:
            changes[i] += 1
            if chosen == TehranAction.ESCALATE:  # a strike-like shock others answer (F12)
                trigger_washington[i] = True
                trigger_factions[i] = True
        tehran_action[i] = chosen
    trigger_tehran[lo:hi] = False


def stage_tehran(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Tehran restrains, presses aligned factions (F16) or escalates through proxies (F12),
    revising at its own rate and on trigger events; a posture that is no longer open
    (escalating once no US troops are left) is revised at once."""
    par, _ = packing.packed(p)
    before = s.tehran_action.copy() if events is not None else None
    revise = np.zeros(s.runs, dtype=np.bool_)
    values, available = _record(s.runs, 3, events)
    _tehran_rows(0, s.runs, par, keys, draws.step_key(step), p.day(step), _TEHRAN_PIDS, s.troops, s.tension, s.iran_influence,
                 s.request_state, s.request_day, s.us_withdrawing, s.tehran_action, s.trigger_tehran,
                 s.trigger_washington, s.trigger_factions, s.tehran_posture_changes, s.human_tehran,
                 s.forced_tehran_action, revise, events is not None, values, available)
    if events is not None:
        a = s.tehran_action.astype(np.int64)
        _decision(events, "tehran", revise, values, available, a)
        changed = revise & (a != before)
        _emit(events, "tehran_press", changed & (a == TehranAction.PRESS_FACTIONS))
        _emit(events, "tehran_escalate", changed & (a == TehranAction.ESCALATE))
        _emit(events, "tehran_restrain", changed & (a == TehranAction.RESTRAIN))


# ---------------------------------------------------------------- factions
@kernel(inline=True)
def faction_values_of(pr: np.ndarray, fr: np.ndarray, j: int, salience: float, stance: int, isis: float,
                      troops: float, tehran_pressure: float, mobilisation: float, out: np.ndarray) -> None:
    """Faction j's value of each stance of `POSITION_GRID` in one run (`views.faction_values`)."""
    presence = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    payoffs.stance_payoffs_of(_GRID, fr[K.F_IDEAL_POSITION, j], salience, fr[K.F_SECURITY_WEIGHT, j],
                              fr[K.F_IRAN_ALIGNMENT, j], fr[K.F_STREET_RESPONSIVENESS, j], isis, presence,
                              tehran_pressure, mobilisation, out)
    for k in range(out.shape[0]):
        out[k] = out[k] * pr[K.FACTION_WEEKS] + pr[K.B_FACTION_SWITCHING_COST] * (1.0 if k == stance else 0.0)


@kernel
def _faction_rows(lo: int, hi: int, par: np.ndarray, fac: np.ndarray, keys: np.ndarray, step: np.uint64,
                  first: int, last: int, pids: np.ndarray, tension: np.ndarray, isis: np.ndarray, troops: np.ndarray,
                  tehran_pressure: np.ndarray, mobilisation: np.ndarray, stance: np.ndarray, position: np.ndarray,
                  salience: np.ndarray, trigger_factions: np.ndarray, changes: np.ndarray, revise: np.ndarray,
                  record: bool, values: np.ndarray) -> None:
    """`faction_step` of the factions first..last-1 for the runs lo..hi-1 (`pids`: every
    faction's purpose ids, (F, 3)); `revise` and, if `record`, `values` get the last one's."""
    k = _GRID.shape[0]
    probs = np.empty(k)
    u = np.empty(k)
    every = np.ones(k, dtype=np.bool_)
    for i in range(lo, hi):
        pr, fr, key = at(par, i), at(fac, i), keys[i]
        triggered = trigger_factions[i]
        for j in range(first, last):
            salience[i, j] = transitions.salience_of(fr[K.F_SALIENCE, j], fr[K.F_TENSION_SENSITIVITY, j], tension[i])
            may, mass = opportunity(key, step, pids[j, 0], pr[K.B_FACTION_REVISION_RATE], pr[K.STEP_DAYS],
                                    pr[K.FACTION_RING], triggered, False, -1)
            revise[i] = may
            if not may:
                continue
            faction_values_of(pr, fr, j, salience[i, j], stance[i, j], isis[i], troops[i], tehran_pressure[i],
                              mobilisation[i], u)
            chosen = revision_one(u, fr[K.F_LAM, j], every, stance[i, j], mass, triggered,
                                  draws.uniform_at(key, step, pids[j, 1]), draws.uniform_at(key, step, pids[j, 2]),
                                  probs)
            if record:
                values[i, :] = u
            if chosen != stance[i, j]:
                changes[i] += 1
            stance[i, j] = chosen
            position[i, j] = _GRID[chosen]


def faction_step(s: State, p: ModelParams, step: int, keys: np.ndarray, j: int, events: Events = None) -> None:
    """Faction j updates its salience (F12) and, at a revision, states a position by logit
    choice over its values (F1, F14, F16, F18); between revisions its stance stands."""
    par, fac = packing.packed(p)
    name = p.factions.names[j]
    revise = np.zeros(s.runs, dtype=np.bool_)
    values, _ = _record(s.runs, POSITION_GRID.size, events)
    _faction_rows(0, s.runs, par, fac, keys, draws.step_key(step), j, j + 1, _plan(p)[1], s.tension, s.isis_threat,
                  s.troops, s.tehran_pressure, s.mobilisation, s.stance, s.position, s.salience, s.trigger_factions,
                  s.factions_posture_changes, revise, events is not None, values)
    if events is not None:
        _decision(events, f"faction.{name}", revise, values, np.ones((s.runs, POSITION_GRID.size), dtype=bool),
                  s.stance[:, j].astype(np.int64))


@kernel
def _collective_rows(lo: int, hi: int, rule: int, fac: np.ndarray, position: np.ndarray, salience: np.ndarray,
                     collective_stance: np.ndarray, trigger_factions: np.ndarray) -> None:
    """`update_collective` for the runs lo..hi-1 by a compiled rule (`bargaining.RULE_CODES`)."""
    scratch = np.empty(2 * position.shape[1])
    for i in range(lo, hi):
        fr = at(fac, i)
        collective_stance[i] = bargaining.collective_of(rule, fr[K.F_SEATS], position[i], salience[i], scratch)
        trigger_factions[i] = False


def update_collective(s: State, p: ModelParams, step: int = 0, keys: np.ndarray | None = None,
                      events: Events = None) -> None:
    """Baghdad's collective stance by the configured rule over seats, positions and
    saliences; every faction has now answered the trigger events it had."""
    code = _rule_code(p)
    if code >= 0:
        _collective_rows(0, s.runs, code, packing.packed(p)[1], s.position, s.salience, s.collective_stance,
                         s.trigger_factions)
        return
    s.collective_stance = bargaining.collective_position(
        p.behaviour.collective_rule, p.factions.seats, s.position, s.salience,
        getattr(p.behaviour, "bdm_reading", "text"),
    )
    s.trigger_factions = np.zeros(s.runs, dtype=bool)


def _rule_code(p: ModelParams) -> int:
    """The code of the collective rule's kernel, or -1 for a rule NumPy computes (`bdm`)."""
    rule = p.behaviour.collective_rule
    return bargaining.RULE_CODES.get(bargaining.RULE_ALIASES.get(rule, rule), -1)


def stage_factions(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Every faction decides on last step's world (so their order does not matter), then the
    collective stance is formed."""
    for j in range(p.factions.size):
        faction_step(s, p, step, keys, j, events)
    update_collective(s, p, step, keys, events)


# ---------------------------------------------------------------- parliament and government formation
_PID_TABLE, _PID_FORMATION, _PID_PM_TYPE, _PID_COLLAPSE = (draws.purpose_key(x) for x in (
    "parliament.table", "government.formation", "government.pm_type", "government.collapse"))
# parliament's events, as columns of the flags a compiled stage sets
_RESOLUTION_PASSED, _RESOLUTION_FAILED, _PM_CONFIRMED, _GOVERNMENT_FELL = 0, 1, 2, 3


@kernel
def _parliament_rows(lo: int, hi: int, par: np.ndarray, fac: np.ndarray, keys: np.ndarray, step: np.uint64, day: int,
                     troops: np.ndarray, us_withdrawing: np.ndarray, request_state: np.ndarray,
                     last_resolution_day: np.ndarray, mobilisation: np.ndarray, protests: np.ndarray,
                     position: np.ndarray, resolutions_passed: np.ndarray, mandate: np.ndarray,
                     caretaker: np.ndarray, collective_stance: np.ndarray, pm_position: np.ndarray,
                     pm_majority: np.ndarray, pm_changes: np.ndarray, trigger_government: np.ndarray,
                     trigger_washington: np.ndarray, trigger_tehran: np.ndarray, flags: np.ndarray,
                     data: np.ndarray) -> None:
    """`stage_parliament` for the runs lo..hi-1; `flags` gets each run's events, `data` the vote
    (yes seats, seats present) and the new PM's position."""
    scratch = np.empty(position.shape[1])
    for i in range(lo, hi):
        pr, fr, key = at(par, i), at(fac, i), keys[i]
        dt = pr[K.STEP_DAYS]
        can_table = (troops[i] > 0 and not us_withdrawing[i] and request_state[i] == RequestState.NONE
                     and day - last_resolution_day[i] >= pr[K.PA_MIN_INTERVAL_DAYS])
        tabled = can_table and (draws.uniform_at(key, step, _PID_TABLE)
                                < chance_within(pr[K.PA_PROPOSE_RATE] * mobilisation[i], dt))
        carried, yes, present = institutions.vote_of(fr[K.F_SEATS], position[i], fr[K.F_CAN_BOYCOTT],
                                                     pr[K.PA_YES_THRESHOLD], pr[K.PA_BOYCOTT_THRESHOLD],
                                                     pr[K.PA_QUORUM], scratch)
        passed = tabled and carried
        flags[i, _RESOLUTION_PASSED] = passed
        flags[i, _RESOLUTION_FAILED] = tabled and not carried
        data[i, 0], data[i, 1] = yes, present
        if passed:
            resolutions_passed[i] += 1
            mandate[i] = 1.0
            trigger_government[i] = True
            trigger_washington[i] = True
        if tabled:
            last_resolution_day[i] = day

        formed = caretaker[i] and (draws.uniform_at(key, step, _PID_FORMATION)
                                   < chance_within(pr[K.G_FORMATION_RATE], dt))
        anti = draws.uniform_at(key, step, _PID_PM_TYPE) < pr[K.G_P_ANTI_AMERICAN_PM]
        position_new = pr[K.G_ANTI_AMERICAN_POSITION] if anti else collective_stance[i]
        flags[i, _PM_CONFIRMED] = formed
        data[i, 2], data[i, 3] = position_new, anti
        if formed:
            pm_position[i] = position_new
            pm_majority[i] = anti
            caretaker[i] = False
            pm_changes[i] += 1
            trigger_government[i] = True
            trigger_washington[i] = True
            trigger_tehran[i] = True
        fell = (not caretaker[i] and not formed and draws.uniform_at(key, step, _PID_COLLAPSE)
                < chance_within(pr[K.G_COLLAPSE_RATE] * protests[i], dt))
        flags[i, _GOVERNMENT_FELL] = fell
        if fell:
            caretaker[i] = True
            pm_majority[i] = False


def stage_parliament(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Non-binding resolutions (F12, F14), tabled only while there are US troops to expel and
    no formal request stands, and government formation or collapse (F13, F14, F15)."""
    par, fac = packing.packed(p)
    flags = np.zeros((s.runs, 4), dtype=np.bool_)
    data = np.zeros((s.runs, 4))
    _parliament_rows(0, s.runs, par, fac, keys, draws.step_key(step), p.day(step), s.troops, s.us_withdrawing, s.request_state,
                     s.last_resolution_day, s.mobilisation, s.protests, s.position, s.resolutions_passed, s.mandate,
                     s.caretaker, s.collective_stance, s.pm_position, s.pm_majority, s.pm_changes,
                     s.trigger_government, s.trigger_washington, s.trigger_tehran, flags, data)
    if events is not None:
        yes, present = data[:, 0], data[:, 1]
        _emit(events, "resolution_passed", flags[:, _RESOLUTION_PASSED], yes=yes, present=present)
        _emit(events, "resolution_failed", flags[:, _RESOLUTION_FAILED], yes=yes, present=present)
        _emit(events, "pm_confirmed", flags[:, _PM_CONFIRMED], position=data[:, 2], anti_american=data[:, 3] > 0)
        _emit(events, "government_fell", flags[:, _GOVERNMENT_FELL])


# ---------------------------------------------------------------- the prime minister
_GOVERNMENT_PIDS = _pids("government")
_N_OUTLOOK = len(views.OUTLOOK)
_PID_RESPOND = draws.purpose_key("government.respond")
# the PM's events, as columns of the flags its compiled stage sets
(_OFFER_REJECTED, _PACKAGE_REJECTED, _ASK_NEGOTIATIONS, _DRAWDOWN_AGREED, _FORMAL_REQUEST, _IMPOSED,
 _REQUEST_WITHDRAWN, _LIFTED) = range(8)


@kernel
def _government_rows(lo: int, hi: int, par: np.ndarray, keys: np.ndarray, step: np.uint64, day: int, pids: tuple, record: bool,
                     troops: np.ndarray, troop_target: np.ndarray, isis: np.ndarray, influence: np.ndarray,
                     tension: np.ndarray, protests: np.ndarray, request_state: np.ndarray, request_day: np.ndarray,
                     deadline_day: np.ndarray, us_withdrawing: np.ndarray, outcome: np.ndarray,
                     pm_position: np.ndarray, collective_stance: np.ndarray, caretaker: np.ndarray,
                     pm_majority: np.ndarray, belief: np.ndarray, linkage_level: np.ndarray, mandate: np.ndarray,
                     proposal: np.ndarray, proposal_size: np.ndarray, talks_requested: np.ndarray,
                     drawdowns_agreed: np.ndarray, sanctions_imposed: np.ndarray, sanctions_ever: np.ndarray,
                     government_action: np.ndarray, changes: np.ndarray, trigger_government: np.ndarray,
                     trigger_washington: np.ndarray, trigger_tehran: np.ndarray, trigger_factions: np.ndarray,
                     human: np.ndarray, forced: np.ndarray, revise: np.ndarray, chosen: np.ndarray,
                     values: np.ndarray, available: np.ndarray, flags: np.ndarray, data: np.ndarray) -> None:
    """`stage_government` for the runs lo..hi-1; `chosen` gets each revising run's choice, `flags`
    its events, `data` the troops each names (offer or package turned down, talks asked,
    drawdown agreed, package taken)."""
    probs = np.empty(5)
    u = np.empty(5)
    avail = np.empty(5, dtype=np.bool_)
    look = np.empty(_N_OUTLOOK)
    for i in range(lo, hi):
        pr, key = at(par, i), keys[i]
        initial = pr[K.W_INITIAL_TROOPS]
        share, rate = views.pm_rate_of(pr, caretaker[i], pm_majority[i], protests[i])
        # a trigger is an opportunity the PM takes with its responsiveness; a player always acts
        responds = trigger_government[i] and draws.uniform_at(key, step, _PID_RESPOND) < share
        triggered = (responds or forced[i] >= 0) and not human[i]
        may, mass = opportunity(key, step, pids[0], rate, pr[K.STEP_DAYS], chance_within(rate, pr[K.STEP_DAYS]),
                                triggered, human[i], forced[i])
        revise[i] = may
        trigger_government[i] = False
        if not may:
            continue
        stance = pr[K.G_PM_WEIGHT] * pm_position[i] + (1.0 - pr[K.G_PM_WEIGHT]) * collective_stance[i]
        active = request_state[i] == RequestState.ACTIVE
        days_since = float(day - request_day[i]) if active else 0.0
        views.outlook_of(pr, day, troops[i], troop_target[i], isis[i], influence[i], tension[i], request_state[i],
                         request_day[i], us_withdrawing[i], outcome[i], stance, belief[i], linkage_level[i],
                         mandate[i], rate, look)
        views.government_values_of(pr, look, rate, days_since, troops[i], troop_target[i], stance, request_state[i],
                                   us_withdrawing[i], sanctions_imposed[i], belief[i], linkage_level[i], mandate[i],
                                   proposal[i], proposal_size[i], u)
        deal_size = look[views.O_DEAL_SIZE]
        views.government_open_of(troops[i], request_state[i], outcome[i], proposal[i], us_withdrawing[i], deal_size,
                                 avail)
        a = revised(u, avail, pr[K.LAM_GOVERNMENT], 0, mass, triggered, key, step, pids[1], pids[2], forced[i],
                    human[i], probs)
        chosen[i] = a
        if record:
            values[i, :] = u
            available[i, :] = avail
        if a != GovernmentAction.WAIT:
            changes[i] += 1
            government_action[i] = a

        # answers to Washington's proposals: anything but accepting turns them down
        offer_open = proposal[i] == Proposal.WASHINGTON_DRAWDOWN
        package_open = proposal[i] == Proposal.RETRACTION_PACKAGE
        flags[i, _OFFER_REJECTED] = offer_open and a != GovernmentAction.ACCEPT_OFFER
        flags[i, _PACKAGE_REJECTED] = package_open and a != GovernmentAction.WITHDRAW_REQUEST
        data[i, 0] = proposal_size[i] * initial
        package = proposal_size[i] if (package_open and a == GovernmentAction.WITHDRAW_REQUEST) else 0.0
        offered = proposal_size[i] if offer_open else 0.0
        if offer_open or package_open:
            proposal[i] = Proposal.NONE
            proposal_size[i] = -1.0
        if a == GovernmentAction.ASK_NEGOTIATIONS:
            flags[i, _ASK_NEGOTIATIONS] = True
            data[i, 1] = deal_size * initial
            proposal[i] = Proposal.BAGHDAD_DRAWDOWN
            proposal_size[i] = deal_size
            talks_requested[i] = True
            trigger_washington[i] = True
        elif a == GovernmentAction.ACCEPT_OFFER:
            flags[i, _DRAWDOWN_AGREED] = True
            agreed(troop_target, drawdowns_agreed, trigger_tehran, trigger_factions, i, offered * initial)
            data[i, 2] = troop_target[i]
            trigger_washington[i] = True
        elif a == GovernmentAction.FORMAL_REQUEST:
            flags[i, _FORMAL_REQUEST] = True
            request_state[i] = RequestState.ACTIVE
            request_day[i] = day
            deadline_day[i] = day + YEAR_DAYS
            if pr[K.OVERRIDE] == 1.0:  # the counterfactual: Washington imposes at once (F23)
                flags[i, _IMPOSED] = True
                imposed(sanctions_imposed, sanctions_ever, belief, trigger_government, trigger_factions,
                        trigger_tehran, trigger_washington, i)
            trigger_washington[i] = True
            trigger_tehran[i] = True
            trigger_factions[i] = True
        elif a == GovernmentAction.WITHDRAW_REQUEST:
            flags[i, _REQUEST_WITHDRAWN] = True
            data[i, 3] = package * initial
            request_state[i] = RequestState.WITHDRAWN
            if us_withdrawing[i]:
                troop_target[i] = max(min(troops[i], troop_target[i]) - package * initial, 0.0)
            else:
                troop_target[i] = max(troop_target[i] - package * initial, 0.0)
            us_withdrawing[i] = False
            if sanctions_imposed[i] and pr[K.SA_LIFTED_BY_RETRACTION] != 0.0:
                flags[i, _LIFTED] = True
                sanctions_imposed[i] = False
            trigger_washington[i] = True
            trigger_tehran[i] = True
            trigger_factions[i] = True


@kernel(inline=True)
def agreed(troop_target: np.ndarray, drawdowns_agreed: np.ndarray, trigger_tehran: np.ndarray,
           trigger_factions: np.ndarray, i: int, troops: float) -> None:
    """`_agree_drawdown` in run i: the troops' target falls by `troops` (F5, F19)."""
    troop_target[i] = max(troop_target[i] - troops, 0.0)
    drawdowns_agreed[i] += 1
    trigger_tehran[i] = True
    trigger_factions[i] = True


@kernel(inline=True)
def imposed(sanctions_imposed: np.ndarray, sanctions_ever: np.ndarray, belief: np.ndarray,
            trigger_government: np.ndarray, trigger_factions: np.ndarray, trigger_tehran: np.ndarray,
            trigger_washington: np.ndarray, i: int) -> None:
    """`_impose` in run i (F22)."""
    sanctions_imposed[i] = True
    sanctions_ever[i] = True
    belief[i] = 1.0
    trigger_government[i] = True
    trigger_factions[i] = True
    trigger_tehran[i] = True
    trigger_washington[i] = True


def stage_government(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """The PM, the only actor who can make a formal request (F10), reconsiders its course
    when its own clock rings (at a rate set by the institutions, F13, F14, F15) or, if it
    takes the chance, on a trigger event; it waits, asks for talks on a drawdown (F5), makes
    the formal request (F4), takes it back (F19) or accepts Washington's drawdown offer.
    Only the runs in which the PM reconsiders are valued."""
    par, _ = packing.packed(p)
    revise = np.zeros(s.runs, dtype=np.bool_)
    values, available = _record(s.runs, 5, events)
    flags = np.zeros((s.runs, 8), dtype=np.bool_)
    data = np.zeros((s.runs, 4))
    chosen = np.zeros(s.runs, dtype=np.int64)  # WAIT
    _government_rows(0, s.runs, par, keys, draws.step_key(step), p.day(step), _GOVERNMENT_PIDS, events is not None, s.troops,
                     s.troop_target, s.isis_threat, s.iran_influence, s.tension, s.protests, s.request_state,
                     s.request_day, s.deadline_day, s.us_withdrawing, s.outcome, s.pm_position, s.collective_stance,
                     s.caretaker, s.pm_majority, s.credibility_belief, s.linkage_level, s.mandate, s.proposal,
                     s.proposal_size, s.talks_requested, s.drawdowns_agreed, s.sanctions_imposed, s.sanctions_ever,
                     s.government_action, s.government_posture_changes, s.trigger_government, s.trigger_washington,
                     s.trigger_tehran, s.trigger_factions, s.human_government, s.forced_government_action, revise,
                     chosen, values, available, flags, data)
    if events is not None:
        _decision(events, "government", revise, values, available, chosen)
        _emit(events, "offer_rejected", flags[:, _OFFER_REJECTED], troops=data[:, 0])
        _emit(events, "package_rejected", flags[:, _PACKAGE_REJECTED], troops=data[:, 0])
        _emit(events, "ask_negotiations", flags[:, _ASK_NEGOTIATIONS], troops=data[:, 1])
        _emit(events, "drawdown_agreed", flags[:, _DRAWDOWN_AGREED], troops=data[:, 2])
        _emit(events, "formal_request", flags[:, _FORMAL_REQUEST], deadline_day=s.deadline_day.copy())
        _emit(events, "sanctions_imposed", flags[:, _IMPOSED])
        _emit(events, "request_withdrawn", flags[:, _REQUEST_WITHDRAWN], package=data[:, 3])
        _emit(events, "sanctions_lifted", flags[:, _LIFTED])


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
_WASHINGTON_PIDS = _pids("washington")
_N_WASHINGTON = len(WashingtonAction)
# Washington's events, as columns of the flags its compiled stage sets
(_W_THREATEN, _W_LINK, _W_REASSURE, _W_STAYS, _W_PROPOSAL_REJECTED, _W_DRAWDOWN_AGREED, _W_DRAWDOWN_OFFERED,
 _W_RETRACTION_OFFERED, _W_WITHDRAWAL_DECIDED, _W_IMPOSED, _W_LIFTED) = range(11)
_W_POSTURE_EVENTS = ((_W_THREATEN, "washington_threaten"), (_W_LINK, "washington_link"),
                     (_W_REASSURE, "washington_reassure"), (_W_STAYS, "washington_stays"))


@kernel
def _washington_rows(lo: int, hi: int, par: np.ndarray, keys: np.ndarray, step: np.uint64, day: int, pids: tuple, record: bool,
                     troops: np.ndarray, troop_target: np.ndarray, isis: np.ndarray, influence: np.ndarray,
                     tension: np.ndarray, protests: np.ndarray, request_state: np.ndarray, request_day: np.ndarray,
                     us_withdrawing: np.ndarray, outcome: np.ndarray, pm_position: np.ndarray,
                     collective_stance: np.ndarray, caretaker: np.ndarray, pm_majority: np.ndarray,
                     belief: np.ndarray, linkage_level: np.ndarray, threat_level: np.ndarray, mandate: np.ndarray,
                     proposal: np.ndarray, proposal_size: np.ndarray, drawdowns_agreed: np.ndarray,
                     sanctions_imposed: np.ndarray, sanctions_ever: np.ndarray, washington_action: np.ndarray,
                     washington_posture: np.ndarray, changes: np.ndarray, trigger_government: np.ndarray,
                     trigger_washington: np.ndarray, trigger_tehran: np.ndarray, trigger_factions: np.ndarray,
                     human: np.ndarray, forced: np.ndarray, revise: np.ndarray, chosen: np.ndarray,
                     values: np.ndarray, available: np.ndarray, flags: np.ndarray, data: np.ndarray) -> None:
    """`stage_washington` for the runs lo..hi-1; `chosen` gets each revising run's posture or move,
    `flags` its events, `data` the troops they name (agreed, offered, package)."""
    n = _N_WASHINGTON
    probs = np.empty(n)
    u = np.empty(n)
    avail = np.empty(n, dtype=np.bool_)
    look = np.empty(_N_OUTLOOK)
    for i in range(lo, hi):
        pr, key = at(par, i), keys[i]
        initial = pr[K.W_INITIAL_TROOPS]
        posture = washington_posture[i]
        # the postures' openness does not depend on a deal
        views.washington_open_of(pr, troops[i], us_withdrawing[i], outcome[i], request_state[i], drawdowns_agreed[i],
                                 proposal[i], sanctions_imposed[i], 0.0, avail)
        any_open = False
        for k in range(n):
            any_open = any_open or avail[k]
        triggered = ((trigger_washington[i] or not avail[max(posture, 0)] or forced[i] >= 0) and any_open
                     and not human[i])
        may, mass = opportunity(key, step, pids[0], pr[K.WA_REVISION_RATE], pr[K.STEP_DAYS], pr[K.WASHINGTON_RING],
                                triggered, human[i],
                                forced[i])
        may = may and any_open  # a proposal or an offer needs troops there, as the postures do
        revise[i] = may
        trigger_washington[i] = False
        if not may:
            continue
        share, rate = views.pm_rate_of(pr, caretaker[i], pm_majority[i], protests[i])
        stance = pr[K.G_PM_WEIGHT] * pm_position[i] + (1.0 - pr[K.G_PM_WEIGHT]) * collective_stance[i]
        active = request_state[i] == RequestState.ACTIVE
        days_since = float(day - request_day[i]) if active else 0.0
        views.outlook_of(pr, day, troops[i], troop_target[i], isis[i], influence[i], tension[i], request_state[i],
                         request_day[i], us_withdrawing[i], outcome[i], stance, belief[i], linkage_level[i],
                         mandate[i], rate, look)
        package, package_avoided = views.retraction_deal_of(pr, look, days_since, troops[i], troop_target[i], stance,
                                                            us_withdrawing[i], sanctions_imposed[i], belief[i],
                                                            linkage_level[i], mandate[i])
        can_request = (request_state[i] == RequestState.NONE and troops[i] > 0 and not us_withdrawing[i]
                       and outcome[i] == UNDECIDED)
        views.washington_values_of(pr, look, package, package_avoided, share, rate, days_since, troops[i],
                                   troop_target[i], stance, request_state[i], us_withdrawing[i], sanctions_imposed[i],
                                   belief[i], linkage_level[i], mandate[i], influence[i], threat_level[i], posture,
                                   proposal_size[i], can_request, u)
        deal_size = look[views.O_DEAL_SIZE]
        views.washington_open_of(pr, troops[i], us_withdrawing[i], outcome[i], request_state[i], drawdowns_agreed[i],
                                 proposal[i], sanctions_imposed[i], deal_size, avail)
        picked = revised(u, avail, pr[K.LAM_WASHINGTON], posture, mass, triggered, key, step, pids[1], pids[2],
                         forced[i], human[i], probs)
        a = -1 if picked == posture else picked  # kept its posture: no move
        chosen[i] = picked
        if record:
            values[i, :] = u
            available[i, :] = avail
        if a >= 0:
            washington_action[i] = a

        # postures; Baghdad reads a change of posture as a signal of resolve (F22), and a
        # request left unpunished when Washington had the chance as a bluff being called
        is_posture = (a == WashingtonAction.REASSURE or a == WashingtonAction.THREATEN_SANCTIONS
                      or a == WashingtonAction.LINK_ISSUES or a == WashingtonAction.WITHDRAW_ON_SCHEDULE
                      or a == WashingtonAction.NEGOTIATE_RETRACTION or a == WashingtonAction.STAY)
        changed = is_posture and a != posture
        flags[i, _W_THREATEN] = changed and a == WashingtonAction.THREATEN_SANCTIONS
        flags[i, _W_LINK] = changed and a == WashingtonAction.LINK_ISSUES
        flags[i, _W_REASSURE] = changed and a == WashingtonAction.REASSURE
        flags[i, _W_STAYS] = changed and a == WashingtonAction.STAY
        if changed:
            changes[i] += 1
        if is_posture:
            washington_posture[i] = a
        if changed and (a == WashingtonAction.REASSURE or a == WashingtonAction.THREATEN_SANCTIONS
                        or a == WashingtonAction.LINK_ISSUES):
            belief[i] = transitions.belief_after_posture(belief[i], a == WashingtonAction.THREATEN_SANCTIONS,
                                                         pr[K.SA_RESOLUTE_SIGNAL], pr[K.SA_BLUFF_SIGNAL])
        if (active and not sanctions_imposed[i] and a != WashingtonAction.IMPOSE_SANCTIONS
                and pr[K.OVERRIDE] == -1.0):
            belief[i] = transitions.belief_after_restraint(belief[i], pr[K.SA_FOLLOW_THROUGH])

        # Baghdad's proposal: accepted, or turned down by any other answer
        asked = proposal[i] == Proposal.BAGHDAD_DRAWDOWN
        size = proposal_size[i] if proposal_size[i] >= 0 else deal_size
        accept = a == WashingtonAction.ACCEPT_PROPOSAL and size > 0
        flags[i, _W_PROPOSAL_REJECTED] = asked and not accept
        if asked:
            proposal[i] = Proposal.NONE
            proposal_size[i] = -1.0
        if accept:
            flags[i, _W_DRAWDOWN_AGREED] = True
            agreed(troop_target, drawdowns_agreed, trigger_tehran, trigger_factions, i, size * initial)
            data[i, 0] = troop_target[i]
        if a == WashingtonAction.OFFER_DRAWDOWN:
            flags[i, _W_DRAWDOWN_OFFERED] = True
            data[i, 1] = deal_size * initial
            proposal[i] = Proposal.WASHINGTON_DRAWDOWN
            proposal_size[i] = deal_size
            trigger_government[i] = True
        if a == WashingtonAction.NEGOTIATE_RETRACTION:
            flags[i, _W_RETRACTION_OFFERED] = True
            data[i, 2] = package * initial
            proposal[i] = Proposal.RETRACTION_PACKAGE
            proposal_size[i] = package
            trigger_government[i] = True
        if a == WashingtonAction.WITHDRAW_ON_SCHEDULE:
            flags[i, _W_WITHDRAWAL_DECIDED] = True
            us_withdrawing[i] = True
            troop_target[i] = 0.0
            trigger_tehran[i] = True
            trigger_government[i] = True
        if a == WashingtonAction.IMPOSE_SANCTIONS:
            flags[i, _W_IMPOSED] = True
            imposed(sanctions_imposed, sanctions_ever, belief, trigger_government, trigger_factions, trigger_tehran,
                    trigger_washington, i)
        if a == WashingtonAction.LIFT_SANCTIONS:
            flags[i, _W_LIFTED] = True
            sanctions_imposed[i] = False
            trigger_government[i] = True


def stage_washington(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Washington reconsiders its posture at its own rate and on trigger events (F20): before
    a formal request it reassures, threatens sanctions (F22) or links issues (F17), offers a
    drawdown or answers Baghdad's request for one (F5, F19); after it, it withdraws on
    schedule, negotiates a retraction or stays (F4, F21), and decides whether to impose its
    sanctions (F22, F23). Baghdad updates its belief in the threat on what it sees."""
    par, _ = packing.packed(p)
    n = len(WashingtonAction)
    revise = np.zeros(s.runs, dtype=np.bool_)
    values, available = _record(s.runs, n, events)
    flags = np.zeros((s.runs, 11), dtype=np.bool_)
    data = np.zeros((s.runs, 3))
    chosen = s.washington_posture.astype(np.int64)
    _washington_rows(0, s.runs, par, keys, draws.step_key(step), p.day(step), _WASHINGTON_PIDS, events is not None, s.troops,
                     s.troop_target, s.isis_threat, s.iran_influence, s.tension, s.protests, s.request_state,
                     s.request_day, s.us_withdrawing, s.outcome, s.pm_position, s.collective_stance, s.caretaker,
                     s.pm_majority, s.credibility_belief, s.linkage_level, s.threat_level, s.mandate, s.proposal,
                     s.proposal_size, s.drawdowns_agreed, s.sanctions_imposed, s.sanctions_ever, s.washington_action,
                     s.washington_posture, s.washington_posture_changes, s.trigger_government, s.trigger_washington,
                     s.trigger_tehran, s.trigger_factions, s.human_washington, s.forced_washington_action, revise,
                     chosen, values, available, flags, data)
    if events is not None:
        _decision(events, "washington", revise, values, available, chosen)
        for column, kind in _W_POSTURE_EVENTS:
            _emit(events, kind, flags[:, column])
        _emit(events, "proposal_rejected", flags[:, _W_PROPOSAL_REJECTED])
        _emit(events, "drawdown_agreed", flags[:, _W_DRAWDOWN_AGREED], troops=data[:, 0])
        _emit(events, "drawdown_offered", flags[:, _W_DRAWDOWN_OFFERED], troops=data[:, 1])
        _emit(events, "retraction_offered", flags[:, _W_RETRACTION_OFFERED], troops=data[:, 2])
        _emit(events, "withdrawal_decided", flags[:, _W_WITHDRAWAL_DECIDED])
        _emit(events, "sanctions_imposed", flags[:, _W_IMPOSED])
        _emit(events, "sanctions_lifted", flags[:, _W_LIFTED])


# ---------------------------------------------------------------- consequences
_TROOPS_GONE, _DEADLINE_PASSED = 0, 1


@kernel
def _consequences_rows(lo: int, hi: int, par: np.ndarray, day: int, troops: np.ndarray, troop_target: np.ndarray,
                       withdrawal_complete_day: np.ndarray, request_state: np.ndarray, iran_influence: np.ndarray,
                       sanctions_imposed: np.ndarray, tehran_pressure: np.ndarray, outcome: np.ndarray,
                       deadline_day: np.ndarray, trigger_tehran: np.ndarray, flags: np.ndarray,
                       data: np.ndarray) -> None:
    """`stage_consequences` for the runs lo..hi-1; `data` gets the troops a passed deadline found."""
    for i in range(lo, hi):
        pr = at(par, i)
        dt, pace = pr[K.STEP_DAYS], pr[K.PACE]
        had_troops = troops[i] > 0
        before = troops[i]
        troops[i] = transitions.troops_next(troops[i], troop_target[i], dt, pace)
        # the withdrawal a formal request asks for is complete when no troops are left (F4), on
        # the day within the step that the pace takes the last of them out
        if troops[i] <= 0.0 and withdrawal_complete_day[i] < 0 and request_state[i] == RequestState.ACTIVE:
            days_left = math.ceil(before / pace) if pace > 0 else 0.0  # no troops: no days
            withdrawal_complete_day[i] = int(min(day - dt + days_left, day))
        gone = had_troops and troops[i] <= 0.0
        flags[i, _TROOPS_GONE] = gone
        if gone:
            trigger_tehran[i] = True
        presence = transitions.presence_of(troops[i], pr[K.W_INITIAL_TROOPS])
        iran_influence[i] = transitions.influence_next(
            iran_influence[i], presence, sanctions_imposed[i], tehran_pressure[i], dt, pr[K.W_INFLUENCE_RATE],
            pr[K.W_INFLUENCE_BASE], pr[K.W_INFLUENCE_VACUUM_WEIGHT], pr[K.W_INFLUENCE_SANCTIONS_WEIGHT],
            pr[K.W_INFLUENCE_PRESSURE_WEIGHT])
        decided = outcome[i]
        outcome[i] = outcomes.decided_during_run(outcome[i], request_state[i], troops[i], day, deadline_day[i],
                                                 withdrawal_complete_day[i])
        flags[i, _DEADLINE_PASSED] = decided != outcome[i] and outcome[i] == Outcome.OCCUPATION
        data[i] = troops[i] if troops[i] > 0 else before


def stage_consequences(s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events = None) -> None:
    """Troops move at the withdrawal's pace (F4, F9), Iranian influence responds (F7, F23,
    F24), the clock is read (F4, F11)."""
    par, _ = packing.packed(p)
    flags = np.zeros((s.runs, 2), dtype=np.bool_)
    data = np.zeros(s.runs)
    _consequences_rows(0, s.runs, par, p.day(step), s.troops, s.troop_target, s.withdrawal_complete_day, s.request_state,
                       s.iran_influence, s.sanctions_imposed, s.tehran_pressure, s.outcome, s.deadline_day,
                       s.trigger_tehran, flags, data)
    if events is not None:
        _emit(events, "troops_gone", flags[:, _TROOPS_GONE])
        _emit(events, "deadline_passed", flags[:, _DEADLINE_PASSED], troops=data)


# ---------------------------------------------------------------- the whole step, compiled
#: the stages' codes in the compiled step (`STAGES` order)
_WORLD, _TEHRAN, _FACTIONS, _PARLIAMENT, _GOVERNMENT, _WASHINGTON, _CONSEQUENCES = range(7)


@kernel
def _step_rows(lo: int, hi: int, order: np.ndarray, par: np.ndarray, fac: np.ndarray, keys: np.ndarray,
               step: np.uint64, day: int, rule: int, faction_pids: np.ndarray, revise: np.ndarray,
               chosen: np.ndarray, flags: np.ndarray, data: np.ndarray, data1: np.ndarray, values: np.ndarray,
               available: np.ndarray,
               troops: np.ndarray, troop_target: np.ndarray, iran_influence: np.ndarray, isis_threat: np.ndarray,
               tension: np.ndarray, mobilisation: np.ndarray, protests: np.ndarray, threat_level: np.ndarray,
               linkage_level: np.ndarray, tehran_pressure: np.ndarray, credibility_belief: np.ndarray,
               stance: np.ndarray, position: np.ndarray, salience: np.ndarray, collective_stance: np.ndarray,
               mandate: np.ndarray, resolutions_passed: np.ndarray, last_resolution_day: np.ndarray,
               caretaker: np.ndarray, pm_position: np.ndarray, pm_majority: np.ndarray, pm_changes: np.ndarray,
               talks_requested: np.ndarray, request_state: np.ndarray, request_day: np.ndarray,
               deadline_day: np.ndarray, us_withdrawing: np.ndarray, withdrawal_complete_day: np.ndarray,
               outcome: np.ndarray, proposal: np.ndarray, proposal_size: np.ndarray, drawdowns_agreed: np.ndarray,
               sanctions_imposed: np.ndarray, sanctions_ever: np.ndarray, government_action: np.ndarray,
               washington_posture: np.ndarray, washington_action: np.ndarray, tehran_action: np.ndarray,
               trigger_government: np.ndarray, trigger_washington: np.ndarray, trigger_tehran: np.ndarray,
               trigger_factions: np.ndarray, government_posture_changes: np.ndarray,
               washington_posture_changes: np.ndarray, tehran_posture_changes: np.ndarray,
               factions_posture_changes: np.ndarray, human_government: np.ndarray, human_washington: np.ndarray,
               human_tehran: np.ndarray, forced_government_action: np.ndarray, forced_washington_action: np.ndarray,
               forced_tehran_action: np.ndarray) -> None:
    """One step of the runs lo..hi-1: the stages in `order` (their codes), each by the same
    kernel its stage function calls, with nothing recorded (`revise` to `available`:
    scratch space the stages write and nobody reads)."""
    for code in order:
        if code == _WORLD:
            _world_rows(lo, hi, par, fac, keys, step, troops, isis_threat, tension, protests, mobilisation,
                        threat_level, linkage_level, tehran_pressure, mandate, position, salience, tehran_action,
                        washington_posture, sanctions_imposed)
        elif code == _TEHRAN:
            _tehran_rows(lo, hi, par, keys, step, day, _TEHRAN_PIDS, troops, tension, iran_influence, request_state,
                         request_day, us_withdrawing, tehran_action, trigger_tehran, trigger_washington,
                         trigger_factions, tehran_posture_changes, human_tehran, forced_tehran_action, revise, False,
                         values, available)
        elif code == _FACTIONS:
            _faction_rows(lo, hi, par, fac, keys, step, 0, faction_pids.shape[0], faction_pids, tension, isis_threat,
                          troops, tehran_pressure, mobilisation, stance, position, salience, trigger_factions,
                          factions_posture_changes, revise, False, values)
            _collective_rows(lo, hi, rule, fac, position, salience, collective_stance, trigger_factions)
        elif code == _PARLIAMENT:
            _parliament_rows(lo, hi, par, fac, keys, step, day, troops, us_withdrawing, request_state,
                             last_resolution_day, mobilisation, protests, position, resolutions_passed, mandate,
                             caretaker, collective_stance, pm_position, pm_majority, pm_changes, trigger_government,
                             trigger_washington, trigger_tehran, flags, data)
        elif code == _GOVERNMENT:
            _government_rows(lo, hi, par, keys, step, day, _GOVERNMENT_PIDS, False, troops, troop_target,
                             isis_threat, iran_influence, tension, protests, request_state, request_day, deadline_day,
                             us_withdrawing, outcome, pm_position, collective_stance, caretaker, pm_majority,
                             credibility_belief, linkage_level, mandate, proposal, proposal_size, talks_requested,
                             drawdowns_agreed, sanctions_imposed, sanctions_ever, government_action,
                             government_posture_changes, trigger_government, trigger_washington, trigger_tehran,
                             trigger_factions, human_government, forced_government_action, revise, chosen, values,
                             available, flags, data)
        elif code == _WASHINGTON:
            _washington_rows(lo, hi, par, keys, step, day, _WASHINGTON_PIDS, False, troops, troop_target,
                             isis_threat, iran_influence, tension, protests, request_state, request_day,
                             us_withdrawing, outcome, pm_position, collective_stance, caretaker, pm_majority,
                             credibility_belief, linkage_level, threat_level, mandate, proposal, proposal_size,
                             drawdowns_agreed, sanctions_imposed, sanctions_ever, washington_action,
                             washington_posture, washington_posture_changes, trigger_government, trigger_washington,
                             trigger_tehran, trigger_factions, human_washington, forced_washington_action, revise,
                             chosen, values, available, flags, data)
        elif code == _CONSEQUENCES:
            _consequences_rows(lo, hi, par, day, troops, troop_target, withdrawal_complete_day, request_state,
                               iran_influence, sanctions_imposed, tehran_pressure, outcome, deadline_day,
                               trigger_tehran, flags, data1)


@kernel
def _step_all(order: np.ndarray, par: np.ndarray, fac: np.ndarray, keys: np.ndarray, step: np.uint64, day: int,
              rule: int, faction_pids: np.ndarray, f64: np.ndarray, i64: np.ndarray, i8: np.ndarray,
              flag: np.ndarray, stance: np.ndarray, position: np.ndarray, salience: np.ndarray) -> None:
    """`_step_rows` over every run, in one thread, on the state's storage (`State.storage()`:
    the (fields, R) arrays of `state.STORAGE`, whose rows `state.PLACE` names, and the (R, F)
    fields); tests/test_compiled_stages.py checks the rows below against `state.PLACE`."""
    runs = keys.shape[0]
    revise, chosen, flags, data, data1 = (np.zeros(runs, dtype=np.bool_), np.zeros(runs, dtype=np.int64),
                                          np.zeros((runs, 11), dtype=np.bool_), np.zeros((runs, 4)),
                                          np.zeros(runs))
    values, available = np.zeros((1, _N_WASHINGTON)), np.zeros((1, _N_WASHINGTON), dtype=np.bool_)
    _step_rows(0, runs, order, par, fac, keys, step, day, rule, faction_pids, revise, chosen, flags, data, data1,
               values, available,
               troops=f64[0], troop_target=f64[1], iran_influence=f64[2], isis_threat=f64[3], tension=f64[4],
               mobilisation=f64[5], protests=f64[6], threat_level=f64[7], linkage_level=f64[8],
               tehran_pressure=f64[9], credibility_belief=f64[10], stance=stance, position=position,
               salience=salience, collective_stance=f64[11], mandate=f64[12], resolutions_passed=i64[0],
               last_resolution_day=i64[1], caretaker=flag[0], pm_position=f64[13], pm_majority=flag[1],
               pm_changes=i64[2], talks_requested=flag[2], request_state=i8[0], request_day=i64[3],
               deadline_day=i64[4], us_withdrawing=flag[3], withdrawal_complete_day=i64[5], outcome=i8[1],
               proposal=i8[2], proposal_size=f64[14], drawdowns_agreed=i64[6], sanctions_imposed=flag[4],
               sanctions_ever=flag[5], government_action=i8[3], washington_posture=i8[4], washington_action=i8[5],
               tehran_action=i8[6], trigger_government=flag[6], trigger_washington=flag[7], trigger_tehran=flag[8],
               trigger_factions=flag[9], government_posture_changes=i64[7], washington_posture_changes=i64[8],
               tehran_posture_changes=i64[9], factions_posture_changes=i64[10], human_government=flag[10],
               human_washington=flag[11], human_tehran=flag[12], forced_government_action=i8[7],
               forced_washington_action=i8[8], forced_tehran_action=i8[9])


def compiled_step(p: ModelParams) -> bool:
    """Whether `run_step` can take a step of `p` in one compiled call: every stage of its
    step order is one `_step_rows` dispatches (a stage added to `STAGES` without a branch
    there runs by its stage function instead), and its collective rule is compiled (not
    `bdm`, which NumPy computes)."""
    return _plan(p)[3]


def run_step(s: State, p: ModelParams, step: int, keys: np.ndarray) -> None:
    """Step `step` of every run of `s`, every stage of `p.step_order`, in one compiled call
    (`compiled_step(p)`); the same numbers as the stage functions one after another."""
    par, fac = packing.packed(p)
    order, pids, rule, _ = _plan(p)
    _step_all(order, par, fac, keys, draws.step_key(step), p.day(step), rule, pids, *s.storage())


def stepper(s: State, p: ModelParams, keys: np.ndarray) -> Callable[[int], None]:
    """`run_step` bound to one state, params and stream keys: a function of the step alone,
    which saves a run of one (the Mesa model) the look-ups of every call. The state's storage
    arrays keep their identity (setting a field writes into them), so the binding holds for
    the state's life. Only for params whose step is compiled (`compiled_step`)."""
    par, fac = packing.packed(p)
    order, pids, rule, compiled = _plan(p)
    if not compiled:
        raise ValueError("stepper: this step order or collective rule is not compiled (compiled_step is false)")
    storage = s.storage()
    day = p.day

    def step(week: int) -> None:
        _step_all(order, par, fac, keys, draws.step_key(week), day(week), rule, pids, *storage)

    return step


def _plan(p: ModelParams) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """The stage codes of `p.step_order`, the factions' purpose ids (F, 3), the collective
    rule's code and `compiled_step(p)`, once per params object."""
    cached = p.__dict__.get("_step_plan")
    if cached is None:
        order = np.array([STAGES[STAGE_NAMES.index(name)].code for name in p.step_order], dtype=np.int64)
        pids = np.array([_pids(f"faction.{name}") for name in p.factions.names], dtype=np.uint64).reshape(-1, 3)
        rule = _rule_code(p)
        cached = (order, pids, rule, rule >= 0 and bool(np.all(order >= 0)))
        object.__setattr__(p, "_step_plan", cached)
    return cached


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
    #: its branch in the one-call step (`_step_rows`), or -1: the stage function runs instead
    code: int = -1


STAGES: tuple[Stage, ...] = (
    Stage("world", stage_world, code=_WORLD),
    Stage("tehran", stage_tehran, actor="tehran", code=_TEHRAN),
    Stage("factions", stage_factions, actor="factions", each=faction_step, then=update_collective, code=_FACTIONS),
    Stage("parliament", stage_parliament, code=_PARLIAMENT),
    Stage("government", stage_government, actor="government", code=_GOVERNMENT),
    Stage("washington", stage_washington, actor="washington", code=_WASHINGTON),
    Stage("consequences", stage_consequences, code=_CONSEQUENCES),
)
#: the stage names, in the default step order (`step_order` in the config may permute them)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)
STAGE_BY_NAME: dict[str, Stage] = {stage.name: stage for stage in STAGES}
