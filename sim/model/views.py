"""What each actor sees: the value of each of its actions and which are open, in the
current state.

Pure functions of a `State` and `ModelParams` (R runs), built from the payoff formulas of
`payoffs.py` and the time values of `valuation.py`. The stages (`stages.py`) call them to
decide; the Mesa agents, role play and the browser app call them to show an actor's
options. A value is in weeks of payoff (`valuation`): a posture is valued over the time it
is expected to stand (until the actor's next revision), a lasting move over the
discounted future, given how the other side is expected to respond
(docs/architecture.md, "Decisions"). Fact ids refer to docs/facts.md.

Anticipation goes one level deep and in a fixed order, so nothing is circular:
1. Washington's values of withdrawing or staying after a request (its own payoffs only);
2. the PM's value of a formal request, with Washington's chance of withdrawing from 1;
3. the PM's request hazard (its revision rate x its logit chance of requesting), which
   gives both sides' stakes in a deal and the deal's size (the Nash solution);
4. every action's value, with the other side's chance of accepting a proposal from its
   own logit choice over the proposal's worth to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import bargaining, institutions, payoffs, transitions, valuation
from . import packing as K
from .actions import POSITION_GRID, Proposal, WashingtonAction
from .choice import move_chance, move_probability, rationality_of
from .compiled import kernel
from .outcomes import UNDECIDED, RequestState
from .params import ModelParams
from .state import State

INF_DAYS = np.inf  # values look ahead without a horizon: discounting bounds them


# ---------------------------------------------------------------- shared readings of the state
def presence(s: State, p: ModelParams) -> np.ndarray:
    """US presence as a share of the January 2020 level (F3), shape (R,)."""
    return transitions.presence_share(s.troops, p.world.initial_troops)


def committed_withdrawal(s: State, p: ModelParams) -> np.ndarray:
    """The withdrawal Baghdad has secured: 1 - the presence the troops are heading to
    (agreed drawdowns, a withdrawal on schedule), shape (R,)."""
    return 1.0 - transitions.presence_share(s.troop_target, p.world.initial_troops)


def day_of(p: ModelParams, step: int) -> int:
    """The day (since the start date) at the end of step `step`."""
    return p.day(step)


def days_since_request(s: State, p: ModelParams, step: int) -> np.ndarray:
    """Days since the formal request (0 where none stands: the moment one would be made)."""
    return np.where(s.request_state == RequestState.ACTIVE, day_of(p, step) - s.request_day, 0).astype(np.float64)


def lam(actor_section: object, p: ModelParams) -> np.ndarray | float:
    """An actor's logit rationality (its own, else `behaviour.rationality`)."""
    return rationality_of(getattr(actor_section, "rationality", None), p.behaviour.rationality)


def baghdad_exposure(p: ModelParams) -> tuple[np.ndarray, np.ndarray]:
    """Baghdad's exposure to sanctions (F22) and to the linked US support (F17): the
    factions' own, averaged over their seats."""
    fa = p.factions
    return (payoffs.coalition_exposure(fa.seats, fa.sanctions_exposure),
            payoffs.coalition_exposure(fa.seats, fa.linkage_weight))


# ---------------------------------------------------------------- Tehran
def tehran_values(s: State, p: ModelParams, step: int) -> np.ndarray:
    """Tehran's value (R, 3) of restrain, press factions, escalate: the payoff per week of
    each posture over the weeks it is expected to stand, plus the switching cost saved by
    keeping the current one (F7, F12, F16, F24)."""
    t, b = p.tehran, p.behaviour
    stake = payoffs.tehran_departure_stake(
        s.request_state == RequestState.ACTIVE, s.us_withdrawing, days_since_request(s, p, step),
        clock_weight=t.clock_weight)
    flows = payoffs.tehran_flows(
        presence(s, p), s.tension, s.iran_influence, payoffs.aligned_share(p.factions.seats, p.factions.iran_alignment),
        stake, influence_weight=t.influence_weight, departure_weight=t.departure_weight,
        pressure_influence=t.pressure_influence, press_cost=t.press_cost,
        escalation_step=7.0 * np.asarray(t.escalation_rate), escalation_cost=t.escalation_cost,
    )
    weeks = valuation.posture_weeks(t.revision_rate, b.discount_rate, INF_DAYS)
    keep = np.arange(3)[None, :] == s.tehran_action[:, None]
    return flows * np.asarray(weeks).reshape(-1, 1) + np.asarray(t.switching_cost).reshape(-1, 1) * keep


def tehran_open(s: State) -> np.ndarray:
    """Tehran's open postures (R, 3): escalation needs US forces to escalate against."""
    ones = np.ones(s.runs, dtype=bool)
    return np.stack([ones, ones, s.troops > 0], axis=1)


def tehran_view(s: State, p: ModelParams, step: int) -> tuple[np.ndarray, np.ndarray]:
    return tehran_values(s, p, step), tehran_open(s)


# ---------------------------------------------------------------- factions
def _at(x: Any, rows: np.ndarray | None) -> Any:
    """`x` at the runs `rows` where it has a runs axis (state arrays, per-run parameters)."""
    return x if rows is None or np.ndim(x) == 0 else np.asarray(x)[rows]


