"""Time and value: calendar rates turned into per-step chances, and moves valued by their
discounted consequences.

The model runs in calendar time. Every rate is per day; a step of `step_days` days turns a
rate into a chance or a decay with the exact formulas of a process that runs in continuous
time, so the step length changes the resolution, not the result (a Poisson hazard h gives
1 - exp(-h dt); a relaxation at rate k moves a fraction 1 - exp(-k dt) of the way).

Payoff coefficients are payoffs *per week* of a situation; a value is a flow times the
discounted number of weeks it lasts, discounted at `behaviour.discount_rate` per day. Two
durations recur:

- `discounted_weeks(T, rho)`: a flow that lasts T days from now, A(T) = (1 - e^(-rho T)) /
  rho, in weeks (a lasting move: a formal request, a drawdown, sanctions);
- `posture_weeks(q, rho, T)`: a posture held until the actor's next revision, which comes
  at rate q per day (Poisson), or the end of the run: (1 - e^(-(q + rho) T)) / (q + rho).

Both are the same integral, the expected discounted time in a state that ends at a
constant rate; they are what the logit-response dynamics of Blume (1993) and
Alos-Ferrer & Netzer (2010) need when choices are valued over the time they hold
(docs/odd.md, "Decisions").
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .compiled import at, elementwise, kernel
from .elementary import exp, expm1

DAYS_PER_WEEK = 7.0
#: one year in days: the notes give US forces one year to leave after a formal request (F4)
YEAR_DAYS = 365


@kernel
def chance_within(rate: float, step_days: float) -> float:
    """Chance that an event with hazard `rate` per day happens within one step (Poisson), one value."""
    return -expm1(-rate * step_days)


@kernel
def _rows_chance_within(out: np.ndarray, rate: np.ndarray, step_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = chance_within(at(rate, i), at(step_days, i))


def step_chance(rate: ArrayLike, step_days: ArrayLike) -> np.ndarray:
    """Chance that an event with hazard `rate` per day happens within one step (Poisson)."""
    return elementwise(_rows_chance_within, rate, step_days)


@kernel
def relaxed(value: float, target: float, rate: float, step_days: float) -> float:
    """`relax` for one value."""
    return value + (target - value) * chance_within(rate, step_days)


@kernel
def _rows_relaxed(out: np.ndarray, value: np.ndarray, target: np.ndarray, rate: np.ndarray, step_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = relaxed(at(value, i), at(target, i), at(rate, i), at(step_days, i))


def relax(value: ArrayLike, target: ArrayLike, rate: ArrayLike, step_days: ArrayLike) -> np.ndarray:
    """Exact step of dx/dt = rate (target - x): x moves the fraction 1 - exp(-rate dt) of the way.
    Written as x + (target - x) x fraction, so that in floating point the result never
    decreases when the target rises and is x itself at rate 0."""
    return elementwise(_rows_relaxed, value, target, rate, step_days)


@kernel
def ou_factors(rate: float, volatility: float, step_days: float) -> tuple[float, float]:
    """An Ornstein-Uhlenbeck step's two factors (`ou_step`): the share of the way to the
    target it moves, and the noise's standard deviation over the step."""
    var_time = -expm1(-2.0 * rate * step_days) / (2.0 * rate) if rate > 0 else step_days
    return chance_within(rate, step_days), volatility * math.sqrt(var_time)


@kernel
def ou_value(value: float, target: float, moved: float, spread: float, noise: float) -> float:
    """`ou_step` for one value, by the step's factors (`ou_factors`)."""
    x = (value + (target - value) * moved) + spread * noise
    return min(max(x, 0.0), 1.0)


