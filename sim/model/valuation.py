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
(docs/architecture.md, "Decisions").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

DAYS_PER_WEEK = 7.0
#: one year in days: the notes give US forces one year to leave after a formal request (F4)
YEAR_DAYS = 365


def step_chance(rate: ArrayLike, step_days: float) -> np.ndarray:
    """Chance that an event with hazard `rate` per day happens within one step (Poisson)."""
    return -np.expm1(-np.asarray(rate, dtype=np.float64) * step_days)


def relax(value: ArrayLike, target: ArrayLike, rate: ArrayLike, step_days: float) -> np.ndarray:
    """Exact step of dx/dt = rate (target - x): x moves the fraction 1 - exp(-rate dt) of the way.
    Written as x + (target - x) x fraction, so that in floating point the result never
    decreases when the target rises and is x itself at rate 0."""
    v, tgt = np.asarray(value, dtype=np.float64), np.asarray(target, dtype=np.float64)
    return v + (tgt - v) * step_chance(rate, step_days)


def ou_step(value: ArrayLike, target: ArrayLike, rate: ArrayLike, volatility: ArrayLike, noise: ArrayLike,
            step_days: float) -> np.ndarray:
    """Exact step of an Ornstein-Uhlenbeck process dx = rate (target - x) dt + volatility dW
    (volatility per square root of a day), clipped to [0, 1]. The noise's standard deviation
    over a step is volatility sqrt((1 - e^(-2 rate dt)) / (2 rate)), so two steps of 7 days
    and one of 14 give the same distribution (before clipping)."""
    k = np.asarray(rate, dtype=np.float64)
    safe = np.where(k > 0, k, 1.0)
    var_time = np.where(k > 0, -np.expm1(-2.0 * safe * step_days) / (2.0 * safe), step_days)
    x = relax(value, target, k, step_days) + np.asarray(volatility) * np.sqrt(var_time) * np.asarray(noise)
    return np.clip(x, 0.0, 1.0)


def discounted_weeks(days: ArrayLike, discount_rate: ArrayLike) -> np.ndarray:
    """A(T): discounted weeks in the next `days` days, (1 - e^(-rho T)) / rho / 7 (T for rho = 0)."""
    rho = np.asarray(discount_rate, dtype=np.float64)
    if np.isscalar(days) and days == np.inf and rho.ndim == 0 and rho > 0:  # the common case: no horizon
        return np.asarray(1.0 / (float(rho) * DAYS_PER_WEEK))
    t = np.maximum(np.asarray(days, dtype=np.float64), 0.0)
    safe = np.where(rho > 0, rho, 1.0)
    return np.where(rho > 0, -np.expm1(-safe * t) / safe, t) / DAYS_PER_WEEK


def posture_weeks(revision_rate: ArrayLike, discount_rate: ArrayLike, days_left: ArrayLike) -> np.ndarray:
    """Discounted weeks a posture is expected to stand: until the actor's next revision
    (rate q per day) or the end of the run, whichever comes first."""
    return discounted_weeks(days_left, np.asarray(revision_rate) + np.asarray(discount_rate))


def later(days: ArrayLike, discount_rate: ArrayLike) -> np.ndarray:
    """The discount factor of something `days` days from now, e^(-rho days)."""
    return np.exp(-np.asarray(discount_rate, dtype=np.float64) * np.maximum(np.asarray(days, dtype=np.float64), 0.0))


def discounted_chance(hazard: ArrayLike, discount_rate: ArrayLike, days: ArrayLike) -> np.ndarray:
    """Discounted chance that an event with `hazard` per day happens within `days` days:
    the integral of h e^(-(h + rho) t), h / (h + rho) (1 - e^(-(h + rho) T))."""
    h = np.maximum(np.asarray(hazard, dtype=np.float64), 0.0)
    total = h + np.asarray(discount_rate, dtype=np.float64)
    t = np.maximum(np.asarray(days, dtype=np.float64), 0.0)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, h / safe * -np.expm1(-safe * t), 0.0)


