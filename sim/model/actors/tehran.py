"""Tehran (F7, F12, F16, F23, F24): wants US forces out and more influence; presses its
allies in parliament, escalates through proxies against US forces, or restrains them.

Its postures stand between revisions, at its own rate and on trigger events (a strike or an
escalation, a new PM, a formal request, the last troops gone); a posture that is no longer
open (escalating once no US troops are left) is left at once. A posture's value is its flow
per week over the weeks it is expected to stand, plus the switching cost saved by keeping
the current one. Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Optional

import numpy as np

from .. import packing as K
from .. import payoffs, transitions
from ..compiled import kernel
from ..declare import INF, Events, Field, decision_fields, optional_param, param, per_day, setting
from ..outcomes import RequestState
from .base import Actor, purpose_ids, totals


class TehranAction(IntEnum):
    """Tehran's postures (F12, F16)."""

    RESTRAIN = 0
    PRESS_FACTIONS = 1
    ESCALATE = 2


@dataclass
class TehranConfig:
    PREFIX: ClassVar[str] = "TE"
    influence_weight: float = param(1.0, 0.0, 5.0, "F7, F24", "Tehran's gain per unit of influence")
    departure_weight: float = param(1.0, 0.0, 5.0, "F16, F24", "Tehran's gain per week from pushing US forces out")
    pressure_influence: float = param(0.05, 0.0, 1.0, "F16; assumption", "influence gained per week by pressing aligned factions")
    press_cost: float = param(0.1, 0.0, 2.0, "F14; assumption", "cost per week of pressing factions (backlash)")
    escalation_rate: float = param(0.02, 0.0, 1.0, "F12", "rate per day at which proxy escalation raises tension")
    escalation_cost: float = param(1.0, 0.0, 5.0, "F12; assumption", "risk of a US response per week, per squared tension")
    pressure_decay: float = param(per_day(0.3), 0.0, 1.0, "assumption", "fading rate per day of Tehran's pressure once it stops pressing")
    initial_pressure: float = param(0.8, 0.0, 1.0, "F12, F16; assumption", "Tehran's pressure right after al-Muhandis's death")
    initial_posture: str = setting("press_factions", "Tehran's posture in January 2020: restrain | press_factions | escalate", "F12, F16")
    clock_weight: float = param(1.0, 0.0, 5.0, "F11, F16; assumption", "rise of pushing's value as a request's year runs out")
    revision_rate: float = param(round(1 / 30, 6), 0.0, 1.0, "assumption", "how often per day Tehran reconsiders its posture (monthly)")
    switching_cost: float = param(0.2, 0.0, 50.0, "assumption", "one-off cost of changing posture")
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "Tehran's logit rationality; null = behaviour.rationality")