@kernel
def _rows_ou_value(out: np.ndarray, value: np.ndarray, target: np.ndarray, rate: np.ndarray, volatility: np.ndarray,
                   noise: np.ndarray, step_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        moved, spread = ou_factors(at(rate, i), at(volatility, i), at(step_days, i))
        out[i] = ou_value(at(value, i), at(target, i), moved, spread, at(noise, i))


@kernel
def _rows_ou_moved(out: np.ndarray, rate: np.ndarray, volatility: np.ndarray, step_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = ou_factors(at(rate, i), at(volatility, i), at(step_days, i))[0]


@kernel
def _rows_ou_spread(out: np.ndarray, rate: np.ndarray, volatility: np.ndarray, step_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = ou_factors(at(rate, i), at(volatility, i), at(step_days, i))[1]


def ou_step_factors(rate: ArrayLike, volatility: ArrayLike, step_days: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """`ou_factors` over arrays (per-run parameters)."""
    return (elementwise(_rows_ou_moved, rate, volatility, step_days),
            elementwise(_rows_ou_spread, rate, volatility, step_days))


def ou_step(value: ArrayLike, target: ArrayLike, rate: ArrayLike, volatility: ArrayLike, noise: ArrayLike,
            step_days: ArrayLike) -> np.ndarray:
    """Exact step of an Ornstein-Uhlenbeck process dx = rate (target - x) dt + volatility dW
    (volatility per square root of a day), clipped to [0, 1]. The noise's standard deviation
    over a step is volatility sqrt((1 - e^(-2 rate dt)) / (2 rate)), so two steps of 7 days
    and one of 14 give the same distribution (before clipping)."""
    return elementwise(_rows_ou_value, value, target, rate, volatility, noise, step_days)


@kernel
def weeks_within(days: float, discount_rate: float) -> float:
    """`discounted_weeks` for one value: (1 - e^(-rho T)) / rho / 7 (T / 7 for rho = 0)."""
    rho = discount_rate
    t = max(days, 0.0)
    return (-expm1(-rho * t) / rho if rho > 0 else t) / DAYS_PER_WEEK


@kernel
def _rows_weeks_within(out: np.ndarray, days: np.ndarray, discount_rate: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = weeks_within(at(days, i), at(discount_rate, i))


def discounted_weeks(days: ArrayLike, discount_rate: ArrayLike) -> np.ndarray:
    """A(T): discounted weeks in the next `days` days, (1 - e^(-rho T)) / rho / 7 (T for rho = 0).

    With no horizon and one shared rate (the common case) it is 1 / (7 rho), computed so; an
    array of days or of rates goes through `weeks_within`, whose (1 / rho) / 7 can differ
    from it in the last bit (kept as the model computed it before it was compiled)."""
    rho = np.asarray(discount_rate, dtype=np.float64)
    if np.isscalar(days) and days == np.inf and rho.ndim == 0 and rho > 0:
        return np.asarray(1.0 / (float(rho) * DAYS_PER_WEEK))
    return elementwise(_rows_weeks_within, days, rho)


def posture_weeks(revision_rate: ArrayLike, discount_rate: ArrayLike, days_left: ArrayLike) -> np.ndarray:
    """Discounted weeks a posture is expected to stand: until the actor's next revision
    (rate q per day) or the end of the run, whichever comes first."""
    return discounted_weeks(days_left, np.asarray(revision_rate) + np.asarray(discount_rate))


@kernel
def discount(days: float, discount_rate: float) -> float:
    """`later` for one value: e^(-rho days)."""
    return exp(-discount_rate * max(days, 0.0))


@kernel
def _rows_discount(out: np.ndarray, days: np.ndarray, discount_rate: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = discount(at(days, i), at(discount_rate, i))


def later(days: ArrayLike, discount_rate: ArrayLike) -> np.ndarray:
    """The discount factor of something `days` days from now, e^(-rho days)."""
    return elementwise(_rows_discount, days, discount_rate)


@kernel
def chance_discounted(hazard: float, discount_rate: float, days: float) -> float:
    """`discounted_chance` for one value."""
    h = max(hazard, 0.0)
    total = h + discount_rate
    t = max(days, 0.0)
    return h / total * -expm1(-total * t) if total > 0 else 0.0


@kernel
def _rows_chance_discounted(out: np.ndarray, hazard: np.ndarray, discount_rate: np.ndarray, days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = chance_discounted(at(hazard, i), at(discount_rate, i), at(days, i))


def discounted_chance(hazard: ArrayLike, discount_rate: ArrayLike, days: ArrayLike) -> np.ndarray:
    """Discounted chance that an event with `hazard` per day happens within `days` days:
    the integral of h e^(-(h + rho) t), h / (h + rho) (1 - e^(-(h + rho) T))."""
    return elementwise(_rows_chance_discounted, hazard, discount_rate, days)


@kernel
def chance_before(hazard: float, own_rate: float, discount_rate: float) -> float:
    """`competing_chance` for one value."""
    h = max(hazard, 0.0)
    total = h + own_rate + discount_rate
    return h / total if total > 0 else 0.0


@kernel
def _rows_chance_before(out: np.ndarray, hazard: np.ndarray, own_rate: np.ndarray, discount_rate: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = chance_before(at(hazard, i), at(own_rate, i), at(discount_rate, i))


def competing_chance(hazard: ArrayLike, own_rate: ArrayLike, discount_rate: ArrayLike) -> np.ndarray:
    """Discounted chance that an event with `hazard` per day comes before the actor's own
    next revision (rate `own_rate`): h / (h + q + rho). What a posture risks while it stands."""
    return elementwise(_rows_chance_before, hazard, own_rate, discount_rate)


@kernel(inline=True)
def integrals(t: float, rho: float) -> tuple[float, float]:
    """The integrals over [0, t] days of e^(-rho u) and of u e^(-rho u), in days:
    ((1 - e^(-rho t)) / rho, (1 - e^(-rho t) (1 + rho t)) / rho^2), or (t, t^2 / 2) at rho = 0;
    one exponential for both."""
    if rho > 0:
        e = exp(-rho * t)
        return (1.0 - e) / rho, (1.0 - e * (1.0 + rho * t)) / (rho * rho)
    return t, 0.5 * t * t


@kernel
def integral_level(t: float, rho: float) -> float:
    """The integral over [0, t] days of e^(-rho u), in days (`integrals`)."""
    return integrals(t, rho)[0]


@kernel
def integral_slope(t: float, rho: float) -> float:
    """The integral over [0, t] days of u e^(-rho u), in days (`integrals`)."""
    return integrals(t, rho)[1]


@kernel
def _rows_integral_level(out: np.ndarray, t: np.ndarray, rho: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = integral_level(at(t, i), at(rho, i))


@kernel
def _rows_integral_slope(out: np.ndarray, t: np.ndarray, rho: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = integral_slope(at(t, i), at(rho, i))


def days_integrals(t: ArrayLike, rho: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The integrals over [0, t] days of e^(-rho u) and of u e^(-rho u), in days (rho > 0,
    or rho = 0: t and t^2 / 2)."""
    return elementwise(_rows_integral_level, t, rho), elementwise(_rows_integral_slope, t, rho)


@kernel
def ramp_weeks(level0: float, slope: float, start: float, end: float, discount_rate: float) -> float:
    """`discounted_ramp` for one value."""
    t0 = max(start, 0.0)
    t1 = max(end, t0)
    rho = discount_rate
    lev1, sl1 = integrals(t1, rho)
    lev0, sl0 = integrals(t0, rho)
    return (level0 * (lev1 - lev0) + slope * (sl1 - sl0)) / DAYS_PER_WEEK


@kernel
def _rows_ramp_weeks(out: np.ndarray, level0: np.ndarray, slope: np.ndarray, start: np.ndarray, end: np.ndarray, discount_rate: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = ramp_weeks(at(level0, i), at(slope, i), at(start, i), at(end, i), at(discount_rate, i))


def discounted_ramp(level0: ArrayLike, slope: ArrayLike, start: ArrayLike, end: ArrayLike,
                    discount_rate: ArrayLike) -> np.ndarray:
    """Integral over t in [start, end] days of (level0 + slope t) e^(-rho t) dt, in weeks:
    a cost that grows linearly in time, discounted (the illegitimacy of staying, F21)."""
    return elementwise(_rows_ramp_weeks, level0, slope, start, end, discount_rate)


@kernel
def illegitimacy(days_since_request: float, horizon_days: float, discount_rate: float, legitimacy_weight: float,
                 overstay_penalty: float, notice_days: float) -> float:
    """`illegitimacy_cost` for one value (positional arguments, for kernels)."""
    span = max(horizon_days, 0.0)
    return illegitimacy_over(days_since_request, span, span_integral(span, discount_rate), discount_rate,
                             legitimacy_weight, overstay_penalty, notice_days)


@kernel(inline=True)
def span_integral(span: float, rho: float) -> float:
    """I0 of a span of days (`illegitimacy`'s I0(T)), also where the span is infinite."""
    # rho > 0 wherever a span is infinite
    return integral_level(span, rho) if math.isfinite(span) else 1.0 / (rho if rho > 0 else 1.0)


@kernel(inline=True)
def illegitimacy_over(tau: float, span: float, lev_t: float, rho: float, lw: float, overstay_penalty: float,
                      notice_days: float) -> float:
    """`illegitimacy` of a span (>= 0) whose I0 is given (`span_integral`): a search that
    values many days against the same spans computes their integrals once (F4, F11, F21).
    `notice_days`: the notice period after the request (`legal.notice_days`, F4)."""
    to_deadline = min(max(notice_days - tau, 0.0), span)
    lev_d, sl_d = integrals(to_deadline, rho)
    ramp = lw / notice_days * (tau * lev_d + sl_d)
    after = (lw + overstay_penalty) * (lev_t - lev_d)
    return (ramp + after) / DAYS_PER_WEEK


@kernel
def _rows_illegitimacy(out: np.ndarray, days_since_request: np.ndarray, horizon_days: np.ndarray, discount_rate: np.ndarray, legitimacy_weight: np.ndarray, overstay_penalty: np.ndarray, notice_days: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = illegitimacy(at(days_since_request, i), at(horizon_days, i), at(discount_rate, i), at(legitimacy_weight, i), at(overstay_penalty, i), at(notice_days, i))


def illegitimacy_cost(days_since_request: ArrayLike, horizon_days: ArrayLike, discount_rate: ArrayLike, *,
                      legitimacy_weight: ArrayLike, overstay_penalty: ArrayLike,
                      notice_days: ArrayLike = YEAR_DAYS) -> np.ndarray:
    """Discounted cost per unit of presence of staying from now for `horizon_days` days
    after a formal request (F21): a cost per week rising linearly from 0 at the request to
    `legitimacy_weight` at the deadline Y = `notice_days` later (F4: a year by default), then `legitimacy_weight +
    overstay_penalty` once the troops are an occupation force (F11, F21). With u the days
    from now and d the days left to the deadline (at most the span T):

        cost = [lw/Y (tau I0(d) + I1(d)) + (lw + ov) (I0(T) - I0(d))] / 7

    where I0(t) and I1(t) are the integrals over [0, t] of e^(-rho u) and u e^(-rho u)."""
    return elementwise(_rows_illegitimacy, days_since_request, horizon_days, discount_rate, legitimacy_weight,
                       overstay_penalty, notice_days)
