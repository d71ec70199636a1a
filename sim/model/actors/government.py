"""The government, i.e. the prime minister (F4, F5, F10, F11, F13, F15): the only actor who
can make a formal request (F10). It starts as a caretaker who defers to a future government
(F13); government formation (`sim.model.parliament`) can replace it, sometimes with a very
anti-American PM with a parliamentary majority (F15).

It reconsiders its course when its own clock rings, at a rate the institutions set (a base
pace F15, cut by caretaker deference F13 and by the protests F14, fast for a PM with a
majority F15), or, if it takes the chance, on a trigger event. It waits, asks Washington for
talks on a drawdown (a proposal, F5), makes the formal request that starts the one-year
clock (F4, F10), takes it back (with Washington's package if one waits, F19) or accepts a
drawdown Washington has offered. Each move is valued against waiting, in weeks of payoff
(`sim.model.outlook`). Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Optional

import numpy as np

from .. import draws, payoffs, transitions, valuation
from .. import outlook as O
from .. import packing as K
from ..choice import move_chance
from ..compiled import kernel
from ..declare import INF, Events, Field, Summary, decision_fields, optional_param, param, setting
from ..legal import Proposal, agreed, can_request, imposed
from ..outcomes import UNDECIDED, RequestState
from .base import Actor, purpose_ids, totals


class GovernmentAction(IntEnum):
    """The prime minister's moves (F4, F5, F10, F19). `WAIT` keeps its course; the others are
    one-off moves: ask Washington for talks on a drawdown (a proposal, F5), make the formal
    request that starts the one-year clock (F4, F10), take it back (with Washington's
    package if one is on the table, F19), or accept a drawdown Washington has offered."""

    WAIT = 0
    ASK_NEGOTIATIONS = 1
    FORMAL_REQUEST = 2
    WITHDRAW_REQUEST = 3
    ACCEPT_OFFER = 4


@dataclass
class GovernmentConfig:
    PREFIX: ClassVar[str] = "G"
    initially_caretaker: bool = setting(True, "Abdul Mahdi resigned and governs as caretaker", "F11")
    negotiations_requested: bool = setting(True, "the caretaker has asked Pompeo for a delegation to plan withdrawal (a proposal for talks, not a formal request), waiting for Washington's answer", "F5")
    initial_position: float = param(0.6, 0.0, 1.0, "F5; assumption", "caretaker PM's stance: asked for a delegation to plan withdrawal")
    salience: float = param(1.5, 0.0, 5.0, "assumption", "PM's payoff per week per unit of distance between its stance and the withdrawal it gets")
    pm_weight: float = param(0.7, 0.0, 1.0, "F13, F15; assumption", "weight of the PM's own stance against parliament's collective stance")
    escalation_cost: float = param(2.0, 0.0, 50.0, "F19", "one-off cost of a public, 'knee-jerk' escalation: the formal request")
    mandate_weight: float = param(2.0, 0.0, 50.0, "F12, F13", "one-off weight of parliament's resolution as a mandate to act (and a cost of defying it)")
    retraction_cost: float = param(0.14, 0.0, 5.0, "F16, F19; Fearon (1994) audience costs; assumption", "lasting cost to the PM per week of having taken a formal request back: standing lost by backing down in public")
    street_weight: float = param(0.28, 0.0, 5.0, "F18; assumption", "that cost's rise per week per unit of street mobilisation (the crowds that marched for withdrawal)")
    base_revision_rate: float = param(round(1 / 21, 6), 0.0, 1.0, "F15; assumption", "how often per day a confirmed government reconsiders its course (every three weeks)")
    caretaker_deference: float = param(0.8, 0.0, 1.0, "F13", "share of its chances to act a caretaker lets pass")
    protest_drain: float = param(0.5, 0.0, 1.0, "F14", "share of its chances to act anti-corruption protests can drain")
    majority_revision_rate: float = param(round(1 / 7, 6), 0.0, 1.0, "F15; assumption", "how often per day a PM with a parliamentary majority reconsiders (weekly)")
    formation_rate: float = param(0.0043, 0.0, 1.0, "F13, F15; assumption", "hazard per day that a new government is confirmed (mean about 8 months)")
    p_anti_american_pm: float = param(0.1, 0.0, 1.0, "F15; assumption", "chance the new PM is very anti-American with a majority")
    anti_american_position: float = param(0.95, 0.0, 1.0, "F15", "stance of such a PM")
    collapse_rate: float = param(0.000286, 0.0, 1.0, "F14; assumption", "hazard per day (per unit of protests) that a confirmed government falls")
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "the PM's logit rationality; null = behaviour.rationality")


def _of(name: str, dtype: type) -> Any:
    return lambda p, runs, so_far: np.full(runs, getattr(p.government, name), dtype=dtype)


def _first_move(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return np.full(runs, GovernmentAction.ASK_NEGOTIATIONS if p.government.negotiations_requested else -1, dtype=np.int8)


FIELDS: tuple[Field, ...] = (
    Field("caretaker", np.bool_, _of("initially_caretaker", np.bool_), "the PM governs as caretaker (F11, F13)", trajectory=True),
    Field("pm_position", np.float64, _of("initial_position", np.float64), "the PM's own stance (F5, F15)", trajectory=True),
    Field("pm_majority", np.bool_, False, "the PM has a parliamentary majority behind it (F15)", trajectory=True),
    Field("pm_changes", np.int64, 0, "new prime ministers confirmed (F13, F15)", summary=Summary("pm_changes"), trajectory=True),
    Field("request_by_caretaker", np.bool_, False, "the first formal request was made by a caretaker PM (F13)",
          summary=Summary("request_by_caretaker")),
    Field("talks_requested", np.bool_, _of("negotiations_requested", np.bool_), "the PM has asked for talks (F5)", trajectory=True),
    *decision_fields("government", _first_move, action_doc="its last move (GovernmentAction)", triggered_at_start=False,
                     posture_changes_doc="the moves it made"),
)

TERMS = (
    "the drawdown talks could win (F5)", "the linked support on the table while talks last (F17)",
    "the withdrawal it would bring (F4)", "the sanctions Baghdad expects (F22)",
    "the linked US support put at risk (F17)", "a public escalation (F19)", "parliament's mandate (F12)",
    "the withdrawal it keeps or gives up (F4, F19)", "sanctions relief and the linked support restored (F17, F22)",
    "defying parliament (F12)", "the drawdown offered (F5, F19)", "what pressing on alone is worth (F4)",
    "backing down before the street (F16, F18, F19)",
)
(_TALKS_WIN, _TALKS_LINKAGE, _GAIN, _SANCTIONS, _LINKAGE, _ESCALATION, _MANDATE, _KEPT, _RESTORED, _DEFIED,
 _OFFERED, _PRESSING, _BACKDOWN) = range(len(TERMS))

EVENTS = Events(
    ("offer_rejected", "package_rejected", "ask_negotiations", "drawdown_agreed", "formal_request",
     "sanctions_imposed", "request_withdrawn", "sanctions_lifted"),
    data=("proposed", "asked", "agreed", "package", "deadline_day"),
    carries=(("offer_rejected", (("troops", "proposed"),)), ("package_rejected", (("troops", "proposed"),)),
             ("ask_negotiations", (("troops", "asked"),)), ("drawdown_agreed", (("troops", "agreed"),)),
             ("formal_request", (("deadline_day", "deadline_day"),)), ("request_withdrawn", (("package", "package"),))),
    moves=("ask_negotiations", "formal_request", "request_withdrawn"),
)
(_OFFER_REJECTED, _PACKAGE_REJECTED, _ASK_NEGOTIATIONS, _DRAWDOWN_AGREED, _FORMAL_REQUEST, _IMPOSED,
 _REQUEST_WITHDRAWN, _LIFTED) = (EVENTS.flag(k) for k in EVENTS.kinds)
_PROPOSED, _ASKED, _AGREED, _PACKAGE, _DEADLINE = (EVENTS.column(c) for c in EVENTS.data)

TEXTS = {
    "ask_negotiations": "The prime minister asks Washington for talks on a drawdown of about {troops:,.0f} troops: a proposal, not a formal request [F5].",
    "offer_rejected": "Baghdad turns down Washington's offer to draw down about {troops:,.0f} troops [F5].",
    "formal_request": "Baghdad formally asks US forces to leave under the 2014 notes; the one-year clock starts, deadline {deadline} [F4, F10].",
    "request_withdrawn": "Baghdad takes the formal request back{package} [F19].",
    "package_rejected": "Baghdad turns down Washington's package for taking the request back [F19].",
}

_PID_RESPOND = draws.purpose_key("government.respond")
_WAIT = int(GovernmentAction.WAIT)


@kernel(inline=True)
def open_of(pr: np.ndarray, troops: float, request_state: int, outcome: int, proposal: int, us_withdrawing: bool,
            deal_size: float, avail: np.ndarray) -> None:
    """The PM's open moves (F4, F5, F10, F19): talks on a drawdown while no request has been
    made and there is a drawdown both sides could agree (`deal_size`), the formal request
    while it can be made (`legal.can_request`: while US troops are there and not already
    leaving; again after a retraction unless the scenario makes retractions final), taking
    it back while it stands, accepting an offer that waits."""
    none = request_state == RequestState.NONE and outcome == UNDECIDED and troops > 0
    avail[0] = True
    avail[1] = none and proposal == Proposal.NONE and not us_withdrawing and deal_size > 0
    avail[2] = can_request(pr, request_state, troops, us_withdrawing, outcome)
    avail[3] = request_state == RequestState.ACTIVE and outcome == UNDECIDED
    avail[4] = none and proposal == Proposal.WASHINGTON_DRAWDOWN


@kernel(inline=True)
def occasion(pr: np.ndarray, i: int, key: np.uint64, caretaker: np.ndarray, pm_majority: np.ndarray,
             protests: np.ndarray, trigger_government: np.ndarray, human_government: np.ndarray,
             forced_government_action: np.ndarray) -> tuple[bool, float, float, int, bool]:
    """A trigger is an opportunity the PM takes with its responsiveness (F13, F14, F15); a
    player always acts. Its clock's rate is set by the institutions; its status quo is waiting."""
    share, rate = O.pm_rate_of(pr, caretaker[i], pm_majority[i], protests[i])
    responds = trigger_government[i] and draws.uniform_of(key, _PID_RESPOND) < share
    triggered = (responds or forced_government_action[i] >= 0) and not human_government[i]
    return triggered, rate, valuation.chance_within(rate, pr[K.STEP_DAYS]), _WAIT, True


