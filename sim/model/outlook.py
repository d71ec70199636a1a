"""What the prime minister and Washington both read before they decide (docs/odd.md,
"Decisions"), for one run: Washington's courses after a formal request and the day its
stopping rule has it leave (F4, F21), its loss if a request came now, the PM's value of a
formal request and its hazard, the drawdown both would agree (Nash solution, F5, F19), the
PM's value of taking a request back and Washington's package for it (F17, F19, F22), and
the PM's capacity to act (F13, F14, F15).

Anticipation goes one level deep and in a fixed order, so nothing is circular:
1. Washington's values of withdrawing or staying after a request (its own payoffs only);
2. the PM's value of a formal request, with the day Washington is expected to leave from 1;
3. the PM's request hazard (its revision rate x its logit chance of requesting), which
   gives both sides' stakes in a deal and the deal's size (the Nash solution);
4. every action's value (`actors.government`, `actors.washington`), with the other side's
   chance of accepting a proposal from its own logit choice over the proposal's worth to it.

`pr` is a run's row of `packing.packed(params)[0]`; the state's fields are its numbers.
Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

import math

import numpy as np

from . import bargaining, payoffs, transitions, valuation
from . import packing as K
from .choice import move_chance
from .compiled import at, kernel
from .legal import can_request
from .outcomes import RequestState

INF_DAYS = math.inf  # values look ahead without a horizon: discounting bounds them


@kernel(inline=True)
def stance_of(pr: np.ndarray, pm_position: float, collective_stance: float) -> float:
    """The stance the PM acts on: its own position weighted by `pm_weight`, the rest Baghdad's
    collective stance (F11, F13, F15: a PM answers to the coalition behind it)."""
    return pr[K.G_PM_WEIGHT] * pm_position + (1.0 - pr[K.G_PM_WEIGHT]) * collective_stance


@kernel(inline=True)
def deal_parts_of(pr: np.ndarray, stance: float, committed: float, size: float, conflict: float) -> tuple[float, float]:
    """The PM's gain from a drawdown of `size` against its conflict value (F5, F19), as its
    parts: the drawdown's worth over the discounted weeks ahead, and minus what pressing on
    alone is worth (`conflict`)."""
    return payoffs.gain_of(stance, committed, committed + size, pr[K.G_SALIENCE]) * pr[K.WEEKS_AHEAD], -conflict


@kernel(inline=True)
def deal_gain_of(pr: np.ndarray, stance: float, committed: float, size: float, conflict: float) -> float:
    """The sum of `deal_parts_of`."""
    worth, pressing = deal_parts_of(pr, stance, committed, size, conflict)
    return worth + pressing


@kernel(inline=True)
def retraction_parts_of(pr: np.ndarray, package: float, leave_day: float, days_since: float, troops: float,
                        troop_target: float, stance: float, us_withdrawing: bool, sanctions_on: bool, belief: float,
                        linkage_level: float, mandate: float, mobilisation: float) -> tuple[float, float, float, float]:
    """The PM's value of taking the formal request back with a package of `package` (share of
    the January force removed) against keeping it (F17, F19, F22), as its parts (their sum
    is `retraction_value_of`): the withdrawal it gets at once instead against what keeping
    the request is still worth (full withdrawal once Washington leaves: now if it is leaving,
    else on the day its stopping rule has it leave, `leave_day` after the request); the
    sanctions relief (imposed sanctions a retraction lifts, or threatened ones it removes;
    `sanctions_on`: whether sanctions are in force) and the linked support restored (F17);
    minus the loss of defying parliament's resolution (F12); minus the audience cost of
    backing down from a public request (Fearon 1994; the Shia blocs call the presence an
    occupation, F16, and the street marched for withdrawal, F18), rising with mobilisation."""
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
    # standing lost for good: valued over the weeks ahead like every lasting term
    backdown = (pr[K.G_RETRACTION_COST] + pr[K.G_STREET_WEIGHT] * mobilisation) * a
    return (political, (relief + pr[K.LINKAGE_EXPOSURE] * linkage_level) * a, -(pr[K.G_MANDATE_WEIGHT] * mandate),
            -backdown)


@kernel(inline=True)
def retraction_value_of(pr: np.ndarray, package: float, leave_day: float, days_since: float, troops: float,
                        troop_target: float, stance: float, us_withdrawing: bool, sanctions_on: bool, belief: float,
                        linkage_level: float, mandate: float, mobilisation: float) -> float:
    """The sum of `retraction_parts_of`."""
    political, restored, defied, backdown = retraction_parts_of(pr, package, leave_day, days_since, troops,
                                                                troop_target, stance, us_withdrawing, sanctions_on,
                                                                belief, linkage_level, mandate, mobilisation)
    return ((political + restored) + defied) + backdown


@kernel(inline=True)
def pm_rate_of(pr: np.ndarray, caretaker: bool, majority: bool, protests: float) -> tuple[float, float]:
    """The PM's capacity to act: the share of its chances to act the government takes (a
    caretaker defers, F13; protests drain it, F14; a PM with a majority acts, F15) and how
    often per day it reconsiders its course."""
    share = (1.0 - pr[K.G_CARETAKER_DEFERENCE] * (1.0 if caretaker else 0.0)) * (
        1.0 - pr[K.G_PROTEST_DRAIN] * protests)
    share = 1.0 if majority else share
    return share, pr[K.G_MAJORITY_REVISION_RATE] if majority else pr[K.G_BASE_REVISION_RATE] * share


@kernel(inline=True)
def outlook_of(pr: np.ndarray, day: int, troops: float, troop_target: float, isis: float, influence: float,
               tension: float, request_state: int, request_day: int, us_withdrawing: bool, outcome: int,
               stance: float, belief: float, linkage_level: float, mandate: float, pm_rate: float,
               out: np.ndarray) -> None:
    """The readings both sides' decisions share in one state (steps 1 to 3 above), into `out`
    (the `OUTLOOK` fields in order)."""
    rho, a = pr[K.B_DISCOUNT_RATE], pr[K.WEEKS_AHEAD]
    lw, ov = pr[K.WA_LEGITIMACY_WEIGHT], pr[K.WA_OVERSTAY_PENALTY]
    pres = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    committed = 1.0 - transitions.presence_of(troop_target, pr[K.W_INITIAL_TROOPS])
    stake = payoffs.stake_of(isis, influence, tension, pr[K.WA_ISIS_WEIGHT], pr[K.WA_IRAN_WEIGHT],
                             pr[K.W_INFLUENCE_VACUUM_WEIGHT], pr[K.WA_FORCE_PROTECTION_WEIGHT])
    interval = pr[K.WASHINGTON_INTERVAL]
    lead = pres * pr[K.WA_WITHDRAWAL_DAYS]
    notice = pr[K.L_NOTICE_DAYS]
    leave_day = payoffs.stopping_day(stake, interval, lead, rho, lw, ov, 10.0, 2.0, notice)
    active = request_state == RequestState.ACTIVE
    days_since = float(day - request_day) if active else 0.0
    withdraw = payoffs.withdrawal_path(pres, stake, days_since, lead, rho, lw, ov, notice) if active else 0.0
    stay = payoffs.stay_path(pres, stake, days_since, interval, lead, rho, lw, ov, notice) if active else 0.0
    loss = max(pres * stake * a - payoffs.request_path(pres, stake, leave_day, lead, rho, lw, ov, notice), 0.0)
    value = payoffs.request_value_of(stance, committed, pr[K.G_SALIENCE], leave_day, lead, belief, pr[K.SA_MAGNITUDE],
                                     pr[K.SANCTIONS_EXPOSURE], pr[K.LINKAGE_EXPOSURE], linkage_level, mandate, rho, a,
                                     pr[K.G_ESCALATION_COST], pr[K.G_MANDATE_WEIGHT])
    open_ = can_request(pr, request_state, troops, us_withdrawing, outcome)
    hazard = pm_rate * move_chance(value, pr[K.LAM_GOVERNMENT]) * (1.0 if open_ else 0.0)
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
(O_STAKE, O_WITHDRAW, O_STAY, O_LEAVE_DAY, O_LOSS, O_REQUEST_VALUE, O_HAZARD, O_DEAL_SIZE, O_DEAL_PER_UNIT_B,
 O_DEAL_CONFLICT_B, O_DEAL_PER_UNIT_W, O_DEAL_AVOIDED_W) = range(len(OUTLOOK))


@kernel(inline=True)
def retraction_deal_of(pr: np.ndarray, look: np.ndarray, days_since: float, troops: float, troop_target: float,
                       stance: float, us_withdrawing: bool, sanctions_imposed: bool, belief: float,
                       linkage_level: float, mandate: float, mobilisation: float) -> tuple[float, float]:
    """Washington's package for taking the request back, by the Nash solution (F17, F19):
    Baghdad's conflict value is what retracting without a package costs it; Washington avoids
    the worse of its two courses after the request. Returns the package's size and the loss
    Washington avoids."""
    a = pr[K.WEEKS_AHEAD]
    pres = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    stake = look[O_STAKE]
    per_unit_b = pr[K.G_SALIENCE] * a
    conflict_b = max(-retraction_value_of(pr, 0.0, look[O_LEAVE_DAY], days_since, troops, troop_target, stance,
                                          us_withdrawing, sanctions_imposed, belief, linkage_level, mandate,
                                          mobilisation), 0.0)
    per_unit_w = max(stake, 1e-6) * a
    avoided_w = max(pres * stake * a - max(look[O_WITHDRAW], look[O_STAY]), 0.0)
    return bargaining.nash_size(conflict_b / per_unit_b, avoided_w / per_unit_w, pr[K.BAGHDAD_POWER], pres), avoided_w


@kernel
def outlook_rows(lo: int, hi: int, par: np.ndarray, day: int, pm_rate: np.ndarray, pm_position: np.ndarray,
                 collective_stance: np.ndarray, troops: np.ndarray, troop_target: np.ndarray, isis_threat: np.ndarray, iran_influence: np.ndarray,
                 tension: np.ndarray, request_state: np.ndarray, request_day: np.ndarray, us_withdrawing: np.ndarray,
                 outcome: np.ndarray, credibility_belief: np.ndarray, linkage_level: np.ndarray, mandate: np.ndarray,
                 out: np.ndarray) -> None:
    """`outlook_of` for the runs lo..hi-1, into out (R, len(OUTLOOK)) (`sim.model.views.outlook`)."""
    for i in range(lo, hi):
        pr = at(par, i)
        outlook_of(pr, day, troops[i], troop_target[i], isis_threat[i], iran_influence[i], tension[i],
                   request_state[i], request_day[i], us_withdrawing[i], outcome[i],
                   stance_of(pr, pm_position[i], collective_stance[i]), credibility_belief[i], linkage_level[i],
                   mandate[i], pm_rate[i], out[i])


@kernel
def pm_rate_rows(lo: int, hi: int, par: np.ndarray, caretaker: np.ndarray, pm_majority: np.ndarray,
                 protests: np.ndarray, share: np.ndarray, rate: np.ndarray) -> None:
    """`pm_rate_of` for the runs lo..hi-1."""
    for i in range(lo, hi):
        share[i], rate[i] = pm_rate_of(at(par, i), caretaker[i], pm_majority[i], protests[i])