def competing_chance(hazard: ArrayLike, own_rate: ArrayLike, discount_rate: ArrayLike) -> np.ndarray:
    """Discounted chance that an event with `hazard` per day comes before the actor's own
    next revision (rate `own_rate`): h / (h + q + rho). What a posture risks while it stands."""
    h = np.maximum(np.asarray(hazard, dtype=np.float64), 0.0)
    total = h + np.asarray(own_rate, dtype=np.float64) + np.asarray(discount_rate, dtype=np.float64)
    return np.where(total > 0, h / np.where(total > 0, total, 1.0), 0.0)


def days_integrals(t: np.ndarray, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The integrals over [0, t] days of e^(-rho u) and of u e^(-rho u), in days (rho > 0,
    or rho = 0: t and t^2 / 2)."""
    positive = rho > 0
    safe = np.where(positive, rho, 1.0)
    e = np.exp(-safe * t)
    level = np.where(positive, (1.0 - e) / safe, t)
    slope = np.where(positive, (1.0 - e * (1.0 + safe * t)) / safe**2, 0.5 * t * t)
    return level, slope


def discounted_ramp(level0: ArrayLike, slope: ArrayLike, start: ArrayLike, end: ArrayLike,
                    discount_rate: ArrayLike) -> np.ndarray:
    """Integral over t in [start, end] days of (level0 + slope t) e^(-rho t) dt, in weeks:
    a cost that grows linearly in time, discounted (the illegitimacy of staying, F21)."""
    a, b = np.asarray(level0, dtype=np.float64), np.asarray(slope, dtype=np.float64)
    t0 = np.maximum(np.asarray(start, dtype=np.float64), 0.0)
    t1 = np.maximum(np.asarray(end, dtype=np.float64), t0)
    rho = np.asarray(discount_rate, dtype=np.float64)
    lev1, sl1 = days_integrals(t1, rho)
    lev0, sl0 = days_integrals(t0, rho)
    return (a * (lev1 - lev0) + b * (sl1 - sl0)) / DAYS_PER_WEEK


def illegitimacy_cost(days_since_request: ArrayLike, horizon_days: ArrayLike, discount_rate: ArrayLike, *,
                      legitimacy_weight: ArrayLike, overstay_penalty: ArrayLike) -> np.ndarray:
    """Discounted cost per unit of presence of staying from now for `horizon_days` days
    after a formal request (F21): a cost per week rising linearly from 0 at the request to
    `legitimacy_weight` at the deadline one year later (F4), then `legitimacy_weight +
    overstay_penalty` once the troops are an occupation force (F11, F21). With u the days
    from now and d the days left to the deadline (at most the span T):

        cost = [lw/Y (tau I0(d) + I1(d)) + (lw + ov) (I0(T) - I0(d))] / 7

    where I0(t) and I1(t) are the integrals over [0, t] of e^(-rho u) and u e^(-rho u)."""
    tau = np.asarray(days_since_request, dtype=np.float64)
    span = np.maximum(np.asarray(horizon_days, dtype=np.float64), 0.0)
    rho = np.asarray(discount_rate, dtype=np.float64)
    lw = np.asarray(legitimacy_weight, dtype=np.float64)
    to_deadline = np.clip(YEAR_DAYS - tau, 0.0, span)
    lev_d, sl_d = days_integrals(to_deadline, rho)
    finite = np.isfinite(span)
    lev_t, _ = days_integrals(np.where(finite, span, 0.0), rho)
    lev_t = np.where(finite, lev_t, 1.0 / np.where(rho > 0, rho, 1.0))  # rho > 0 wherever a span is infinite
    ramp = lw / YEAR_DAYS * (tau * lev_d + sl_d)
    after = (lw + np.asarray(overstay_penalty)) * (lev_t - lev_d)
    return (ramp + after) / DAYS_PER_WEEK