@kernel(inline=True)
def weigh(pr: np.ndarray, i: int, day: int, u: np.ndarray, avail: np.ndarray, look: np.ndarray, terms: np.ndarray,
         troops: np.ndarray, troop_target: np.ndarray, isis_threat: np.ndarray, iran_influence: np.ndarray,
         tension: np.ndarray, protests: np.ndarray, request_state: np.ndarray, request_day: np.ndarray,
         us_withdrawing: np.ndarray, outcome: np.ndarray, pm_position: np.ndarray, collective_stance: np.ndarray,
         caretaker: np.ndarray, pm_majority: np.ndarray, credibility_belief: np.ndarray, linkage_level: np.ndarray,
         mandate: np.ndarray, proposal: np.ndarray, proposal_size: np.ndarray,
         sanctions_imposed: np.ndarray, mobilisation: np.ndarray) -> None:
    """The PM's values of wait, ask for talks on a drawdown, make the formal request, take it
    back, accept Washington's offer, each against waiting and each the sum of its terms, and
    which are open; `look` gets the outlook both sides share (`outlook.outlook_of`)."""
    _, rate = O.pm_rate_of(pr, caretaker[i], pm_majority[i], protests[i])
    stance = O.stance_of(pr, pm_position[i], collective_stance[i])
    active = request_state[i] == RequestState.ACTIVE
    days_since = float(day - request_day[i]) if active else 0.0
    O.outlook_of(pr, day, troops[i], troop_target[i], isis_threat[i], iran_influence[i], tension[i], request_state[i],
                 request_day[i], us_withdrawing[i], outcome[i], stance, credibility_belief[i], linkage_level[i],
                 mandate[i], rate, look)
    committed = 1.0 - transitions.presence_of(troop_target[i], pr[K.W_INITIAL_TROOPS])
    size, conflict = look[O.O_DEAL_SIZE], look[O.O_DEAL_CONFLICT_B]
    # ask for talks: the drawdown Washington would accept (its logit chance), against the linked
    # support on the table while the talks last (F5, F17)
    accept_w = move_chance(look[O.O_DEAL_AVOIDED_W] - look[O.O_DEAL_PER_UNIT_W] * size, pr[K.LAM_WASHINGTON]) * (
        1.0 if size > 0 else 0.0)
    talks_weeks = valuation.weeks_within(O.INF_DAYS, rate + pr[K.B_DISCOUNT_RATE])
    terms[GovernmentAction.ASK_NEGOTIATIONS, _TALKS_WIN] = accept_w * O.deal_gain_of(pr, stance, committed, size,
                                                                                      conflict)
    terms[GovernmentAction.ASK_NEGOTIATIONS, _TALKS_LINKAGE] = -(pr[K.LINKAGE_EXPOSURE] * linkage_level[i] * talks_weeks)
    # the formal request (F4, F10, F12, F17, F19, F22)
    lead = transitions.presence_of(troops[i], pr[K.W_INITIAL_TROOPS]) * pr[K.WA_WITHDRAWAL_DAYS]
    (terms[GovernmentAction.FORMAL_REQUEST, _GAIN], terms[GovernmentAction.FORMAL_REQUEST, _SANCTIONS],
     terms[GovernmentAction.FORMAL_REQUEST, _LINKAGE], terms[GovernmentAction.FORMAL_REQUEST, _ESCALATION],
     terms[GovernmentAction.FORMAL_REQUEST, _MANDATE]) = payoffs.request_parts_of(
        stance, committed, pr[K.G_SALIENCE], look[O.O_LEAVE_DAY], lead, credibility_belief[i], pr[K.SA_MAGNITUDE],
        pr[K.SANCTIONS_EXPOSURE], pr[K.LINKAGE_EXPOSURE], linkage_level[i], mandate[i], pr[K.B_DISCOUNT_RATE],
        pr[K.WEEKS_AHEAD], pr[K.G_ESCALATION_COST], pr[K.G_MANDATE_WEIGHT])
    # taking it back, with Washington's package if one waits (F17, F19, F22)
    if active:
        package = proposal_size[i] if proposal[i] == Proposal.RETRACTION_PACKAGE else 0.0
        (terms[GovernmentAction.WITHDRAW_REQUEST, _KEPT], terms[GovernmentAction.WITHDRAW_REQUEST, _RESTORED],
         terms[GovernmentAction.WITHDRAW_REQUEST, _DEFIED],
         terms[GovernmentAction.WITHDRAW_REQUEST, _BACKDOWN]) = O.retraction_parts_of(
            pr, package, look[O.O_LEAVE_DAY], days_since, troops[i], troop_target[i], stance, us_withdrawing[i],
            sanctions_imposed[i], credibility_belief[i], linkage_level[i], mandate[i], mobilisation[i])
    # accepting Washington's offer (F5, F19)
    offered = proposal_size[i] if proposal[i] == Proposal.WASHINGTON_DRAWDOWN else 0.0
    terms[GovernmentAction.ACCEPT_OFFER, _OFFERED], terms[GovernmentAction.ACCEPT_OFFER, _PRESSING] = O.deal_parts_of(
        pr, stance, committed, offered, conflict)
    totals(terms, u)
    open_of(pr, troops[i], request_state[i], outcome[i], proposal[i], us_withdrawing[i], size, avail)