def faction_flows(s: State, p: ModelParams, j: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Faction j's payoff per week (R, K) of stating each stance of `POSITION_GRID`
    (F1, F12, F14, F16, F18), for all runs or the runs `rows`."""
    fa = p.factions

    def col(attr: str) -> np.ndarray:
        return np.asarray(_at(fa.column(attr, j), rows)).reshape(-1, 1)

    return payoffs.faction_stance_payoffs(
        POSITION_GRID, col("ideal_position"), _at(s.salience[:, j:j + 1], rows), col("security_weight"),
        col("iran_alignment"), col("street_responsiveness"), _at(s.isis_threat, rows),
        _at(presence(s, p), rows), _at(s.tehran_pressure, rows), _at(s.mobilisation, rows),
    )[:, 0, :]


def faction_values(s: State, p: ModelParams, j: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Faction j's value (R, K) of each stance: its payoff per week over the weeks the
    stance is expected to stand, plus the switching cost saved by keeping its current one
    (for all runs or the runs `rows`)."""
    b = p.behaviour
    weeks = valuation.posture_weeks(_at(b.faction_revision_rate, rows), _at(b.discount_rate, rows), INF_DAYS)
    keep = np.arange(POSITION_GRID.size)[None, :] == _at(s.stance[:, j:j + 1], rows)
    return (faction_flows(s, p, j, rows) * np.asarray(weeks).reshape(-1, 1)
            + np.asarray(_at(b.faction_switching_cost, rows)).reshape(-1, 1) * keep)


def faction_rationality(p: ModelParams, j: int) -> np.ndarray | float:
    return rationality_of(p.factions.column("rationality", j), p.behaviour.rationality)


def factions_view(s: State, p: ModelParams, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Every faction's values (R, F, K) over the stances, all open."""
    u = np.stack([faction_values(s, p, j) for j in range(p.factions.size)], axis=1)
    return u, np.ones(u.shape, dtype=bool)


# ---------------------------------------------------------------- the prime minister's capacity (F13, F14, F15)
def pm_responsiveness(s: State, p: ModelParams) -> np.ndarray:
    """Share of its chances to act the government takes (F13, F14, F15), shape (R,)."""
    g = p.government
    return institutions.responsiveness(s.caretaker, s.pm_majority, s.protests,
                                       caretaker_deference=g.caretaker_deference, protest_drain=g.protest_drain)


def pm_revision_rate(s: State, p: ModelParams) -> np.ndarray:
    """How often per day the PM reconsiders its course (F13, F15), shape (R,)."""
    g = p.government
    return institutions.revision_rate(pm_responsiveness(s, p), s.pm_majority, base_rate=g.base_revision_rate,
                                      majority_rate=g.majority_revision_rate)


# ---------------------------------------------------------------- Washington after a request (step 1)
@dataclass(frozen=True)
class AfterRequest:
    """Washington's courses after a formal request (F4, F21): the values (R,) of withdrawing
    now and of staying one more revision interval at `days_since_request` days into the
    year, its logit chance of withdrawing now, and the day after the request on which the
    stopping rule has it start withdrawing with today's stake (`payoffs.withdrawal_day`;
    inf: it means to stay)."""

    withdraw: np.ndarray
    stay: np.ndarray
    p_withdraw: np.ndarray
    leave_day: np.ndarray


def washington_stake_now(s: State, p: ModelParams) -> np.ndarray:
    wa, w = p.washington, p.world
    return payoffs.washington_stake(s.isis_threat, s.iran_influence, s.tension, isis_weight=wa.isis_weight,
                                    iran_weight=wa.iran_weight, vacuum_weight=w.influence_vacuum_weight,
                                    force_protection_weight=wa.force_protection_weight)


def _stopping(p: ModelParams) -> dict:
    wa = p.washington
    interval = 1.0 / np.maximum(np.asarray(wa.revision_rate, dtype=np.float64), 1e-9)
    return dict(revision_interval=interval, legitimacy_weight=wa.legitimacy_weight,
                overstay_penalty=wa.overstay_penalty)


def exit_plan(s: State, p: ModelParams) -> np.ndarray:
    """Washington's exit plan (R,): the day after a formal request on which its stopping rule
    starts the withdrawal at today's stake and presence (`payoffs.withdrawal_day`; inf: it
    would stay). Both sides read it when they decide (F4, F21)."""
    wa, rho = p.washington, p.behaviour.discount_rate
    pres = presence(s, p)
    kw = _stopping(p)
    interval = kw.pop("revision_interval")
    return payoffs.withdrawal_day(pres, washington_stake_now(s, p), interval,
                                  transitions.lead_days(pres, wa.withdrawal_days), rho, **kw)


def after_request(s: State, p: ModelParams, days_since: np.ndarray, stake: np.ndarray,
                  exit_day: np.ndarray) -> AfterRequest:
    wa, rho = p.washington, p.behaviour.discount_rate
    pres = presence(s, p)
    lead = transitions.lead_days(pres, wa.withdrawal_days)
    kw = _stopping(p)
    interval = kw.pop("revision_interval")
    withdraw, stay = np.zeros(s.runs), np.zeros(s.runs)
    active = np.flatnonzero(s.request_state == RequestState.ACTIVE)  # the courses matter only there
    if active.size:
        def at(x: Any) -> Any:
            return _rows_of(x, active) if np.ndim(x) else x

        kw_a = {k: at(v) for k, v in kw.items()}
        withdraw[active] = payoffs.withdrawal_path_value(pres[active], at(stake), days_since[active], lead[active],
                                                         at(rho), **kw_a)
        stay[active] = payoffs.stay_value(pres[active], at(stake), days_since[active], at(interval), lead[active],
                                          at(rho), **kw_a)
    return AfterRequest(withdraw, stay, move_probability(withdraw - stay, lam(wa, p)), exit_day)


def request_loss(s: State, p: ModelParams, stake: np.ndarray, anticipated: AfterRequest) -> np.ndarray:
    """Washington's expected loss if Baghdad makes a formal request now: the presence it
    keeps without one, less the value of staying until the stopping rule has it leave and
    then withdrawing (F4, F20, F21)."""
    wa, rho = p.washington, p.behaviour.discount_rate
    pres = presence(s, p)
    kw = _stopping(p)
    kw.pop("revision_interval")
    after = payoffs.request_path_value(pres, stake, anticipated.leave_day,
                                       transitions.lead_days(pres, wa.withdrawal_days), rho, **kw)
    return np.maximum(payoffs.presence_value(pres, stake, rho) - after, 0.0)


# ---------------------------------------------------------------- the PM's request (steps 2 and 3)
def pm_stance_now(s: State, p: ModelParams) -> np.ndarray:
    return payoffs.pm_stance(s.pm_position, s.collective_stance, p.government.pm_weight)


def request_open(s: State) -> np.ndarray:
    """A formal request can be made once, while US troops are there and not already
    leaving (F4, F10); a request taken back cannot be made again (an assumption)."""
    return (s.request_state == RequestState.NONE) & (s.troops > 0) & ~s.us_withdrawing & (s.outcome == UNDECIDED)


def pm_request_value(s: State, p: ModelParams, leave_day: np.ndarray, *, belief: np.ndarray | None = None,
                     linkage_level: np.ndarray | None = None) -> np.ndarray:
    """The PM's value (R,) of a formal request now (`payoffs.request_value`); `belief` and
    `linkage_level` replace the state's, which is how Washington anticipates Baghdad under
    each of its postures (F17, F22)."""
    g, sa, wa = p.government, p.sanctions, p.washington
    exp_s, exp_l = baghdad_exposure(p)
    credible = s.credibility_belief if belief is None else belief
    return payoffs.request_value(
        pm_stance_now(s, p), committed_withdrawal(s, p), g.salience, leave_day,
        transitions.lead_days(presence(s, p), wa.withdrawal_days), credible, sa.magnitude, exp_s, exp_l,
        s.linkage_level if linkage_level is None else linkage_level, s.mandate, p.behaviour.discount_rate,
        escalation_cost=g.escalation_cost, mandate_weight=g.mandate_weight,
    )


def request_hazard(s: State, p: ModelParams, value: np.ndarray) -> np.ndarray:
    """Baghdad's hazard of a formal request per day: the PM's revision rate x its logit
    chance of requesting rather than waiting (F13, F15), 0 where no request is open."""
    return pm_revision_rate(s, p) * move_probability(value, lam(p.government, p)) * request_open(s)


# ---------------------------------------------------------------- deals (step 3)
@dataclass(frozen=True)
class Deal:
    """A drawdown under the Nash solution (`bargaining.nash_deal`): its size (share of the
    January 2020 force; 0 = no deal), Baghdad's gain per unit and conflict value, and
    Washington's cost per unit and the loss it avoids."""

    size: np.ndarray
    baghdad_per_unit: np.ndarray
    baghdad_conflict: np.ndarray
    washington_per_unit: np.ndarray
    washington_avoided: np.ndarray


def baghdad_power(p: ModelParams) -> np.ndarray:
    """Baghdad's share of a zone of agreement, from both sides' patience (F15)."""
    return bargaining.limit_share(p.behaviour.baghdad_patience, p.washington.patience)


def drawdown_deal(s: State, p: ModelParams, request_value: np.ndarray, hazard: np.ndarray, loss: np.ndarray,
                  stake: np.ndarray) -> Deal:
    """The drawdown both sides would agree under the Nash solution (F5, F19): Baghdad's
    conflict value is its request's worth times the discounted chance it would make it;
    Washington avoids its loss from a request times the same chance."""
    rho = p.behaviour.discount_rate
    a = valuation.discounted_weeks(INF_DAYS, rho)
    chance = valuation.discounted_chance(hazard, rho, INF_DAYS)
    per_unit_b = np.asarray(p.government.salience) * a
    conflict_b = np.maximum(request_value, 0.0) * chance
    per_unit_w = np.maximum(stake, 1e-6) * a
    avoided_w = loss * chance
    gap = np.maximum(pm_stance_now(s, p) - committed_withdrawal(s, p), 0.0)
    cap = np.minimum(presence(s, p), gap)
    size = bargaining.nash_deal(conflict_b / per_unit_b, avoided_w / per_unit_w, baghdad_power(p), cap)
    size = np.where(size >= p.behaviour.min_deal, size, 0.0)
    return Deal(size, np.broadcast_to(per_unit_b, size.shape), conflict_b, per_unit_w, avoided_w)


def pm_deal_gain(s: State, p: ModelParams, size: np.ndarray, conflict: np.ndarray) -> np.ndarray:
    """The PM's gain from a drawdown of `size` against its conflict value (F5, F19)."""
    w = committed_withdrawal(s, p)
    a = valuation.discounted_weeks(INF_DAYS, p.behaviour.discount_rate)
    return payoffs.withdrawal_gain(pm_stance_now(s, p), w, w + size, p.government.salience) * a - conflict


# ---------------------------------------------------------------- taking a request back
def pm_retraction_value(s: State, p: ModelParams, step: int, package: np.ndarray, leave_day: np.ndarray, *,
                        sanctions_on: np.ndarray | None = None) -> np.ndarray:
    """The PM's value (R,) of taking the formal request back with a package of `package`
    (share of the January force removed) against keeping it (F17, F19, F22). Keeping it
    brings full withdrawal once Washington leaves (now, if it is leaving; else on the day
    its stopping rule has it leave, `leave_day` after the request); taking it back stops the
    troops where they are, less the package. `sanctions_on` replaces whether sanctions are
    in force (Washington's what-if)."""
    g, sa, wa = p.government, p.sanctions, p.washington
    exp_s, exp_l = baghdad_exposure(p)
    w = committed_withdrawal(s, p)
    pres = presence(s, p)
    lead = transitions.lead_days(pres, wa.withdrawal_days)
    to_leave = np.where(s.us_withdrawing, 0.0, np.maximum(leave_day - days_since_request(s, p, step), 0.0))
    keep = payoffs.keep_request_gain(pm_stance_now(s, p), w, g.salience, to_leave,
                                     np.where(s.us_withdrawing, 0.0, lead), p.behaviour.discount_rate)
    w_back = 1.0 - np.maximum(pres - package, 0.0)
    imposed = s.sanctions_imposed if sanctions_on is None else sanctions_on
    relief = np.asarray(exp_s) * np.asarray(sa.magnitude) * np.where(
        imposed, float(sa.lifted_by_retraction), s.credibility_belief)
    return payoffs.retraction_value(pm_stance_now(s, p), w, w_back, keep, g.salience, relief, exp_l, s.linkage_level,
                                    s.mandate, p.behaviour.discount_rate, mandate_weight=g.mandate_weight)


def retraction_deal(s: State, p: ModelParams, step: int, stake: np.ndarray, now: AfterRequest) -> Deal:
    """Washington's package for taking the request back, by the same Nash solution (F17,
    F19): Baghdad's conflict value is what retracting without a package costs it;
    Washington avoids the worse of its two courses after the request."""
    rho = p.behaviour.discount_rate
    a = valuation.discounted_weeks(INF_DAYS, rho)
    pres = presence(s, p)
    per_unit_b = np.asarray(p.government.salience) * a
    conflict_b = np.maximum(-pm_retraction_value(s, p, step, np.zeros(s.runs), now.leave_day), 0.0)
    per_unit_w = np.maximum(stake, 1e-6) * a
    avoided_w = np.maximum(payoffs.presence_value(pres, stake, rho) - np.maximum(now.withdraw, now.stay), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # a Baghdad that gives troops no weight: any size will do
        size = bargaining.nash_deal(conflict_b / per_unit_b, avoided_w / per_unit_w, baghdad_power(p), pres)
    return Deal(size, np.broadcast_to(per_unit_b, size.shape), conflict_b, per_unit_w, avoided_w)


# ---------------------------------------------------------------- everything Washington and the PM see
@dataclass(frozen=True)
class Outlook:
    """The readings both sides' decisions share in one state (steps 1 to 3)."""

    stake: np.ndarray
    now: AfterRequest          # Washington's courses at today's point of the request's year
    loss: np.ndarray           # Washington's loss if a request came now
    request_value: np.ndarray  # the PM's value of a formal request now
    hazard: np.ndarray         # Baghdad's request hazard per day
    deal: Deal                 # the drawdown both would agree now


def outlook(s: State, p: ModelParams, step: int) -> Outlook:
    stake = washington_stake_now(s, p)
    now = after_request(s, p, days_since_request(s, p, step), stake, exit_plan(s, p))
    loss = request_loss(s, p, stake, now)
    value = pm_request_value(s, p, now.leave_day)
    hazard = request_hazard(s, p, value)
    return Outlook(stake, now, loss, value, hazard, drawdown_deal(s, p, value, hazard, loss, stake))


# ---------------------------------------------------------------- the prime minister
def government_open(s: State, deal_size: np.ndarray) -> np.ndarray:
    """The PM's open moves (R, 5) (F4, F5, F10, F19): talks on a drawdown while no request
    stands and there is a drawdown both sides could agree (`deal`), the formal request while
    it can be made, taking it back while it stands, accepting an offer that waits. `deal_size`
    is the drawdown both sides could agree now (`Outlook.deal.size`)."""
    none = (s.request_state == RequestState.NONE) & (s.outcome == UNDECIDED) & (s.troops > 0)
    waiting = s.proposal == Proposal.NONE
    active = (s.request_state == RequestState.ACTIVE) & (s.outcome == UNDECIDED)
    return np.stack([
        np.ones(s.runs, dtype=bool),
        none & waiting & ~s.us_withdrawing & (deal_size > 0),
        request_open(s),
        active,
        none & (s.proposal == Proposal.WASHINGTON_DRAWDOWN),
    ], axis=1)


def government_values(s: State, p: ModelParams, step: int, look: Outlook | None = None) -> np.ndarray:
    """The PM's values (R, 5) of wait (0), ask for talks on a drawdown, make the formal
    request, take it back, accept Washington's drawdown offer; each against waiting."""
    look = outlook(s, p, step) if look is None else look
    b = p.behaviour
    _, exp_l = baghdad_exposure(p)
    deal = look.deal
    accept_w = move_probability(deal.washington_avoided - deal.washington_per_unit * deal.size,
                                lam(p.washington, p)) * (deal.size > 0)
    talks_weeks = valuation.posture_weeks(pm_revision_rate(s, p), b.discount_rate, INF_DAYS)
    ask = accept_w * pm_deal_gain(s, p, deal.size, deal.baghdad_conflict) - payoffs.talks_cost(
        exp_l, s.linkage_level, talks_weeks)
    package = np.where(s.proposal == Proposal.RETRACTION_PACKAGE, s.proposal_size, 0.0)
    retract = np.zeros(s.runs)
    active = np.flatnonzero(s.request_state == RequestState.ACTIVE)  # only a standing request can be taken back
    if active.size:
        whole = active.size == s.runs
        sub, ps = (s, p) if whole else (s.take(active), p.take(active))
        retract[active] = pm_retraction_value(sub, ps, step, package[active], look.now.leave_day[active])
    offered = np.where(s.proposal == Proposal.WASHINGTON_DRAWDOWN, s.proposal_size, 0.0)
    accept = pm_deal_gain(s, p, offered, deal.baghdad_conflict)
    return np.stack([np.zeros(s.runs), ask, look.request_value, retract, accept], axis=1)


def government_view(s: State, p: ModelParams, step: int) -> tuple[np.ndarray, np.ndarray]:
    look = outlook(s, p, step)
    return government_values(s, p, step, look), government_open(s, look.deal.size)


# ---------------------------------------------------------------- Washington
def washington_open(s: State, p: ModelParams, deal_size: np.ndarray) -> np.ndarray:
    """Washington's open actions (R, 10). Before a formal request (or after one is taken
    back): reassure, link, and threaten sanctions 'if forced to leave' while troops are there
    and no drawdown has been agreed (F17, F22); offer a drawdown or accept Baghdad's. After a
    request: withdraw on schedule, negotiate a retraction, stay (F4, F21), and impose
    sanctions (F22); lift them once no request stands (F23). Nothing while its troops leave,
    but imposing or lifting sanctions."""
    here = (s.troops > 0) & ~s.us_withdrawing
    undecided = s.outcome == UNDECIDED
    active = (s.request_state == RequestState.ACTIVE) & undecided
    before = here & (s.request_state != RequestState.ACTIVE)
    untouched = s.request_state == RequestState.NONE
    override = p.sanctions.override
    can_impose = active & ~s.sanctions_imposed & (override is None)
    return np.stack([
        before,
        before & (s.drawdowns_agreed == 0),
        before,
        before & untouched & undecided & (s.proposal == Proposal.NONE) & (deal_size > 0),
        active & here,
        active & here,
        active & here,
        before & untouched & undecided & (s.proposal == Proposal.BAGHDAD_DRAWDOWN),
        can_impose,
        s.sanctions_imposed & ~active,
    ], axis=1)


def _rows_of(x: Any, rows: np.ndarray) -> Any:
    """`x` at `rows` if it is an array over the runs (a dataclass of them: each field)."""
    if hasattr(x, "__dataclass_fields__"):
        return type(x)(**{name: _rows_of(getattr(x, name), rows) for name in x.__dataclass_fields__})
    return x[rows] if isinstance(x, np.ndarray) and x.ndim >= 1 else x


def _pre_request_values(s: State, p: ModelParams, look: Outlook) -> np.ndarray:
    """Washington's values (R, 10) of its postures before a formal request (reassure,
    threaten, link: F17, F19, F22) and of the moves open then (offer a drawdown, accept
    Baghdad's proposal, lift sanctions), each move worth the standing posture's value plus
    what it adds; other columns 0 (not open)."""
    wa, sa, b = p.washington, p.sanctions, p.behaviour
    rho = b.discount_rate
    weeks = valuation.posture_weeks(wa.revision_rate, rho, INF_DAYS)
    half = 0.5 / np.maximum(np.asarray(wa.revision_rate, dtype=np.float64), 1e-9)
    faded = np.exp(-np.asarray(wa.signal_decay) * half)
    signals = {
        WashingtonAction.REASSURE: (False, s.linkage_level * faded, 0.0),
        WashingtonAction.THREATEN_SANCTIONS: (True, s.linkage_level * faded, wa.threat_cost),
        WashingtonAction.LINK_ISSUES: (False, np.ones(s.runs), wa.linkage_cost),
    }
    v = np.zeros((s.runs, len(WashingtonAction)))
    for action, (threatens, linkage, cost) in signals.items():
        belief = transitions.credibility_after_posture(
            s.credibility_belief, np.full(s.runs, threatens), resolute_signal=sa.resolute_signal,
            bluff_signal=sa.bluff_signal)
        value = pm_request_value(s, p, look.now.leave_day, belief=belief, linkage_level=linkage)
        risk = valuation.competing_chance(request_hazard(s, p, value), wa.revision_rate, rho)
        v[:, action] = payoffs.posture_risk_value(cost, weeks, look.loss, risk)
    current = _standing_value(s, p, v, list(signals))
    deal = look.deal
    accept = pm_responsiveness(s, p) * move_probability(pm_deal_gain(s, p, deal.size, deal.baghdad_conflict),
                                                        lam(p.government, p))
    v[:, WashingtonAction.OFFER_DRAWDOWN] = current + accept * (
        deal.washington_avoided - deal.washington_per_unit * deal.size) * (deal.size > 0) - np.asarray(wa.offer_cost)
    asked = np.where(s.proposal_size >= 0, s.proposal_size, deal.size)
    v[:, WashingtonAction.ACCEPT_PROPOSAL] = current + deal.washington_avoided - deal.washington_per_unit * asked
    v[:, WashingtonAction.LIFT_SANCTIONS] = current + _sanctions_burden(s, p) * valuation.discounted_weeks(INF_DAYS, rho)
    return v


def _post_request_values(s: State, p: ModelParams, step: int, look: Outlook) -> np.ndarray:
    """Washington's values (R, 10) after a formal request: withdraw and stay by the stopping
    rule (F4, F21), negotiate by the package Baghdad would accept (Nash solution) and its
    chance of accepting (F17, F19), and imposing sanctions (F22, F23) as the standing
    posture's value plus what imposing adds; other columns 0 (not open)."""
    wa, b = p.washington, p.behaviour
    rho = b.discount_rate
    lam_g = lam(p.government, p)
    now = look.now
    package = retraction_deal(s, p, step, look.stake, now)
    accept = pm_responsiveness(s, p) * move_probability(
        pm_retraction_value(s, p, step, package.size, now.leave_day), lam_g)
    v = np.zeros((s.runs, len(WashingtonAction)))
    v[:, WashingtonAction.WITHDRAW_ON_SCHEDULE] = now.withdraw
    v[:, WashingtonAction.STAY] = now.stay
    v[:, WashingtonAction.NEGOTIATE_RETRACTION] = (
        accept * payoffs.presence_value(presence(s, p) - package.size, look.stake, rho) + (1.0 - accept) * now.stay
        - np.asarray(wa.offer_cost) * (package.size > 0))
    current = _standing_value(s, p, v, [WashingtonAction.WITHDRAW_ON_SCHEDULE, WashingtonAction.NEGOTIATE_RETRACTION,
                                        WashingtonAction.STAY])
    rate = pm_revision_rate(s, p)
    zero = np.zeros(s.runs)

    def retraction_chance(sanctions_on: bool) -> np.ndarray:
        value = pm_retraction_value(s, p, step, zero, now.leave_day, sanctions_on=np.full(s.runs, sanctions_on))
        return valuation.discounted_chance(rate * move_probability(value, lam_g), rho, INF_DAYS)

    coercion = (retraction_chance(True) - retraction_chance(False)) * package.washington_avoided
    v[:, WashingtonAction.IMPOSE_SANCTIONS] = current + payoffs.imposition_value(
        s.threat_level, _sanctions_burden(s, p), coercion, rho, reputation_weight=wa.reputation_weight)
    return v


def _standing_value(s: State, p: ModelParams, v: np.ndarray, postures: list) -> np.ndarray:
    """Adds the switching cost saved by keeping the standing posture to the posture columns
    of `v`, and returns what Washington keeps by not changing posture: the standing
    posture's value where it is one of `postures`, else (a posture no longer open, which it
    must leave) the best of them."""
    cols = np.array([int(a) for a in postures])
    kept = cols[None, :] == s.washington_posture[:, None]
    v[:, cols] += np.asarray(p.washington.switching_cost).reshape(-1, 1) * kept
    block = v[:, cols]
    standing = np.where(kept.any(axis=1), (block * kept).sum(axis=1), -np.inf)
    return np.where(kept.any(axis=1), standing, block.max(axis=1))


def _sanctions_burden(s: State, p: ModelParams) -> np.ndarray:
    sa, wa = p.sanctions, p.washington
    return payoffs.sanctions_burden(sa.magnitude, s.iran_influence, own_cost=sa.washington_cost,
                                    iran_weight=wa.iran_weight, influence_sanctions_weight=p.world.influence_sanctions_weight)


def washington_values(s: State, p: ModelParams, step: int, look: Outlook | None = None) -> np.ndarray:
    """Washington's values (R, 10) of its actions (see `WashingtonAction`).

    Postures stand until its next revision: reassure, threaten and link are valued by their
    public cost over that time and the loss a formal request would bring times the chance
    Baghdad makes one meanwhile, which the posture's signal changes (F17, F19, F22; the
    PM's request value and capacity, anticipated with Baghdad's own payoffs); withdraw and
    stay by the stopping rule of `payoffs.stay_value` (F4, F21); negotiate by the package
    Baghdad would accept (Nash solution) and its chance of accepting. A one-off move is
    worth the standing posture's value plus what the move adds. Runs with and without a
    formal request standing are valued apart (only their own actions are open)."""
    look = outlook(s, p, step) if look is None else look
    active = s.request_state == RequestState.ACTIVE
    v = np.zeros((s.runs, len(WashingtonAction)))
    for rows, block in ((np.flatnonzero(~active), "pre"), (np.flatnonzero(active), "post")):
        if rows.size == 0:
            continue
        whole = rows.size == s.runs
        sub = s if whole else s.take(rows)
        ps = p if whole else p.take(rows)
        lk = look if whole else _rows_of(look, rows)
        v[rows] = _pre_request_values(sub, ps, lk) if block == "pre" else _post_request_values(sub, ps, step, lk)
    return v


def washington_view(s: State, p: ModelParams, step: int) -> tuple[np.ndarray, np.ndarray]:
    look = outlook(s, p, step)
    return washington_values(s, p, step, look), washington_open(s, p, look.deal.size)


def retraction_package(s: State, p: ModelParams, step: int) -> np.ndarray:
    """The size of the package Washington would offer for a retraction now (F17, F19)."""
    stake = washington_stake_now(s, p)
    now = after_request(s, p, days_since_request(s, p, step), stake, exit_plan(s, p))
    return retraction_deal(s, p, step, stake, now).size


# ================================================================ the same readings for one run, compiled
# The compiled stages (`stages.py`) read a run's outlook and values through these kernels:
# `pr` is the run's row of `packing.packed(params)[0]`, the state's fields are its numbers.
# They compute what the functions above compute, operation for operation.
@kernel(inline=True)
def deal_gain_of(pr: np.ndarray, stance: float, committed: float, size: float, conflict: float) -> float:
    """`pm_deal_gain` in one run."""
    return payoffs.gain_of(stance, committed, committed + size, pr[K.G_SALIENCE]) * pr[K.WEEKS_AHEAD] - conflict


@kernel(inline=True)
def retraction_value_of(pr: np.ndarray, package: float, leave_day: float, days_since: float, troops: float,
                        troop_target: float, stance: float, us_withdrawing: bool, sanctions_on: bool, belief: float,
                        linkage_level: float, mandate: float) -> float:
    """`pm_retraction_value` in one run (`sanctions_on`: whether sanctions are in force)."""
    a = pr[K.WEEKS_AHEAD]
    w = 1.0 - transitions.presence_of(troop_target, pr[K.W_INITIAL_TROOPS])
    pres = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    lead = pres * pr[K.WA_WITHDRAWAL_DAYS]
    to_leave = 0.0 if us_withdrawing else max(leave_day - days_since, 0.0)
    keep = payoffs.keep_gain_of(stance, w, pr[K.G_SALIENCE], to_leave, 0.0 if us_withdrawing else lead,
                                pr[K.B_DISCOUNT_RATE], a)
    w_back = 1.0 - max(pres - package, 0.0)
    relief = pr[K.SANCTIONS_EXPOSURE] * pr[K.SA_MAGNITUDE] * (pr[K.SA_LIFTED_BY_RETRACTION] if sanctions_on else belief)
    political = payoffs.gain_of(stance, w, w_back, pr[K.G_SALIENCE]) * a - keep
    return political + (relief + pr[K.LINKAGE_EXPOSURE] * linkage_level) * a - pr[K.G_MANDATE_WEIGHT] * mandate


@kernel(inline=True)
def pm_rate_of(pr: np.ndarray, caretaker: bool, majority: bool, protests: float) -> tuple[float, float]:
    """The PM's responsiveness and revision rate in one run (`pm_responsiveness`, `pm_revision_rate`)."""
    share = (1.0 - pr[K.G_CARETAKER_DEFERENCE] * (1.0 if caretaker else 0.0)) * (
        1.0 - pr[K.G_PROTEST_DRAIN] * protests)
    share = 1.0 if majority else share
    return share, pr[K.G_MAJORITY_REVISION_RATE] if majority else pr[K.G_BASE_REVISION_RATE] * share


@kernel(inline=True)
def outlook_of(pr: np.ndarray, day: int, troops: float, troop_target: float, isis: float, influence: float,
               tension: float, request_state: int, request_day: int, us_withdrawing: bool, outcome: int,
               stance: float, belief: float, linkage_level: float, mandate: float, pm_rate: float,
               out: np.ndarray) -> None:
    """`outlook` in one run, into `out` (the `OUTLOOK` fields in order)."""
    rho, a = pr[K.B_DISCOUNT_RATE], pr[K.WEEKS_AHEAD]
    lw, ov = pr[K.WA_LEGITIMACY_WEIGHT], pr[K.WA_OVERSTAY_PENALTY]
    pres = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    committed = 1.0 - transitions.presence_of(troop_target, pr[K.W_INITIAL_TROOPS])
    stake = (pr[K.WA_ISIS_WEIGHT] * isis + 2.0 * pr[K.WA_IRAN_WEIGHT] * influence * pr[K.W_INFLUENCE_VACUUM_WEIGHT]
             - pr[K.WA_FORCE_PROTECTION_WEIGHT] * tension)
    interval = pr[K.WASHINGTON_INTERVAL]
    lead = pres * pr[K.WA_WITHDRAWAL_DAYS]
    leave_day = payoffs.stopping_day(stake, interval, lead, rho, lw, ov, 10.0, 2.0)
    active = request_state == RequestState.ACTIVE
    days_since = float(day - request_day) if active else 0.0
    withdraw = payoffs.withdrawal_path(pres, stake, days_since, lead, rho, lw, ov) if active else 0.0
    stay = payoffs.stay_path(pres, stake, days_since, interval, lead, rho, lw, ov) if active else 0.0
    loss = max(pres * stake * a - payoffs.request_path(pres, stake, leave_day, lead, rho, lw, ov), 0.0)
    value = payoffs.request_value_of(stance, committed, pr[K.G_SALIENCE], leave_day, lead, belief, pr[K.SA_MAGNITUDE],
                                     pr[K.SANCTIONS_EXPOSURE], pr[K.LINKAGE_EXPOSURE], linkage_level, mandate, rho, a,
                                     pr[K.G_ESCALATION_COST], pr[K.G_MANDATE_WEIGHT])
    can_request = (request_state == RequestState.NONE and troops > 0 and not us_withdrawing and outcome == UNDECIDED)
    hazard = pm_rate * move_chance(value, pr[K.LAM_GOVERNMENT]) * (1.0 if can_request else 0.0)
    # the drawdown both would agree (`drawdown_deal`)
    chance = valuation.chance_discounted(hazard, rho, INF_DAYS)
    per_unit_b = pr[K.G_SALIENCE] * a
    conflict_b = max(value, 0.0) * chance
    per_unit_w = max(stake, 1e-6) * a
    avoided_w = loss * chance
    cap = min(pres, max(stance - committed, 0.0))
    size = bargaining.nash_size(conflict_b / per_unit_b, avoided_w / per_unit_w, pr[K.BAGHDAD_POWER], cap)
    size = size if size >= pr[K.B_MIN_DEAL] else 0.0
    out[O_STAKE], out[O_WITHDRAW], out[O_STAY], out[O_LEAVE_DAY] = stake, withdraw, stay, leave_day
    out[O_LOSS], out[O_REQUEST_VALUE], out[O_HAZARD] = loss, value, hazard
    out[O_DEAL_SIZE], out[O_DEAL_PER_UNIT_B], out[O_DEAL_CONFLICT_B] = size, per_unit_b, conflict_b
    out[O_DEAL_PER_UNIT_W], out[O_DEAL_AVOIDED_W] = per_unit_w, avoided_w


#: the fields `outlook_of` writes, in order
OUTLOOK = ("stake", "withdraw", "stay", "leave_day", "loss", "request_value", "hazard", "deal_size",
           "deal_per_unit_b", "deal_conflict_b", "deal_per_unit_w", "deal_avoided_w")
O_STAKE, O_WITHDRAW, O_STAY, O_LEAVE_DAY, O_LOSS, O_REQUEST_VALUE, O_HAZARD = 0, 1, 2, 3, 4, 5, 6
O_DEAL_SIZE, O_DEAL_PER_UNIT_B, O_DEAL_CONFLICT_B, O_DEAL_PER_UNIT_W, O_DEAL_AVOIDED_W = 7, 8, 9, 10, 11


@kernel(inline=True)
def government_values_of(pr: np.ndarray, look: np.ndarray, pm_rate: float, days_since: float, troops: float,
                         troop_target: float, stance: float, request_state: int, us_withdrawing: bool,
                         sanctions_imposed: bool, belief: float, linkage_level: float, mandate: float, proposal: int,
                         proposal_size: float, out: np.ndarray) -> None:
    """`government_values` in one run, into `out` (wait, ask for talks, request, take it
    back, accept an offer), from its outlook `look` (`outlook_of`)."""
    committed = 1.0 - transitions.presence_of(troop_target, pr[K.W_INITIAL_TROOPS])
    size, conflict = look[O_DEAL_SIZE], look[O_DEAL_CONFLICT_B]
    accept_w = move_chance(look[O_DEAL_AVOIDED_W] - look[O_DEAL_PER_UNIT_W] * size, pr[K.LAM_WASHINGTON]) * (
        1.0 if size > 0 else 0.0)
    talks_weeks = valuation.weeks_within(INF_DAYS, pm_rate + pr[K.B_DISCOUNT_RATE])
    out[0] = 0.0
    out[1] = accept_w * deal_gain_of(pr, stance, committed, size, conflict) - (
        pr[K.LINKAGE_EXPOSURE] * linkage_level * talks_weeks)
    out[2] = look[O_REQUEST_VALUE]
    out[3] = 0.0
    if request_state == RequestState.ACTIVE:
        package = proposal_size if proposal == Proposal.RETRACTION_PACKAGE else 0.0
        out[3] = retraction_value_of(pr, package, look[O_LEAVE_DAY], days_since, troops, troop_target, stance,
                                     us_withdrawing, sanctions_imposed, belief, linkage_level, mandate)
    offered = proposal_size if proposal == Proposal.WASHINGTON_DRAWDOWN else 0.0
    out[4] = deal_gain_of(pr, stance, committed, offered, conflict)


@kernel(inline=True)
def government_open_of(troops: float, request_state: int, outcome: int, proposal: int, us_withdrawing: bool,
                       deal_size: float, out: np.ndarray) -> None:
    """`government_open` in one run."""
    none = request_state == RequestState.NONE and outcome == UNDECIDED and troops > 0
    out[0] = True
    out[1] = none and proposal == Proposal.NONE and not us_withdrawing and deal_size > 0
    out[2] = request_state == RequestState.NONE and troops > 0 and not us_withdrawing and outcome == UNDECIDED
    out[3] = request_state == RequestState.ACTIVE and outcome == UNDECIDED
    out[4] = none and proposal == Proposal.WASHINGTON_DRAWDOWN


@kernel(inline=True)
def washington_open_of(pr: np.ndarray, troops: float, us_withdrawing: bool, outcome: int, request_state: int,
                       drawdowns_agreed: int, proposal: int, sanctions_imposed: bool, deal_size: float,
                       out: np.ndarray) -> None:
    """`washington_open` in one run."""
    here = troops > 0 and not us_withdrawing
    undecided = outcome == UNDECIDED
    active = request_state == RequestState.ACTIVE and undecided
    before = here and request_state != RequestState.ACTIVE
    untouched = request_state == RequestState.NONE
    out[0] = before
    out[1] = before and drawdowns_agreed == 0
    out[2] = before
    out[3] = before and untouched and undecided and proposal == Proposal.NONE and deal_size > 0
    out[4] = active and here
    out[5] = active and here
    out[6] = active and here
    out[7] = before and untouched and undecided and proposal == Proposal.BAGHDAD_DRAWDOWN
    out[8] = active and not sanctions_imposed and pr[K.OVERRIDE] == -1.0
    out[9] = sanctions_imposed and not active


@kernel(inline=True)
def standing_value_of(pr: np.ndarray, v: np.ndarray, first: int, posture: int) -> float:
    """`_standing_value` in one run over the three posture columns first..first+2 of `v`."""
    kept_any = False
    total = 0.0
    best = -math.inf
    for k in range(3):
        kept = first + k == posture
        v[first + k] = v[first + k] + pr[K.WA_SWITCHING_COST] * (1.0 if kept else 0.0)
        term = v[first + k] * (1.0 if kept else 0.0)
        total = term if k == 0 else total + term
        kept_any = kept_any or kept
        best = v[first + k] if (k == 0 or v[first + k] > best) else best
    return total if kept_any else best


@kernel(inline=True)
def retraction_deal_of(pr: np.ndarray, look: np.ndarray, days_since: float, troops: float, troop_target: float,
                       stance: float, us_withdrawing: bool, sanctions_imposed: bool, belief: float,
                       linkage_level: float, mandate: float) -> tuple[float, float]:
    """`retraction_deal` in one run: the package's size and the loss Washington avoids."""
    a = pr[K.WEEKS_AHEAD]
    pres = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    stake = look[O_STAKE]
    per_unit_b = pr[K.G_SALIENCE] * a
    conflict_b = max(-retraction_value_of(pr, 0.0, look[O_LEAVE_DAY], days_since, troops, troop_target, stance,
                                          us_withdrawing, sanctions_imposed, belief, linkage_level, mandate), 0.0)
    per_unit_w = max(stake, 1e-6) * a
    avoided_w = max(pres * stake * a - max(look[O_WITHDRAW], look[O_STAY]), 0.0)
    return bargaining.nash_size(conflict_b / per_unit_b, avoided_w / per_unit_w, pr[K.BAGHDAD_POWER], pres), avoided_w


@kernel(inline=True)
def washington_values_of(pr: np.ndarray, look: np.ndarray, package: float, package_avoided: float, pm_share: float,
                         pm_rate: float, days_since: float, troops: float, troop_target: float, stance: float,
                         request_state: int, us_withdrawing: bool, sanctions_imposed: bool, belief: float,
                         linkage_level: float, mandate: float, influence: float, threat_level: float, posture: int,
                         proposal_size: float, can_request: bool, out: np.ndarray) -> None:
    """`washington_values` in one run, into `out` (see `WashingtonAction`), from its outlook
    `look` and the retraction package (`retraction_deal_of`)."""
    rho, a = pr[K.B_DISCOUNT_RATE], pr[K.WEEKS_AHEAD]
    lam_g = pr[K.LAM_GOVERNMENT]
    pres = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    committed = 1.0 - transitions.presence_of(troop_target, pr[K.W_INITIAL_TROOPS])
    lead = pres * pr[K.WA_WITHDRAWAL_DAYS]
    burden = payoffs.burden_of(pr[K.SA_MAGNITUDE], influence, pr[K.SA_WASHINGTON_COST], pr[K.WA_IRAN_WEIGHT],
                               pr[K.W_INFLUENCE_SANCTIONS_WEIGHT])
    out[:] = 0.0
    if request_state != RequestState.ACTIVE:  # `_pre_request_values`
        for k in range(3):
            threatens = k == WashingtonAction.THREATEN_SANCTIONS
            linkage = 1.0 if k == WashingtonAction.LINK_ISSUES else linkage_level * pr[K.SIGNAL_KEPT]
            cost = pr[K.WA_THREAT_COST] if threatens else (pr[K.WA_LINKAGE_COST] if k == WashingtonAction.LINK_ISSUES
                                                           else 0.0)
            read = transitions.belief_after_posture(belief, threatens, pr[K.SA_RESOLUTE_SIGNAL], pr[K.SA_BLUFF_SIGNAL])
            value = payoffs.request_value_of(stance, committed, pr[K.G_SALIENCE], look[O_LEAVE_DAY], lead, read,
                                             pr[K.SA_MAGNITUDE], pr[K.SANCTIONS_EXPOSURE], pr[K.LINKAGE_EXPOSURE],
                                             linkage, mandate, rho, a, pr[K.G_ESCALATION_COST],
                                             pr[K.G_MANDATE_WEIGHT])
            hazard = pm_rate * move_chance(value, lam_g) * (1.0 if can_request else 0.0)
            risk = valuation.chance_before(hazard, pr[K.WA_REVISION_RATE], rho)
            out[k] = -cost * pr[K.WASHINGTON_WEEKS] - look[O_LOSS] * risk
        current = standing_value_of(pr, out, 0, posture)
        size = look[O_DEAL_SIZE]
        accept = pm_share * move_chance(deal_gain_of(pr, stance, committed, size, look[O_DEAL_CONFLICT_B]), lam_g)
        out[WashingtonAction.OFFER_DRAWDOWN] = current + accept * (
            look[O_DEAL_AVOIDED_W] - look[O_DEAL_PER_UNIT_W] * size) * (1.0 if size > 0 else 0.0) - pr[K.WA_OFFER_COST]
        asked = proposal_size if proposal_size >= 0 else size
        out[WashingtonAction.ACCEPT_PROPOSAL] = current + look[O_DEAL_AVOIDED_W] - look[O_DEAL_PER_UNIT_W] * asked
        out[WashingtonAction.LIFT_SANCTIONS] = current + burden * a
        return
    # `_post_request_values`
    stake, leave_day = look[O_STAKE], look[O_LEAVE_DAY]
    accept = pm_share * move_chance(retraction_value_of(pr, package, leave_day, days_since, troops, troop_target,
                                                        stance, us_withdrawing, sanctions_imposed, belief,
                                                        linkage_level, mandate), lam_g)
    out[WashingtonAction.WITHDRAW_ON_SCHEDULE] = look[O_WITHDRAW]
    out[WashingtonAction.STAY] = look[O_STAY]
    out[WashingtonAction.NEGOTIATE_RETRACTION] = (accept * ((pres - package) * stake * a) + (1.0 - accept) * look[O_STAY]
                                                  - pr[K.WA_OFFER_COST] * (1.0 if package > 0 else 0.0))
    current = standing_value_of(pr, out, WashingtonAction.WITHDRAW_ON_SCHEDULE, posture)
    # the PM's chance of taking the request back with sanctions in force (on) and without (off)
    value_on = retraction_value_of(pr, 0.0, leave_day, days_since, troops, troop_target, stance, us_withdrawing,
                                   True, belief, linkage_level, mandate)
    chance_on = valuation.chance_discounted(pm_rate * move_chance(value_on, lam_g), rho, INF_DAYS)
    value_off = retraction_value_of(pr, 0.0, leave_day, days_since, troops, troop_target, stance, us_withdrawing,
                                    False, belief, linkage_level, mandate)
    chance_off = valuation.chance_discounted(pm_rate * move_chance(value_off, lam_g), rho, INF_DAYS)
    coercion = (chance_on - chance_off) * package_avoided
    out[WashingtonAction.IMPOSE_SANCTIONS] = current + (pr[K.WA_REPUTATION_WEIGHT] * threat_level + coercion
                                                        - burden * a)