def _posture(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return np.full(runs, TehranAction[str(p.tehran.initial_posture).upper()], dtype=np.int8)


def _pressure(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return np.full(runs, p.tehran.initial_pressure, dtype=np.float64)


FIELDS: tuple[Field, ...] = (
    Field("tehran_pressure", np.float64, _pressure, "Tehran's pressure on its allies, faded once it stops pressing (F16)", trajectory=True),
    # the strike calls for a response at once (F12)
    *decision_fields("tehran", _posture, action_doc="its standing posture (TehranAction)", triggered_at_start=True),
)

#: the named parts of Tehran's values, each a flow per week over the weeks a posture stands
TERMS = ("pushing US forces out through its allies (F16)", "influence it gains (F24)", "the cost of pressing (F14)",
         "raising the cost of US presence (F12)", "the risk of a US response (F12)", "keeping its course")
_PUSH_ALLIES, _INFLUENCE, _PRESS_COST, _RAISE_COST, _RESPONSE, _KEEP = range(len(TERMS))

EVENTS = Events(("tehran_press", "tehran_escalate", "tehran_restrain"),
                postures=(("tehran_press", "press_factions"), ("tehran_escalate", "escalate"),
                          ("tehran_restrain", "restrain")))
_PRESS, _ESCALATE, _RESTRAIN = (EVENTS.flag(k) for k in EVENTS.kinds)

TEXTS = {
    "tehran_press": "Tehran presses its allies in parliament to push the Americans out [F16].",
    "tehran_escalate": "Iran-aligned groups escalate against US forces; tension rises [F12].",
    "tehran_restrain": "Tehran restrains its proxies and eases the pressure [F12].",
}


@kernel(inline=True)
def open_of(troops: float, avail: np.ndarray) -> None:
    """Tehran's open postures: escalation needs US forces to escalate against."""
    avail[0] = True
    avail[1] = True
    avail[2] = troops > 0


@kernel(inline=True)
def occasion(pr: np.ndarray, avail: np.ndarray, troops: float, tehran_action: int, trigger_tehran: bool,
             human_tehran: bool, forced_tehran_action: int) -> tuple[bool, float, float, int, bool]:
    """Whether Tehran revises on a trigger (one waiting, a standing posture no longer open, a
    player's move), its clock's rate and chance of ringing within the step, its status quo."""
    open_of(troops, avail)
    triggered = ((trigger_tehran or not avail[max(tehran_action, 0)] or forced_tehran_action >= 0) and not human_tehran
                 and pr[K.RIVAL_ACTIVE] != 0.0)  # a case without a rival (`case.rival` null): it never moves
    return (triggered, pr[K.TE_REVISION_RATE] * pr[K.RIVAL_ACTIVE], pr[K.TEHRAN_RING] * pr[K.RIVAL_ACTIVE],
            int(tehran_action), True)


@kernel(inline=True)
def weigh(pr: np.ndarray, day: int, u: np.ndarray, avail: np.ndarray, terms: np.ndarray, troops: float, tension: float,
          iran_influence: float, request_state: int, request_day: int, us_withdrawing: bool, tehran_action: int) -> None:
    """Tehran's values of restrain, press factions, escalate (F7, F12, F16, F24), as terms.

    Tehran gains with influence and with US departure. Pressing aligned factions (F16)
    pushes Baghdad toward asking US forces to leave, in proportion to their seat share and
    to the pressure that would fade by its next revision without it (pressure that lasts
    needs less pressing: `pressure_lost`), while Baghdad's decision is open; once a formal
    request stands the decision is Washington's (F21: the US 'cannot impose its troops'),
    and what moves it is the cost of presence. Pressing adds influence where there is room
    for it (1 - influence). Escalating through proxies raises the cost of US presence but
    risks a US response, a cost that grows with the tension it creates (the January
    strike, F12). How much pushing still matters (`payoffs.departure_stake`): nothing once
    US forces are leaving, more as a request's clock runs out."""
    active = request_state == RequestState.ACTIVE
    days_since = float(day - request_day) if active else 0.0
    stake = payoffs.departure_stake(active, us_withdrawing, days_since, pr[K.TE_CLOCK_WEIGHT], pr[K.L_NOTICE_DAYS])
    presence = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    push = pr[K.TE_DEPARTURE_WEIGHT] * presence * stake
    weeks = pr[K.TEHRAN_WEEKS]
    step_up = pr[K.ESCALATION_STEP]
    heat = tension + step_up
    open_decision = 0.0 if active else 1.0
    terms[TehranAction.PRESS_FACTIONS, _PUSH_ALLIES] = (push * pr[K.ALIGNED_SHARE] * pr[K.PRESSURE_LOST]
                                                        * open_decision * weeks)
    terms[TehranAction.PRESS_FACTIONS, _INFLUENCE] = (pr[K.TE_INFLUENCE_WEIGHT] * pr[K.TE_PRESSURE_INFLUENCE]
                                                      * (1.0 - iran_influence) * weeks)
    terms[TehranAction.PRESS_FACTIONS, _PRESS_COST] = -pr[K.TE_PRESS_COST] * weeks
    terms[TehranAction.ESCALATE, _RAISE_COST] = push * step_up * weeks
    terms[TehranAction.ESCALATE, _RESPONSE] = -pr[K.TE_ESCALATION_COST] * (heat * heat) * weeks
    for k in range(3):
        terms[k, _KEEP] = pr[K.TE_SWITCHING_COST] * (1.0 if k == tehran_action else 0.0)
    totals(terms, u)
    open_of(troops, avail)


@kernel(inline=True)
def act(i: int, a: int, flags: np.ndarray, tehran_action: np.ndarray, tehran_posture_changes: np.ndarray,
          trigger_washington: np.ndarray, trigger_factions: np.ndarray) -> None:
    """Tehran's new posture; an escalation is a strike-like shock the others answer (F12)."""
    if a != tehran_action[i]:
        tehran_posture_changes[i] += 1
        flags[i, _PRESS] = a == TehranAction.PRESS_FACTIONS
        flags[i, _ESCALATE] = a == TehranAction.ESCALATE
        flags[i, _RESTRAIN] = a == TehranAction.RESTRAIN
        if a == TehranAction.ESCALATE:
            trigger_washington[i] = True
            trigger_factions[i] = True
    tehran_action[i] = a


#: each action in plain words, for players: a label, what it does, its fact ids, when it is open and its
#: kind (posture, move or wait); read through `sim.model.action_texts.action_text`
ACTION_TEXTS: dict[str, dict[str, str]] = {
    "restrain": {
        "label": "Restrain your allies",
        "does": "Hold your proxies back and ease the pressure: tension falls, and so does the push on US forces.",
        "facts": "F12", "open_when": "always", "kind": "posture",
        "standing": "restraining its proxies"},
    "press_factions": {
        "label": "Press your allies in parliament",
        "does": "Push Shia parties and PMU leaders to demand the US exit: they lean harder towards withdrawal and "
                "your influence grows, at a cost.",
        "facts": "F16, F24", "open_when": "always", "kind": "posture",
        "standing": "pressing its allies in parliament"},
    "escalate": {
        "label": "Escalate through proxies",
        "does": "Iran-aligned groups strike at US forces: the US presence costs more and tension rises, with the "
                "risk of a US response.",
        "facts": "F12", "open_when": "always", "kind": "posture",
        "standing": "escalating through proxies"},
}

PIDS = purpose_ids("tehran")

ACTOR = Actor(
    "tehran", "world", "Tehran", TehranAction, "F7, F12, F16, F23, F24", FIELDS, sections=(("tehran", TehranConfig),),
    occasion=occasion, weigh=weigh, act=act, terms=TERMS, events=EVENTS, texts=TEXTS,
    action_texts=ACTION_TEXTS,
    posture_field="tehran_action", role="tehran", clock="tehran.revision_rate",
    brief=("You are the Iranian leadership. The strike that killed Soleimani (F12) gives you a cause: you restrain "
           "your allies, press them in parliament (F16) or escalate through proxies against US forces (F12). US "
           "departure and Iranian influence are your aims (F7, F24); escalation risks a US response."),
)