@kernel(inline=True)
def act(pr: np.ndarray, i: int, day: int, a: int, look: np.ndarray, flags: np.ndarray, data: np.ndarray,
          troops: np.ndarray, troop_target: np.ndarray, request_state: np.ndarray, request_day: np.ndarray,
          first_request_day: np.ndarray, requests_made: np.ndarray, caretaker: np.ndarray,
          request_by_caretaker: np.ndarray,
          deadline_day: np.ndarray, us_withdrawing: np.ndarray, credibility_belief: np.ndarray,
          proposal: np.ndarray, proposal_size: np.ndarray, talks_requested: np.ndarray,
          drawdowns_agreed: np.ndarray, sanctions_imposed: np.ndarray, sanctions_ever: np.ndarray,
          government_action: np.ndarray, government_posture_changes: np.ndarray, trigger_government: np.ndarray,
          trigger_washington: np.ndarray, trigger_tehran: np.ndarray, trigger_factions: np.ndarray) -> None:
    """What the PM's move does. Any answer but accepting turns down a proposal of Washington's
    that waits; asking for talks makes a proposal (F5); accepting agrees a drawdown (F19); the
    formal request starts the one-year clock (F4, F10); taking it back stops the troops where
    they are, less the package (F19), and lifts imposed sanctions where the scenario says so."""
    initial = pr[K.W_INITIAL_TROOPS]
    if a != GovernmentAction.WAIT:
        government_posture_changes[i] += 1
        government_action[i] = a
    offer_open = proposal[i] == Proposal.WASHINGTON_DRAWDOWN
    package_open = proposal[i] == Proposal.RETRACTION_PACKAGE
    flags[i, _OFFER_REJECTED] = offer_open and a != GovernmentAction.ACCEPT_OFFER
    flags[i, _PACKAGE_REJECTED] = package_open and a != GovernmentAction.WITHDRAW_REQUEST
    data[i, _PROPOSED] = proposal_size[i] * initial
    package = proposal_size[i] if (package_open and a == GovernmentAction.WITHDRAW_REQUEST) else 0.0
    offered = proposal_size[i] if offer_open else 0.0
    if offer_open or package_open:
        proposal[i] = Proposal.NONE
        proposal_size[i] = -1.0
    deal_size = look[O.O_DEAL_SIZE]
    if a == GovernmentAction.ASK_NEGOTIATIONS:
        flags[i, _ASK_NEGOTIATIONS] = True
        data[i, _ASKED] = deal_size * initial
        proposal[i] = Proposal.BAGHDAD_DRAWDOWN
        proposal_size[i] = deal_size
        talks_requested[i] = True
        trigger_washington[i] = True
    elif a == GovernmentAction.ACCEPT_OFFER:
        flags[i, _DRAWDOWN_AGREED] = True
        agreed(troop_target, drawdowns_agreed, trigger_tehran, trigger_factions, i, offered * initial)
        data[i, _AGREED] = troop_target[i]
        trigger_washington[i] = True
    elif a == GovernmentAction.FORMAL_REQUEST:
        flags[i, _FORMAL_REQUEST] = True
        request_state[i] = RequestState.ACTIVE
        request_day[i] = day
        if first_request_day[i] < 0:
            first_request_day[i] = day
            request_by_caretaker[i] = caretaker[i]
        requests_made[i] += 1
        deadline_day[i] = day + int(pr[K.L_NOTICE_DAYS])
        data[i, _DEADLINE] = deadline_day[i]
        if pr[K.OVERRIDE] == 1.0:  # the counterfactual: Washington imposes at once (F23)
            flags[i, _IMPOSED] = True
            imposed(sanctions_imposed, sanctions_ever, credibility_belief, trigger_government, trigger_factions,
                    trigger_tehran, trigger_washington, i)
        trigger_washington[i] = True
        trigger_tehran[i] = True
        trigger_factions[i] = True
    elif a == GovernmentAction.WITHDRAW_REQUEST:
        flags[i, _REQUEST_WITHDRAWN] = True
        data[i, _PACKAGE] = package * initial
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


