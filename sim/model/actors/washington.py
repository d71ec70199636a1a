"""Washington (F7, F8, F17, F19, F20, F21, F22, F23): wants to stay to fight ISIS and hold
back Iran; threatens sanctions, links withdrawal to the whole relationship, may offer a
drawdown; after a formal request it withdraws on schedule, negotiates a retraction or stays
past the deadline (the article's occupation), and decides whether to carry out its
sanctions threat.

Its postures stand between revisions (monthly, and on trigger events); a one-off move is
worth the standing posture's value plus what the move adds. Before a request a posture is
valued by its public cost over the time it stands and the loss a formal request would bring
times the chance Baghdad makes one meanwhile, which the posture's signal changes (F17, F19,
F22: the PM's request value and capacity anticipated with Baghdad's own payoffs); after one
it follows the stopping rule of `payoffs.stay_path` (F4, F21). Baghdad's belief that the
threat is real follows what Washington does (Bayes' rule, Fearon 1997). Fact ids refer to
docs/facts.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Optional

import numpy as np

from .. import outlook as O
from .. import packing as K
from .. import payoffs, transitions, valuation
from ..choice import move_chance
from ..compiled import kernel
from ..declare import INF, Events, Field, Summary, decision_fields, optional_param, param, per_day, setting
from ..legal import Proposal, agreed, can_request, imposed
from ..outcomes import UNDECIDED, RequestState
from .base import Actor, purpose_ids, totals


class WashingtonAction(IntEnum):
    """Washington's options. Postures, which stand until its next revision: reassure,
    threaten sanctions, link issues (before a formal request: F6, F17, F19, F22); withdraw on
    schedule, negotiate a retraction, stay (after it: F4, F21). One-off moves, after which
    its posture stands: offer a drawdown (F19), accept Baghdad's drawdown proposal (F5),
    impose sanctions after a request or lift them (F22, F23)."""

    REASSURE = 0
    THREATEN_SANCTIONS = 1
    LINK_ISSUES = 2
    OFFER_DRAWDOWN = 3
    WITHDRAW_ON_SCHEDULE = 4
    NEGOTIATE_RETRACTION = 5
    STAY = 6
    ACCEPT_PROPOSAL = 7
    IMPOSE_SANCTIONS = 8
    LIFT_SANCTIONS = 9


#: Washington's actions that are postures (the rest are one-off moves)
POSTURES = frozenset({
    WashingtonAction.REASSURE, WashingtonAction.THREATEN_SANCTIONS, WashingtonAction.LINK_ISSUES,
    WashingtonAction.WITHDRAW_ON_SCHEDULE, WashingtonAction.NEGOTIATE_RETRACTION, WashingtonAction.STAY,
})
#: the postures a scenario may start from (before any request)
INITIAL_POSTURES = ("reassure", "threaten_sanctions", "link_issues")


@dataclass
class SanctionsConfig:
    PREFIX: ClassVar[str] = "SA"
    magnitude: float = param(0.6, 0.0, 1.0, "F22 ('very big sanctions')", "size of the threatened sanctions")
    credibility: float = param(0.5, 0.0, 1.0, "F22; assumption", "Baghdad's prior belief that Washington would impose them after a formal request")
    resolute_signal: float = param(0.8, 0.0, 1.0, "F22; Fearon (1997); assumption", "chance a resolute Washington threatens at a revision (Baghdad's reading)")
    bluff_signal: float = param(0.5, 0.0, 1.0, "F22; Fearon (1997); assumption", "chance a bluffing Washington threatens at a revision (Baghdad's reading)")
    follow_through: float = param(0.9, 0.0, 1.0, "F22; assumption", "chance a resolute Washington imposes at a revision with a request standing (Baghdad's reading)")
    washington_cost: float = param(0.2, 0.0, 2.0, "F23 ('harmful to both nations'); assumption", "Washington's own cost per week of imposed sanctions, per unit of magnitude")
    lifted_by_retraction: bool = setting(False, "taking the formal request back lifts imposed sanctions at once (false: they stay until Washington chooses to lift them, so they cannot buy a retraction: Kadhim's reading, F23)", "F22, F23; scenario option")
    override: Optional[bool] = setting(None, "force Washington to impose sanctions at a formal request (true) or never (false), holding Baghdad's beliefs as they are; null = Washington decides", "F23 counterfactual")


@dataclass
class WashingtonConfig:
    PREFIX: ClassVar[str] = "WA"
    iran_weight: float = param(1.0, 0.0, 5.0, "F7, F24", "Washington's loss per week is iran_weight x Iranian influence squared")
    isis_weight: float = param(1.0, 0.0, 5.0, "F20", "value of presence per week per unit of ISIS threat")
    force_protection_weight: float = param(0.3, 0.0, 5.0, "F12; assumption", "cost of presence per week per unit of tension")
    legitimacy_weight: float = param(1.0, 0.0, 5.0, "F21", "cost per week of staying, per unit of presence, reached at the deadline after a formal request")
    overstay_penalty: float = param(1.0, 0.0, 5.0, "F11, F21", "extra cost per week of staying past the deadline, per unit of presence")
    threat_cost: float = param(0.02, 0.0, 1.0, "F19", "cost per week of a public sanctions threat")
    linkage_cost: float = param(0.02, 0.0, 1.0, "F17, F19", "cost per week of linking the whole relationship")
    offer_cost: float = param(0.5, 0.0, 50.0, "F20, F22 ('on Washington's terms'); assumption", "one-off cost of offering troops or a package in public")
    reputation_weight: float = param(5.0, 0.0, 100.0, "F22; assumption", "one-off value of carrying out a threat made at full voice")
    initial_posture: str = setting("threaten_sanctions", "Washington's posture in January 2020: reassure | threaten_sanctions | link_issues", "F17, F22")
    initial_threat_level: float = param(1.0, 0.0, 1.0, "F22", "Trump's threat is live in January 2020")
    initial_linkage: float = param(1.0, 0.0, 1.0, "F17", "Jeffrey's linkage is live in January 2020")
    signal_decay: float = param(per_day(0.1), 0.0, 1.0, "assumption", "fading rate per day of a threat or linkage no longer held")
    reassure_rate: float = param(0.01, 0.0, 1.0, "F19", "rate per day at which reassurance lowers tension")
    patience: float = param(0.95, 0.0, 0.999, "assumption", "Washington's discount factor per round in drawdown bargaining")
    withdrawal_days: float = param(210.0, 7.0, 1820.0, "F4, F9; assumption", "days a full withdrawal of the January 2020 force takes once decided")
    revision_rate: float = param(round(1 / 30, 6), 0.0, 1.0, "F20; assumption", "how often per day Washington reconsiders its posture (monthly)")
    switching_cost: float = param(0.5, 0.0, 50.0, "F19; Fearon (1994) audience costs; assumption", "one-off cost of changing posture in public")
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "Washington's logit rationality; null = behaviour.rationality")

def _posture(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return np.full(runs, WashingtonAction[str(p.washington.initial_posture).upper()], dtype=np.int8)


def _of(section: str, name: str) -> Any:
    return lambda p, runs, so_far: np.full(runs, getattr(getattr(p, section), name), dtype=np.float64)


FIELDS: tuple[Field, ...] = (
    Field("threat_level", np.float64, _of("washington", "initial_threat_level"),
          "how loud the sanctions threat is, faded once no longer held (F22)", trajectory=True),
    Field("linkage_level", np.float64, _of("washington", "initial_linkage"),
          "how far the whole relationship is linked to withdrawal, faded once no longer held (F17)", trajectory=True),
    Field("credibility_belief", np.float64, _of("sanctions", "credibility"),
          "Baghdad's belief that Washington would impose its sanctions (F22; Bayes' rule, Fearon 1997)", trajectory=True),
    Field("sanctions_imposed", np.bool_, False, "US sanctions on Iraq in force (F22, F23)", trajectory=True),
    Field("sanctions_ever", np.bool_, False, "sanctions were imposed at some point of the run",
          summary=Summary("sanctions_imposed")),
    Field("washington_posture", np.int8, _posture, "its standing posture (WashingtonAction)"),
    # the strike and the request for talks call for a response at once (F5, F12)
    *decision_fields("washington", _posture, action_doc="its last posture or move (WashingtonAction)",
                     triggered_at_start=True),
)

TERMS = (
    "its standing course", "its public cost (F19)", "the risk of a formal request meanwhile (F4, F17, F22)",
    "leaving on schedule before the deadline (F4, F21)",
    "its stake in staying against the illegitimacy of overstaying (F20, F21)",
    "the presence kept if Baghdad takes the package (F19)", "staying if Baghdad refuses it (F21)",
    "a drawdown instead of the risk of a request (F19)", "the request risk Baghdad's drawdown removes (F5)",
    "the troops it gives up (F20)", "the reputation of a threat carried out (F22)",
    "the retraction sanctions may force (F19, F22)", "their lasting burden, Iran's gain included (F23)",
    "the burden of sanctions lifted (F23)", "the cost of an offer in public (F20)", "keeping its course",
)
(_STANDING, _PUBLIC, _RISK, _LEAVE, _STAYING, _PACKAGE_TAKEN, _PACKAGE_REFUSED, _DRAWDOWN_GAIN, _AVOIDED,
 _GIVEN_UP, _REPUTATION, _COERCION, _BURDEN, _LIFTED_BURDEN, _OFFER_COST, _KEEP) = range(len(TERMS))

EVENTS = Events(
    ("washington_threaten", "washington_link", "washington_reassure", "washington_stays", "proposal_rejected",
     "drawdown_agreed", "drawdown_offered", "retraction_offered", "withdrawal_decided", "sanctions_imposed",
     "sanctions_lifted"),
    data=("agreed", "offered", "package"),
    carries=(("drawdown_agreed", (("troops", "agreed"),)), ("drawdown_offered", (("troops", "offered"),)),
             ("retraction_offered", (("troops", "package"),))),
    moves=("drawdown_offered", "withdrawal_decided", "retraction_offered", "sanctions_lifted"),
    postures=(("washington_threaten", "threaten_sanctions"), ("washington_link", "link_issues"),
              ("washington_reassure", "reassure"), ("washington_stays", "stay")),
)
(_THREATEN, _LINK, _REASSURE, _STAYS, _PROPOSAL_REJECTED, _DRAWDOWN_AGREED, _DRAWDOWN_OFFERED, _RETRACTION_OFFERED,
 _WITHDRAWAL_DECIDED, _IMPOSED, _LIFTED) = (EVENTS.flag(k) for k in EVENTS.kinds)
_AGREED, _OFFERED, _PACKAGE = (EVENTS.column(c) for c in EVENTS.data)
#: Washington's outlook: the one both sides share, then the retraction package it would offer now
_PACKAGE_SIZE = len(O.OUTLOOK)
LOOK = len(O.OUTLOOK) + 1

TEXTS = {
    "proposal_rejected": "Washington turns down Baghdad's proposal for a drawdown [F20].",
    "drawdown_offered": "Washington offers to draw down about {troops:,.0f} troops [F19].",
    "sanctions_imposed": "Washington carries out its threat and imposes sanctions on Iraq [F22, F23].",
    "sanctions_lifted": "The US sanctions on Iraq are lifted [F22, F23].",
    "retraction_offered": "Washington offers to take about {troops:,.0f} troops out if Baghdad takes the request back [F17, F19].",
    "washington_threaten": "Washington threatens 'very big sanctions' if its forces are made to leave [F22].",
    "washington_link": "Washington insists talks cover 'the entire gamut of our relationship' [F17].",
    "washington_reassure": "Washington lowers its voice and reassures Baghdad it remains an ally [F6, F19].",
    "withdrawal_decided": "Washington decides to withdraw its forces on schedule [F4, F22].",
    "washington_stays": "Washington keeps its forces in Iraq despite the request [F20, F21].",
}


@kernel(inline=True)
def open_of(pr: np.ndarray, troops: float, us_withdrawing: bool, outcome: int, request_state: int,
            drawdowns_agreed: int, proposal: int, sanctions_imposed: bool, deal_size: float, avail: np.ndarray) -> None:
    """Washington's open actions. Before a formal request (or after one is taken back):
    reassure, link, and threaten sanctions 'if forced to leave' while troops are there and no
    drawdown has been agreed (F17, F22); offer a drawdown or accept Baghdad's. After a
    request: withdraw on schedule, negotiate a retraction, stay (F4, F21), and impose
    sanctions (F22); lift them once no request stands (F23). Nothing while its troops leave,
    but imposing or lifting sanctions."""
    here = troops > 0 and not us_withdrawing
    undecided = outcome == UNDECIDED
    active = request_state == RequestState.ACTIVE and undecided
    before = here and request_state != RequestState.ACTIVE
    untouched = request_state == RequestState.NONE
    avail[0] = before
    avail[1] = before and drawdowns_agreed == 0
    avail[2] = before
    avail[3] = before and untouched and undecided and proposal == Proposal.NONE and deal_size > 0
    avail[4] = active and here
    avail[5] = active and here
    avail[6] = active and here
    avail[7] = before and untouched and undecided and proposal == Proposal.BAGHDAD_DRAWDOWN
    avail[8] = active and not sanctions_imposed and pr[K.OVERRIDE] == -1.0
    avail[9] = sanctions_imposed and not active


@kernel(inline=True)
def standing_of(u: np.ndarray, first: int, posture: int) -> float:
    """What Washington keeps by not changing posture, among the three postures first..first+2
    of `u`: the standing posture's value, or (a posture no longer open, which it must leave)
    the best of them."""
    kept_any = False
    total = 0.0
    best = -math.inf
    for k in range(3):
        kept = first + k == posture
        term = u[first + k] * (1.0 if kept else 0.0)
        total = term if k == 0 else total + term
        kept_any = kept_any or kept
        best = u[first + k] if (k == 0 or u[first + k] > best) else best
    return total if kept_any else best


@kernel(inline=True)
def occasion(pr: np.ndarray, i: int, avail: np.ndarray, troops: np.ndarray, us_withdrawing: np.ndarray,
             outcome: np.ndarray, request_state: np.ndarray, drawdowns_agreed: np.ndarray, proposal: np.ndarray,
             sanctions_imposed: np.ndarray, washington_posture: np.ndarray, trigger_washington: np.ndarray,
             human_washington: np.ndarray, forced_washington_action: np.ndarray) -> tuple[bool, float, float, int, bool]:
    """Washington revises on a trigger (one waiting, a standing posture no longer open, a
    player's move) while anything is open to it (a proposal or an offer needs troops there,
    as the postures do); its status quo is its standing posture."""
    posture = washington_posture[i]
    # the postures' openness does not depend on a deal
    open_of(pr, troops[i], us_withdrawing[i], outcome[i], request_state[i], drawdowns_agreed[i], proposal[i],
            sanctions_imposed[i], 0.0, avail)
    any_open = False
    for k in range(avail.shape[0]):
        any_open = any_open or avail[k]
    triggered = ((trigger_washington[i] or not avail[max(posture, 0)] or forced_washington_action[i] >= 0)
                 and any_open and not human_washington[i])
    return triggered, pr[K.WA_REVISION_RATE], pr[K.WASHINGTON_RING], int(posture), any_open


@kernel(inline=True)
def weigh(pr: np.ndarray, i: int, day: int, u: np.ndarray, avail: np.ndarray, look: np.ndarray, terms: np.ndarray,
         troops: np.ndarray, troop_target: np.ndarray, isis_threat: np.ndarray, iran_influence: np.ndarray,
         tension: np.ndarray, protests: np.ndarray, request_state: np.ndarray, request_day: np.ndarray,
         us_withdrawing: np.ndarray, outcome: np.ndarray, pm_position: np.ndarray, collective_stance: np.ndarray,
         caretaker: np.ndarray, pm_majority: np.ndarray, credibility_belief: np.ndarray, linkage_level: np.ndarray,
         threat_level: np.ndarray, mandate: np.ndarray, proposal: np.ndarray, proposal_size: np.ndarray,
         drawdowns_agreed: np.ndarray, sanctions_imposed: np.ndarray, washington_posture: np.ndarray,
         mobilisation: np.ndarray) -> None:
    """Washington's values of its actions (see `WashingtonAction`), each the sum of its terms,
    and which are open; `look` gets the outlook both sides share (`outlook.outlook_of`).
    Runs with and without a formal request standing are valued apart (only their own actions
    are open)."""
    share, rate = O.pm_rate_of(pr, caretaker[i], pm_majority[i], protests[i])
    stance = O.stance_of(pr, pm_position[i], collective_stance[i])
    active = request_state[i] == RequestState.ACTIVE
    days_since = float(day - request_day[i]) if active else 0.0
    belief, linkage, mandate_now = credibility_belief[i], linkage_level[i], mandate[i]
    O.outlook_of(pr, day, troops[i], troop_target[i], isis_threat[i], iran_influence[i], tension[i], request_state[i],
                 request_day[i], us_withdrawing[i], outcome[i], stance, belief, linkage, mandate_now, rate, look)
    posture = washington_posture[i]
    rho, a = pr[K.B_DISCOUNT_RATE], pr[K.WEEKS_AHEAD]
    lam_g = pr[K.LAM_GOVERNMENT]
    pres = transitions.presence_of(troops[i], pr[K.W_INITIAL_TROOPS])
    committed = 1.0 - transitions.presence_of(troop_target[i], pr[K.W_INITIAL_TROOPS])
    burden = payoffs.burden_of(pr[K.SA_MAGNITUDE], iran_influence[i], pr[K.SA_WASHINGTON_COST], pr[K.WA_IRAN_WEIGHT],
                               pr[K.W_INFLUENCE_SANCTIONS_WEIGHT])
    sc = pr[K.WA_SWITCHING_COST]
    look[_PACKAGE_SIZE] = 0.0
    if not active:
        # postures before a request: their public cost over the time they stand and the loss a
        # request would bring times the chance Baghdad makes one meanwhile (F17, F19, F22)
        lead = pres * pr[K.WA_WITHDRAWAL_DAYS]
        open_ = can_request(pr, request_state[i], troops[i], us_withdrawing[i], outcome[i])
        for k in range(3):
            threatens = k == WashingtonAction.THREATEN_SANCTIONS
            linked = 1.0 if k == WashingtonAction.LINK_ISSUES else linkage * pr[K.SIGNAL_KEPT]
            cost = pr[K.WA_THREAT_COST] if threatens else (pr[K.WA_LINKAGE_COST] if k == WashingtonAction.LINK_ISSUES
                                                           else 0.0)
            read = transitions.belief_after_posture(belief, threatens, pr[K.SA_RESOLUTE_SIGNAL], pr[K.SA_BLUFF_SIGNAL])
            value = payoffs.request_value_of(stance, committed, pr[K.G_SALIENCE], look[O.O_LEAVE_DAY], lead, read,
                                             pr[K.SA_MAGNITUDE], pr[K.SANCTIONS_EXPOSURE], pr[K.LINKAGE_EXPOSURE],
                                             linked, mandate_now, rho, a, pr[K.G_ESCALATION_COST],
                                             pr[K.G_MANDATE_WEIGHT])
            hazard = rate * move_chance(value, lam_g) * (1.0 if open_ else 0.0)
            risk = valuation.chance_before(hazard, pr[K.WA_REVISION_RATE], rho)
            terms[k, _PUBLIC] = -cost * pr[K.WASHINGTON_WEEKS]
            terms[k, _RISK] = -(look[O.O_LOSS] * risk)
            terms[k, _KEEP] = sc * (1.0 if k == posture else 0.0)
        totals(terms, u)
        current = standing_of(u, 0, posture)
        size = look[O.O_DEAL_SIZE]
        accept = share * move_chance(O.deal_gain_of(pr, stance, committed, size, look[O.O_DEAL_CONFLICT_B]), lam_g)
        terms[WashingtonAction.OFFER_DRAWDOWN, _STANDING] = current
        terms[WashingtonAction.OFFER_DRAWDOWN, _DRAWDOWN_GAIN] = accept * (
            look[O.O_DEAL_AVOIDED_W] - look[O.O_DEAL_PER_UNIT_W] * size) * (1.0 if size > 0 else 0.0)
        terms[WashingtonAction.OFFER_DRAWDOWN, _OFFER_COST] = -pr[K.WA_OFFER_COST]
        asked = proposal_size[i] if proposal_size[i] >= 0 else size
        terms[WashingtonAction.ACCEPT_PROPOSAL, _STANDING] = current
        terms[WashingtonAction.ACCEPT_PROPOSAL, _AVOIDED] = look[O.O_DEAL_AVOIDED_W]
        terms[WashingtonAction.ACCEPT_PROPOSAL, _GIVEN_UP] = -(look[O.O_DEAL_PER_UNIT_W] * asked)
        terms[WashingtonAction.LIFT_SANCTIONS, _STANDING] = current
        terms[WashingtonAction.LIFT_SANCTIONS, _LIFTED_BURDEN] = burden * a
    else:
        # after a request: the stopping rule (F4, F21), a package Baghdad would accept (Nash
        # solution) with its chance of accepting (F17, F19), and imposing sanctions (F22, F23)
        package, package_avoided = O.retraction_deal_of(pr, look, days_since, troops[i], troop_target[i], stance,
                                                        us_withdrawing[i], sanctions_imposed[i], belief, linkage,
                                                        mandate_now, mobilisation[i])
        look[_PACKAGE_SIZE] = package
        stake, leave_day = look[O.O_STAKE], look[O.O_LEAVE_DAY]
        accept = share * move_chance(O.retraction_value_of(pr, package, leave_day, days_since, troops[i],
                                                           troop_target[i], stance, us_withdrawing[i],
                                                           sanctions_imposed[i], belief, linkage, mandate_now,
                                                           mobilisation[i]), lam_g)
        terms[WashingtonAction.WITHDRAW_ON_SCHEDULE, _LEAVE] = look[O.O_WITHDRAW]
        terms[WashingtonAction.STAY, _STAYING] = look[O.O_STAY]
        terms[WashingtonAction.NEGOTIATE_RETRACTION, _PACKAGE_TAKEN] = accept * ((pres - package) * stake * a)
        terms[WashingtonAction.NEGOTIATE_RETRACTION, _PACKAGE_REFUSED] = (1.0 - accept) * look[O.O_STAY]
        terms[WashingtonAction.NEGOTIATE_RETRACTION, _OFFER_COST] = -(pr[K.WA_OFFER_COST] * (1.0 if package > 0
                                                                                            else 0.0))
        for k in range(3):
            terms[WashingtonAction.WITHDRAW_ON_SCHEDULE + k, _KEEP] = sc * (
                1.0 if WashingtonAction.WITHDRAW_ON_SCHEDULE + k == posture else 0.0)
        totals(terms, u)
        current = standing_of(u, WashingtonAction.WITHDRAW_ON_SCHEDULE, posture)
        # the PM's chance of taking the request back with sanctions in force (on) and without (off)
        value_on = O.retraction_value_of(pr, 0.0, leave_day, days_since, troops[i], troop_target[i], stance,
                                         us_withdrawing[i], True, belief, linkage, mandate_now, mobilisation[i])
        chance_on = valuation.chance_discounted(rate * move_chance(value_on, lam_g), rho, O.INF_DAYS)
        value_off = O.retraction_value_of(pr, 0.0, leave_day, days_since, troops[i], troop_target[i], stance,
                                          us_withdrawing[i], False, belief, linkage, mandate_now, mobilisation[i])
        chance_off = valuation.chance_discounted(rate * move_chance(value_off, lam_g), rho, O.INF_DAYS)
        terms[WashingtonAction.IMPOSE_SANCTIONS, _STANDING] = current
        terms[WashingtonAction.IMPOSE_SANCTIONS, _REPUTATION] = pr[K.WA_REPUTATION_WEIGHT] * threat_level[i]
        terms[WashingtonAction.IMPOSE_SANCTIONS, _COERCION] = (chance_on - chance_off) * package_avoided
        terms[WashingtonAction.IMPOSE_SANCTIONS, _BURDEN] = -(burden * a)
    totals(terms, u)
    open_of(pr, troops[i], us_withdrawing[i], outcome[i], request_state[i], drawdowns_agreed[i], proposal[i],
            sanctions_imposed[i], look[O.O_DEAL_SIZE], avail)


@kernel(inline=True)
def act(pr: np.ndarray, i: int, a: int, look: np.ndarray, flags: np.ndarray, data: np.ndarray,
          troop_target: np.ndarray, request_state: np.ndarray, us_withdrawing: np.ndarray,
          credibility_belief: np.ndarray, proposal: np.ndarray,
          proposal_size: np.ndarray, drawdowns_agreed: np.ndarray, sanctions_imposed: np.ndarray,
          sanctions_ever: np.ndarray, washington_action: np.ndarray, washington_posture: np.ndarray,
          washington_posture_changes: np.ndarray, trigger_government: np.ndarray, trigger_washington: np.ndarray,
          trigger_tehran: np.ndarray, trigger_factions: np.ndarray) -> None:
    """What Washington's choice does: a new posture (Baghdad reads a change of posture as a
    signal of resolve, F22, and a request left unpunished when Washington had the chance as a
    bluff being called), an answer to Baghdad's proposal, an offer, a package, a withdrawal
    on schedule, sanctions imposed or lifted."""
    initial = pr[K.W_INITIAL_TROOPS]
    posture = washington_posture[i]
    move = -1 if a == posture else a  # kept its posture: no move
    if move >= 0:
        washington_action[i] = move
    active = request_state[i] == RequestState.ACTIVE
    is_posture = (move == WashingtonAction.REASSURE or move == WashingtonAction.THREATEN_SANCTIONS
                  or move == WashingtonAction.LINK_ISSUES or move == WashingtonAction.WITHDRAW_ON_SCHEDULE
                  or move == WashingtonAction.NEGOTIATE_RETRACTION or move == WashingtonAction.STAY)
    changed = is_posture and move != posture
    flags[i, _THREATEN] = changed and move == WashingtonAction.THREATEN_SANCTIONS
    flags[i, _LINK] = changed and move == WashingtonAction.LINK_ISSUES
    flags[i, _REASSURE] = changed and move == WashingtonAction.REASSURE
    flags[i, _STAYS] = changed and move == WashingtonAction.STAY
    if changed:
        washington_posture_changes[i] += 1
    if is_posture:
        washington_posture[i] = move
    if changed and (move == WashingtonAction.REASSURE or move == WashingtonAction.THREATEN_SANCTIONS
                    or move == WashingtonAction.LINK_ISSUES):
        credibility_belief[i] = transitions.belief_after_posture(credibility_belief[i],
                                                                 move == WashingtonAction.THREATEN_SANCTIONS,
                                                                 pr[K.SA_RESOLUTE_SIGNAL], pr[K.SA_BLUFF_SIGNAL])
    if active and not sanctions_imposed[i] and move != WashingtonAction.IMPOSE_SANCTIONS and pr[K.OVERRIDE] == -1.0:
        credibility_belief[i] = transitions.belief_after_restraint(credibility_belief[i], pr[K.SA_FOLLOW_THROUGH])

    # Baghdad's proposal: accepted, or turned down by any other answer
    deal_size = look[O.O_DEAL_SIZE]
    asked = proposal[i] == Proposal.BAGHDAD_DRAWDOWN
    size = proposal_size[i] if proposal_size[i] >= 0 else deal_size
    accept = move == WashingtonAction.ACCEPT_PROPOSAL and size > 0
    flags[i, _PROPOSAL_REJECTED] = asked and not accept
    if asked:
        proposal[i] = Proposal.NONE
        proposal_size[i] = -1.0
    if accept:
        flags[i, _DRAWDOWN_AGREED] = True
        agreed(troop_target, drawdowns_agreed, trigger_tehran, trigger_factions, i, size * initial)
        data[i, _AGREED] = troop_target[i]
    if move == WashingtonAction.OFFER_DRAWDOWN:
        flags[i, _DRAWDOWN_OFFERED] = True
        data[i, _OFFERED] = deal_size * initial
        proposal[i] = Proposal.WASHINGTON_DRAWDOWN
        proposal_size[i] = deal_size
        trigger_government[i] = True
    if move == WashingtonAction.NEGOTIATE_RETRACTION:
        package = look[_PACKAGE_SIZE]  # the package it valued, before Baghdad read this revision
        flags[i, _RETRACTION_OFFERED] = True
        data[i, _PACKAGE] = package * initial
        proposal[i] = Proposal.RETRACTION_PACKAGE
        proposal_size[i] = package
        trigger_government[i] = True
    if move == WashingtonAction.WITHDRAW_ON_SCHEDULE:
        flags[i, _WITHDRAWAL_DECIDED] = True
        us_withdrawing[i] = True
        troop_target[i] = 0.0
        trigger_tehran[i] = True
        trigger_government[i] = True
    if move == WashingtonAction.IMPOSE_SANCTIONS:
        flags[i, _IMPOSED] = True
        imposed(sanctions_imposed, sanctions_ever, credibility_belief, trigger_government, trigger_factions,
                trigger_tehran, trigger_washington, i)
    if move == WashingtonAction.LIFT_SANCTIONS:
        flags[i, _LIFTED] = True
        sanctions_imposed[i] = False
        trigger_government[i] = True


#: each action in plain words, for players: a label, what it does, its fact ids, when it is open and its
#: kind (posture, move or wait); read through `sim.model.action_texts.action_text`
ACTION_TEXTS: dict[str, dict[str, str]] = {
    "reassure": {
        "label": "Reassure Baghdad",
        "does": "Lower your voice: no threats and no linkage, at no public cost; a request then costs Baghdad less.",
        "facts": "F6, F19", "open_when": "before a formal request (or after one is taken back)", "kind": "posture",
        "standing": "reassuring Baghdad"},
    "threaten_sanctions": {
        "label": "Threaten sanctions",
        "does": "Say 'very big sanctions' will follow if your forces are made to leave: Baghdad expects a formal "
                "request to cost it more; the threat has a public cost to you.",
        "facts": "F22", "open_when": "before a formal request, while no drawdown has been agreed", "kind": "posture",
        "standing": "threatening sanctions"},
    "link_issues": {
        "label": "Link everything to the whole relationship",
        "does": "Insist talks cover 'the entire gamut' of the relationship: a request puts other US support at risk.",
        "facts": "F17", "open_when": "before a formal request (or after one is taken back)", "kind": "posture",
        "standing": "linking issues"},
    "offer_drawdown": {
        "label": "Offer a drawdown",
        "does": "Offer to take part of your troops out (the size both sides could agree now) to head off a formal "
                "request; Baghdad accepts or turns it down.",
        "facts": "F19, F20",
        "open_when": "no request has been made, no proposal waits, and a drawdown both sides could accept exists",
        "kind": "move"},
    "withdraw_on_schedule": {
        "label": "Withdraw on schedule",
        "does": "Start taking every soldier out: a full withdrawal takes months, so the last troops leave before "
                "the one-year deadline only if you start in time.",
        "facts": "F4, F21", "open_when": "a formal request stands", "kind": "posture",
        "standing": "withdrawing on schedule"},
    "negotiate_retraction": {
        "label": "Offer a package for taking the request back",
        "does": "Offer Baghdad a partial drawdown if it takes the formal request back; your troops stay meanwhile.",
        "facts": "F17, F19", "open_when": "a formal request stands", "kind": "posture",
        "standing": "negotiating a retraction"},
    "stay": {
        "label": "Stay despite the request",
        "does": "Keep the troops in Iraq; if they are still there when the year runs out, the article calls it "
                "an occupation.",
        "facts": "F4, F11, F20, F21", "open_when": "a formal request stands", "kind": "posture",
        "standing": "staying despite the request"},
    "accept_proposal": {
        "label": "Accept Baghdad's drawdown proposal",
        "does": "Agree to the partial drawdown Baghdad asked for in its request for talks; no clock starts.",
        "facts": "F5, F19", "open_when": "Baghdad's proposal for a drawdown waits for your answer", "kind": "move"},
    "impose_sanctions": {
        "label": "Impose sanctions",
        "does": "Carry out the threat: sanctions hurt Iraq and you, and raise Iranian influence.",
        "facts": "F22, F23", "open_when": "a formal request stands and no sanctions are in force", "kind": "move"},
    "lift_sanctions": {
        "label": "Lift the sanctions",
        "does": "End the sanctions now that no formal request stands.",
        "facts": "F23", "open_when": "sanctions are in force and no formal request stands", "kind": "move"},
}

PIDS = purpose_ids("washington")

ACTOR = Actor(
    "washington", "government", "Washington", WashingtonAction, "F4, F7, F17, F19, F20, F21, F22, F23", FIELDS,
    sections=(("sanctions", SanctionsConfig), ("washington", WashingtonConfig)), occasion=occasion, weigh=weigh, act=act, look=LOOK,
    terms=TERMS, events=EVENTS, texts=TEXTS, action_texts=ACTION_TEXTS, posture_field="washington_posture", role="washington",
    clock="washington.revision_rate",
    brief=("You are the US administration. Your 5,000 troops fight IS (F1, F3) and hold back Iran (F7, F24). "
           "Before a formal request you reassure, threaten sanctions (F22) or link issues (F17), and you may offer a "
           "drawdown (F19); after one you withdraw on schedule, negotiate a retraction or stay past the year, which "
           "the article calls an occupation (F4, F11, F21), and you decide whether to impose your sanctions (F22, "
           "F23)."),
)
