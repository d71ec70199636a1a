"""Payoffs of every actor, as pure functions over arrays with a leading runs axis.

Each term cites the facts of docs/facts.md it comes from. Positions lie on one issue axis:
0 = US forces stay indefinitely, 1 = full withdrawal now. Payoff coefficients are payoffs
per week of a situation; a move's value is the flow it changes times the discounted weeks
it lasts (`valuation`). World variables are arrays of shape (R,); faction attributes (F,)
or (R, F); coefficients floats or per-run (R,) arrays (sweeps).

Which actor weighs which fact, once (docs/odd.md, "One channel per fact"):
- what Baghdad *wants*, its stance, comes from the factions' stated positions: their
  ideal and salience (F12, F14, F16), security against ISIS (F1, F14), Tehran's pressure
  (F16) and the street (F18);
- what a *move* costs Baghdad is weighed by the prime minister, who makes the moves: the
  threatened and imposed sanctions (F22), the linked US support (F17), the public
  escalation of a formal request (F19) and parliament's mandate (F12), with the
  factions' exposures averaged over their seats (`coalition_exposure`);
- Washington weighs what presence holds (ISIS F20, Iran F7, F24, reading the current
  Iranian influence), force protection under tension (F12), the illegitimacy of staying
  after a request (F21) and, when it decides on sanctions, their cost to itself and the
  influence they hand Tehran (F23);
- Tehran weighs influence (F7, F24) and US departure, reading the request and its clock.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from . import valuation
from .compiled import at, elementwise, kernel


def _col(a: ArrayLike) -> np.ndarray:
    """A per-run value as a column (R, 1) so it broadcasts against actions."""
    return np.asarray(a, dtype=np.float64).reshape(-1, 1)


# ================================================================ Baghdad's factions
@kernel(inline=True)
def stance_payoffs_of(grid: np.ndarray, ideal: float, salience: float, security_weight: float, iran_alignment: float,
                      street_responsiveness: float, isis: float, presence: float, tehran_pressure: float,
                      mobilisation: float, out: np.ndarray) -> None:
    """`faction_stance_payoffs` for one faction in one run, into `out` (one per position of `grid`)."""
    slope = -security_weight * (isis * presence) + iran_alignment * tehran_pressure + street_responsiveness * mobilisation
    for k in range(grid.shape[0]):
        out[k] = -salience * abs(grid[k] - ideal) + slope * grid[k]


@kernel
def _rows_stance_payoffs(grid: np.ndarray, ideal: np.ndarray, salience: np.ndarray, security_weight: np.ndarray,
                         iran_alignment: np.ndarray, street_responsiveness: np.ndarray, isis: np.ndarray,
                         presence: np.ndarray, tehran_pressure: np.ndarray, mobilisation: np.ndarray,
                         out: np.ndarray) -> None:
    for i in range(out.shape[0]):
        stance_payoffs_of(grid, at(ideal, i), at(salience, i), at(security_weight, i), at(iran_alignment, i),
                          at(street_responsiveness, i), at(isis, i), at(presence, i), at(tehran_pressure, i),
                          at(mobilisation, i), out[i])


def faction_stance_payoffs(grid: ArrayLike, ideal: ArrayLike, salience: ArrayLike, security_weight: ArrayLike,
                           iran_alignment: ArrayLike, street_responsiveness: ArrayLike, isis: ArrayLike,
                           presence: ArrayLike, tehran_pressure: ArrayLike, mobilisation: ArrayLike) -> np.ndarray:
    """Payoff per week of stating each position x of `grid`, shape (R, F, K):

    U_j(x) = - salience_j |x - ideal_j|                       distance from its own position (F12, F14, F16)
             - security_j  * ISIS threat * presence * x        security lost if US forces leave (F1, F14)
             + alignment_j * Tehran's pressure * x             alignment with Tehran (F16)
             + street_j    * mobilisation * x                  pull of the street (F18)

    The security term reads presence: with no US troops left there is no security to lose
    by asking for their departure. Faction attributes are (F,) or (R, F), world values (R,)."""
    def fac(a: ArrayLike) -> np.ndarray:  # (F,) or (R, F) -> (R or 1, F)
        arr = np.asarray(a, dtype=np.float64)
        return arr[None, :] if arr.ndim <= 1 else arr

    def world(a: ArrayLike) -> np.ndarray:  # (R,) -> (R, 1)
        return np.asarray(a, dtype=np.float64).reshape(-1, 1)

    parts = np.broadcast_arrays(fac(ideal), fac(salience), fac(security_weight), fac(iran_alignment),
                                fac(street_responsiveness), world(isis), world(presence), world(tehran_pressure),
                                world(mobilisation))
    shape = parts[0].shape
    x = np.ascontiguousarray(np.asarray(grid, dtype=np.float64))
    out = np.empty(shape + x.shape)
    _rows_stance_payoffs(*[x, *(np.array(a).reshape(-1) for a in parts), out.reshape(-1, x.size)])
    return out


def coalition_exposure(seats: ArrayLike, weight: ArrayLike) -> np.ndarray:
    """Baghdad's exposure to a cost: the factions' own exposures averaged over their seats
    (F14: power is fragmented; each bloc bears its share). Shapes (R|1, F) -> (R,) or ()."""
    s = np.asarray(seats, dtype=np.float64)
    return (s * np.asarray(weight, dtype=np.float64)).sum(axis=-1) / np.maximum(s.sum(axis=-1), 1e-9)


def aligned_share(seats: ArrayLike, iran_alignment: ArrayLike) -> np.ndarray:
    """Seat share of the factions Tehran can press, weighted by their alignment (F16)."""
    return np.clip(coalition_exposure(seats, iran_alignment), 0.0, 1.0)


# ================================================================ the prime minister
@kernel
def gain_of(stance: float, withdrawal_now: float, withdrawal_after: float, salience: float) -> float:
    """`withdrawal_gain` for one run."""
    return salience * (abs(stance - withdrawal_now) - abs(stance - withdrawal_after))


@kernel(inline=True)
def request_parts_of(stance: float, withdrawal_now: float, salience: float, leave_day: float, lead_days: float,
                     credibility_belief: float, magnitude: float, sanctions_exposure: float, linkage_exposure: float,
                     linkage_level: float, mandate: float, discount_rate: float, weeks_ahead: float,
                     escalation_cost: float, mandate_weight: float) -> tuple[float, float, float, float, float]:
    """The prime minister's value of a formal request against waiting (F4, F10), in weeks of
    payoff, as its parts (their sum is `request_value_of`):

      withdrawal_gain(w -> 1) x e^(-rho (t* + L/2)) A                        the troops leave (F4)
      - belief x magnitude x exposure x A                                  sanctions it expects (F22)
      - linkage exposure x linkage level x A                               linked US support lost (F17)
      - escalation_cost                                                    a public escalation (F19)
      + mandate_weight x mandate                                           parliament's mandate (F12, F13)

    A (`weeks_ahead`) is the discounted weeks from now on (the request lasts). `leave_day` t*
    is the day Washington is expected to start withdrawing, anticipated with Washington's own
    payoffs (`stopping_day`; infinite if it means to stay), and the withdrawal's benefit
    counts from half-way through its lead time L."""
    a = weeks_ahead
    gain = 0.0
    if math.isfinite(leave_day):
        gain = gain_of(stance, withdrawal_now, 1.0, salience) * valuation.discount(leave_day + 0.5 * lead_days,
                                                                                  discount_rate) * a
    sanctions = credibility_belief * magnitude * sanctions_exposure * a
    linkage = linkage_exposure * linkage_level * a
    return gain, -sanctions, -linkage, -escalation_cost, mandate_weight * mandate


@kernel
def request_value_of(stance: float, withdrawal_now: float, salience: float, leave_day: float, lead_days: float,
                     credibility_belief: float, magnitude: float, sanctions_exposure: float, linkage_exposure: float,
                     linkage_level: float, mandate: float, discount_rate: float, weeks_ahead: float,
                     escalation_cost: float, mandate_weight: float) -> float:
    """The prime minister's value of a formal request against waiting: the sum of
    `request_parts_of`, first to last."""
    gain, sanctions, linkage, escalation, mandate_part = request_parts_of(
        stance, withdrawal_now, salience, leave_day, lead_days, credibility_belief, magnitude, sanctions_exposure,
        linkage_exposure, linkage_level, mandate, discount_rate, weeks_ahead, escalation_cost, mandate_weight)
    return (((gain + sanctions) + linkage) + escalation) + mandate_part


@kernel
def keep_gain_of(stance: float, withdrawal_now: float, salience: float, days_to_leave: float, lead_days: float,
                 discount_rate: float, weeks_ahead: float) -> float:
    """`keep_request_gain` for one run."""
    if not math.isfinite(days_to_leave):
        return 0.0
    later = valuation.discount(days_to_leave + 0.5 * lead_days, discount_rate)
    return gain_of(stance, withdrawal_now, 1.0, salience) * later * weeks_ahead


# ================================================================ Washington
@kernel
def stake_of(isis: float, iran_influence: float, tension: float, isis_weight: float, iran_weight: float,
             vacuum_weight: float, force_protection_weight: float) -> float:
    """What a unit of US presence is worth to Washington per week, net of its cost:

      isis_weight x ISIS threat                              the fight against ISIS (F20)
      + 2 x iran_weight x influence x vacuum_weight           Iran held back (F7, F24)
      - force_protection_weight x tension                    protecting the force (F12)

    Washington's loss from Iranian influence is iran_weight x influence^2 ("a much bigger
    foothold", F7): convex, so a unit of influence costs more the more Tehran already has,
    and presence, which keeps influence's long-run level `vacuum_weight` lower (F24), is
    worth the marginal loss 2 x iran_weight x influence x vacuum_weight."""
    return isis_weight * isis + 2.0 * iran_weight * iran_influence * vacuum_weight - force_protection_weight * tension


@kernel
def _rows_stake(out: np.ndarray, isis: np.ndarray, iran_influence: np.ndarray, tension: np.ndarray,
                isis_weight: np.ndarray, iran_weight: np.ndarray, vacuum_weight: np.ndarray,
                force_protection_weight: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = stake_of(at(isis, i), at(iran_influence, i), at(tension, i), at(isis_weight, i), at(iran_weight, i),
                          at(vacuum_weight, i), at(force_protection_weight, i))


def washington_stake(isis: ArrayLike, iran_influence: ArrayLike, tension: ArrayLike, *, isis_weight: ArrayLike,
                     iran_weight: ArrayLike, vacuum_weight: ArrayLike,
                     force_protection_weight: ArrayLike) -> np.ndarray:
    """`stake_of` over arrays."""
    return elementwise(_rows_stake, isis, iran_influence, tension, isis_weight, iran_weight, vacuum_weight,
                       force_protection_weight)


@kernel
def withdrawal_path(presence: float, stake: float, days_since_request: float, lead_days: float, discount_rate: float,
                    legitimacy_weight: float, overstay_penalty: float, notice_days: float) -> float:
    """`withdrawal_path_value` for one run (positional arguments, for kernels)."""
    held = stake * valuation.weeks_within(lead_days, discount_rate)
    illegit = valuation.illegitimacy(days_since_request, lead_days, discount_rate, legitimacy_weight,
                                     overstay_penalty, notice_days)
    return 0.5 * presence * (held - illegit)


@kernel
def _rows_withdrawal_path(out: np.ndarray, presence: np.ndarray, stake: np.ndarray, days_since_request: np.ndarray, lead_days: np.ndarray, discount_rate: np.ndarray, legitimacy_weight: np.ndarray, overstay_penalty: np.ndarray, notice_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = withdrawal_path(at(presence, i), at(stake, i), at(days_since_request, i), at(lead_days, i), at(discount_rate, i), at(legitimacy_weight, i), at(overstay_penalty, i), at(notice_days, i))


def withdrawal_path_value(presence: ArrayLike, stake: ArrayLike, days_since_request: ArrayLike,
                          lead_days: ArrayLike, discount_rate: ArrayLike, *, legitimacy_weight: ArrayLike,
                          overstay_penalty: ArrayLike, notice_days: ArrayLike = valuation.YEAR_DAYS) -> np.ndarray:
    """Washington's value of withdrawing on schedule from now (F4): the presence, on average
    half of today's while it leaves over `lead_days`, holds its stake and pays the
    illegitimacy of staying (F21) until the last troops are out; nothing after."""
    return elementwise(_rows_withdrawal_path, presence, stake, days_since_request, lead_days, discount_rate,
                       legitimacy_weight, overstay_penalty, notice_days)


@kernel
def stay_path(presence: float, stake: float, days_since_request: float, revision_interval: float, lead_days: float,
              discount_rate: float, legitimacy_weight: float, overstay_penalty: float, notice_days: float) -> float:
    """`stay_value` for one run (positional arguments, for kernels)."""
    dt, tau, rho = revision_interval, days_since_request, discount_rate
    held = stake * valuation.weeks_within(dt, rho)
    illegit = valuation.illegitimacy(tau, dt, rho, legitimacy_weight, overstay_penalty, notice_days)
    then = withdrawal_path(presence, stake, tau + dt, lead_days, rho, legitimacy_weight, overstay_penalty, notice_days)
    return presence * (held - illegit) + valuation.discount(dt, rho) * then


@kernel
def _rows_stay_path(out: np.ndarray, presence: np.ndarray, stake: np.ndarray, days_since_request: np.ndarray, revision_interval: np.ndarray, lead_days: np.ndarray, discount_rate: np.ndarray, legitimacy_weight: np.ndarray, overstay_penalty: np.ndarray, notice_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = stay_path(at(presence, i), at(stake, i), at(days_since_request, i), at(revision_interval, i), at(lead_days, i), at(discount_rate, i), at(legitimacy_weight, i), at(overstay_penalty, i), at(notice_days, i))


def stay_value(presence: ArrayLike, stake: ArrayLike, days_since_request: ArrayLike, revision_interval: ArrayLike,
               lead_days: ArrayLike, discount_rate: ArrayLike, *, legitimacy_weight: ArrayLike,
               overstay_penalty: ArrayLike, notice_days: ArrayLike = valuation.YEAR_DAYS) -> np.ndarray:
    """Washington's value of staying after a formal request, by the one-stage look-ahead
    rule of optimal stopping (Chow, Robbins & Siegmund 1971): stay until the next revision
    (in `revision_interval` days, the mean), paying the rising illegitimacy (F21), then
    withdraw on schedule. The illegitimacy only grows, so the problem is monotone and the
    rule is optimal: Washington leaves once staying one more interval costs more than it
    holds (F21: 'the United States cannot impose its troops on Iraq')."""
    return elementwise(_rows_stay_path, presence, stake, days_since_request, revision_interval, lead_days,
                       discount_rate, legitimacy_weight, overstay_penalty, notice_days)


#: the latest day after a request on which the stopping rule is looked for, in notice periods
#: (two: the notice of the notes, a year by default, and one more); beyond it Washington is
#: expected to stay for good
STOPPING_SEARCH_NOTICES = 2


@kernel
def stopping_day(stake: float, revision_interval: float, lead_days: float, discount_rate: float,
                 legitimacy_weight: float, overstay_penalty: float, iterations: float, precision_days: float,
                 notice_days: float) -> float:
    """`withdrawal_day` for one run (positional arguments, for kernels); `iterations` a whole number."""
    dt, lead, s, rho = revision_interval, lead_days, stake, discount_rate
    lw, ov = legitimacy_weight, overstay_penalty
    fade = valuation.discount(dt, rho)
    lev_l, sl_l = valuation.integrals(lead, rho)
    lev_d, sl_d = valuation.integrals(dt, rho)
    constant = (0.5 * s * lev_l * (1.0 - fade) - s * lev_d) / valuation.DAYS_PER_WEEK

    # the linear regime: tau + dt + lead <= one year
    k = lw / (valuation.DAYS_PER_WEEK * notice_days)
    slope = k * (lev_d - 0.5 * (1.0 - fade) * lev_l)
    level = constant + k * (sl_d - 0.5 * (1.0 - fade) * sl_l + 0.5 * fade * dt * lev_l)
    root = -level / slope if slope > 0 else math.inf
    linear_end = notice_days - dt - lead
    if (level >= 0.0 and linear_end >= 0.0) or (slope > 0 and root <= linear_end):
        return 0.0 if level >= 0.0 else root

    # `valuation.illegitimacy` over the lead and the revision interval, their spans' integrals
    # computed once for the search
    span_l, span_d = max(lead, 0.0), max(dt, 0.0)
    whole_l, whole_d = valuation.span_integral(span_l, rho), valuation.span_integral(span_d, rho)

    def leave_now_gain(tau: float) -> float:
        return (constant - 0.5 * valuation.illegitimacy_over(tau, span_l, whole_l, rho, lw, ov, notice_days)
                + valuation.illegitimacy_over(tau, span_d, whole_d, rho, lw, ov, notice_days)
                + 0.5 * fade * valuation.illegitimacy_over(tau + dt, span_l, whole_l, rho, lw, ov, notice_days))

    # the root lies past the linear regime; where the line's own root is a bound (the
    # deadline's jump only makes leaving better), it closes the bracket
    lo = max(linear_end, 0.0)
    limit = float(STOPPING_SEARCH_NOTICES * notice_days)
    hi = root if (math.isfinite(root) and root > lo and root < limit) else limit
    if leave_now_gain(hi) < 0.0:
        hi = limit
    if leave_now_gain(limit) < 0.0:
        return math.inf
    if leave_now_gain(lo) >= 0.0:  # an interval or a withdrawal longer than the year
        return lo
    for _ in range(int(iterations)):
        if hi - lo <= precision_days:
            break
        mid = 0.5 * (lo + hi)
        if leave_now_gain(mid) >= 0.0:
            hi = mid
        else:
            lo = mid
    return hi


@kernel
def _rows_stopping_day(out: np.ndarray, stake: np.ndarray, revision_interval: np.ndarray, lead_days: np.ndarray, discount_rate: np.ndarray, legitimacy_weight: np.ndarray, overstay_penalty: np.ndarray, iterations: np.ndarray, precision_days: np.ndarray, notice_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = stopping_day(at(stake, i), at(revision_interval, i), at(lead_days, i), at(discount_rate, i), at(legitimacy_weight, i), at(overstay_penalty, i), at(iterations, i), at(precision_days, i), at(notice_days, i))


def withdrawal_day(presence: ArrayLike, stake: ArrayLike, revision_interval: ArrayLike, lead_days: ArrayLike,
                   discount_rate: ArrayLike, *, legitimacy_weight: ArrayLike, overstay_penalty: ArrayLike,
                   iterations: int = 10, precision_days: float = 2.0,
                   notice_days: ArrayLike = valuation.YEAR_DAYS) -> np.ndarray:
    """The day after a formal request on which Washington, following the stopping rule of
    `stay_value` with today's stake, starts to withdraw (F4, F21): the first day on which
    withdrawing is worth at least staying one more revision interval; `inf` where
    Washington would still stay two years on (it means to stay: an occupation, F11).

    g(tau) = withdraw now - (stay one interval dt, then withdraw) only grows with tau (the
    illegitimacy rises), so the day is its root. While the withdrawal and the interval end
    before the deadline, g is linear in tau (`valuation.illegitimacy_cost` is linear there)
    and the root is exact; elsewhere it is found by bisection between the end of that
    regime and the line's root (or two years) to within `precision_days`, each run on its
    own (`stopping_day`), so a run's day never depends on the other runs computed with it.
    The terms of `withdrawal_path_value` and `stay_value` that do not depend on tau are
    computed once and the presence factor cancels (tested against both)."""
    shape = np.broadcast(np.asarray(presence), np.asarray(stake), np.asarray(lead_days)).shape
    return elementwise(_rows_stopping_day, np.broadcast_to(np.asarray(stake, dtype=np.float64), shape),
                       revision_interval, lead_days, discount_rate, legitimacy_weight, overstay_penalty, iterations,
                       precision_days, notice_days)


@kernel
def request_path(presence: float, stake: float, leave_day: float, lead_days: float, discount_rate: float,
                 legitimacy_weight: float, overstay_penalty: float, notice_days: float) -> float:
    """`request_path_value` for one run (positional arguments, for kernels)."""
    rho, lw, ov = discount_rate, legitimacy_weight, overstay_penalty
    finite = math.isfinite(leave_day)
    until = leave_day if finite else math.inf
    stay = presence * (stake * valuation.weeks_within(until, rho) - valuation.illegitimacy(0.0, until, rho, lw, ov, notice_days))
    if not finite:
        return stay + 0.0
    then = withdrawal_path(presence, stake, leave_day, lead_days, rho, lw, ov, notice_days)
    return stay + valuation.discount(leave_day, rho) * then


@kernel
def _rows_request_path(out: np.ndarray, presence: np.ndarray, stake: np.ndarray, leave_day: np.ndarray, lead_days: np.ndarray, discount_rate: np.ndarray, legitimacy_weight: np.ndarray, overstay_penalty: np.ndarray, notice_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = request_path(at(presence, i), at(stake, i), at(leave_day, i), at(lead_days, i), at(discount_rate, i), at(legitimacy_weight, i), at(overstay_penalty, i), at(notice_days, i))


def request_path_value(presence: ArrayLike, stake: ArrayLike, leave_day: ArrayLike, lead_days: ArrayLike,
                       discount_rate: ArrayLike, *, legitimacy_weight: ArrayLike,
                       overstay_penalty: ArrayLike, notice_days: ArrayLike = valuation.YEAR_DAYS) -> np.ndarray:
    """Washington's value, from the moment of a formal request, of staying until `leave_day`
    (paying the rising illegitimacy, F21) and then withdrawing on schedule (F4); staying for
    good where `leave_day` is infinite."""
    return elementwise(_rows_request_path, presence, stake, leave_day, lead_days, discount_rate, legitimacy_weight,
                       overstay_penalty, notice_days)


@kernel
def burden_of(magnitude: float, iran_influence: float, own_cost: float, iran_weight: float,
              influence_sanctions_weight: float) -> float:
    """What imposed sanctions cost Washington per week: their cost to itself (F23: 'harmful
    to both nations') and the influence they hand Tehran, at the marginal loss of influence
    2 x iran_weight x influence x the rise they cause in influence's level (F23: 'Iraq to
    Iran on a silver platter')."""
    return own_cost * magnitude + 2.0 * iran_weight * iran_influence * influence_sanctions_weight


@kernel
def _rows_burden(out: np.ndarray, magnitude: np.ndarray, iran_influence: np.ndarray, own_cost: np.ndarray,
                 iran_weight: np.ndarray, influence_sanctions_weight: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = burden_of(at(magnitude, i), at(iran_influence, i), at(own_cost, i), at(iran_weight, i),
                           at(influence_sanctions_weight, i))


def sanctions_burden(magnitude: ArrayLike, iran_influence: ArrayLike, *, own_cost: ArrayLike,
                     iran_weight: ArrayLike, influence_sanctions_weight: ArrayLike) -> np.ndarray:
    """`burden_of` over arrays."""
    return elementwise(_rows_burden, magnitude, iran_influence, own_cost, iran_weight, influence_sanctions_weight)


# ================================================================ Tehran
@kernel
def departure_stake(request_active: bool, us_withdrawing: bool, days_since_request: float,
                    clock_weight: float, notice_days: float) -> float:
    """`tehran_departure_stake` for one run."""
    if us_withdrawing:
        return 0.0
    elapsed = min(max(days_since_request / notice_days, 0.0), 1.0)
    return 1.0 + clock_weight * elapsed if request_active else 1.0


@kernel
def _rows_departure_stake(out: np.ndarray, request_active: np.ndarray, us_withdrawing: np.ndarray,
                          days_since_request: np.ndarray, clock_weight: np.ndarray, notice_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = departure_stake(at(request_active, i) != 0, at(us_withdrawing, i) != 0, at(days_since_request, i),
                                 at(clock_weight, i), at(notice_days, i))


def tehran_departure_stake(request_active: ArrayLike, us_withdrawing: ArrayLike, days_since_request: ArrayLike, *,
                           clock_weight: ArrayLike, notice_days: ArrayLike = valuation.YEAR_DAYS) -> np.ndarray:
    """How much pushing US forces out is worth to Tehran now (F16, F24): 1 before a formal
    request; after one, rising by `clock_weight` as its notice period (a year, F4) runs out
    (the 'occupation' the Shia blocs name, F11, F16); 0 while Washington is leaving anyway."""
    return elementwise(_rows_departure_stake, request_active, us_withdrawing, days_since_request, clock_weight,
                       notice_days)