#: each action in plain words, for players: a label, what it does, its fact ids, when it is open and its
#: kind (posture, move or wait); read through `sim.model.action_texts.action_text`
ACTION_TEXTS: dict[str, dict[str, str]] = {
    "wait": {
        "label": "Wait: make no move this turn",
        "does": "Keep your course: nothing is asked or agreed, and what you started stands.",
        "facts": "F11, F13", "open_when": "always", "kind": "wait"},
    "ask_negotiations": {
        "label": "Ask Washington for talks on a drawdown",
        "does": "Ask Washington to negotiate a partial drawdown: a proposal, not a formal request, so no clock "
                "starts; Washington accepts or turns it down.",
        "facts": "F5, F19",
        "open_when": "no formal request stands, no proposal waits for an answer, and a drawdown both sides could "
                     "accept exists", "kind": "move"},
    "formal_request": {
        "label": "Make the formal request that US forces leave",
        "does": "Ask US forces to leave under the 2014 notes: the one-year clock starts; Washington may impose "
                "sanctions or put its other support at risk.",
        "facts": "F4, F10, F17, F22", "open_when": "no formal request has been made and US troops are in Iraq",
        "kind": "move"},
    "withdraw_request": {
        "label": "Take the formal request back",
        "does": "Withdraw the formal request and stop the clock; with Washington's package on the table, its "
                "drawdown comes in exchange.",
        "facts": "F19", "open_when": "your formal request stands", "kind": "move"},
    "accept_offer": {
        "label": "Accept Washington's drawdown offer",
        "does": "Agree to the drawdown Washington offered: troops go down to the offered level and no clock starts.",
        "facts": "F5, F19", "open_when": "Washington has offered a drawdown and no formal request stands",
        "kind": "move"},
}

PIDS = purpose_ids("government")

ACTOR = Actor(
    "government", "parliament", "the Iraqi prime minister", GovernmentAction, "F4, F5, F10, F11, F13, F15", FIELDS,
    sections=(("government", GovernmentConfig),), occasion=occasion, weigh=weigh, act=act, look=len(O.OUTLOOK),
    terms=TERMS, events=EVENTS, texts=TEXTS, action_texts=ACTION_TEXTS, role="pm",
    brief=("You are Iraq's prime minister. Parliament has asked you to expel US troops (F12), but only a formal "
           "request under the 2014 notes starts the one-year clock (F4, F10). Washington threatens 'very big "
           "sanctions' (F22) and links everything to the whole relationship (F17); the Kurdish and Sunni blocs want "
           "the troops to stay (F14); Tehran's allies press you (F16). Your moves: wait, ask Washington for talks on "
           "a drawdown (F5), make the formal request, take it back, accept an offer."),
)
