"""World dynamics: one step's update of each model-level variable, as pure array functions.

Every function takes per-run arrays of shape (R,) (or scalars) and the step length `dt` in
days, and returns new arrays of the same shape, clipped to their documented ranges. Rates
are per day and enter through the exact continuous-time formulas of `valuation` (a
relaxation moves 1 - e^(-k dt) of the way; a signal fades by e^(-d dt); noise is an
Ornstein-Uhlenbeck increment), so the step length changes the resolution, not the result.
Noise enters only as standard normal arrays passed in by the caller (`draws.normal`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .valuation import ou_step, relax


def presence_share(troops: ArrayLike, initial_troops: float | np.ndarray) -> np.ndarray:
    """US presence as a share of the January 2020 level of about 5,000 troops (F3)."""
    return np.asarray(troops, dtype=np.float64) / np.maximum(initial_troops, 1e-9)


def isis_step(isis: ArrayLike, presence: ArrayLike, noise: ArrayLike, dt: float, *, mean: ArrayLike,
              reversion: ArrayLike, volatility: ArrayLike, presence_effect: ArrayLike) -> np.ndarray:
    """ISIS threat in [0, 1]: mean-reverting with noise (F1, F20). The level it reverts to
    rises by `presence_effect` x (1 - presence): the US presence is the anti-IS coalition's
    (F8, F20), so withdrawing it lets the threat grow back."""
    target = np.asarray(mean) + np.asarray(presence_effect) * (1.0 - np.asarray(presence))
    return ou_step(isis, target, reversion, volatility, noise, dt)


def tension_step(tension: ArrayLike, escalating: ArrayLike, reassuring: ArrayLike, dt: float, *,
                 baseline: ArrayLike, decay: ArrayLike, escalation_rate: ArrayLike,
                 reassure_rate: ArrayLike) -> np.ndarray:
    """US-Iran tension in [0, 1] after the January strike (F12), the exact step of

        dT/dt = - decay (T - baseline) + escalation_rate [Tehran escalates] (1 - T)
                - reassure_rate [Washington reassures] T                          (F19)

    a linear equation with constant coefficients over a step: T relaxes at rate
    a = decay + escalation + reassurance toward (decay baseline + escalation) / a."""
    esc = np.asarray(escalation_rate) * np.asarray(escalating, dtype=np.float64)
    calm = np.asarray(reassure_rate) * np.asarray(reassuring, dtype=np.float64)
    rate = np.asarray(decay) + esc + calm
    safe = np.where(rate > 0, rate, 1.0)
    target = np.where(rate > 0, (np.asarray(decay) * np.asarray(baseline) + esc) / safe, np.asarray(tension))
    return np.clip(relax(tension, target, rate, dt), 0.0, 1.0)


def mobilisation_step(mobilisation: ArrayLike, tension: ArrayLike, street_call: ArrayLike,
                      sanctions_imposed: ArrayLike, threat_level: ArrayLike, noise: ArrayLike, dt: float, *,
                      rate: ArrayLike, tension_weight: ArrayLike, sanctions_anger: ArrayLike,
                      threat_anger: ArrayLike, volatility: ArrayLike) -> np.ndarray:
    """Street mobilisation for withdrawal in [0, 1] (F18): moves toward a level set by
    US-Iran tension (F12), the Sadrists' call to the street (F16, F18), anger at imposed
    sanctions (F22, F23) and at public threats (F19: 'knee-jerk reactions' inflame)."""
    target = np.clip(np.asarray(tension_weight) * np.asarray(tension) + np.asarray(street_call)
                     + np.asarray(sanctions_anger) * np.asarray(sanctions_imposed, dtype=np.float64)
                     + np.asarray(threat_anger) * np.asarray(threat_level), 0.0, 1.0)
    return ou_step(mobilisation, target, rate, volatility, noise, dt)


def protests_step(protests: ArrayLike, noise: ArrayLike, dt: float, *, decay: ArrayLike, volatility: ArrayLike,
                  floor: ArrayLike) -> np.ndarray:
    """Anti-corruption protests in [0, 1] (F14): a slow decay toward `floor` with noise."""
    return ou_step(protests, floor, decay, volatility, noise, dt)


def street_call(mobilising_power: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """How hard the factions that can fill the street (the Sadrists, F16, F18) call for it:
    sum over factions of power x position x salience, clipped to [0, 1]. Shapes (R|1, F) -> (R,)."""
    call = (np.asarray(mobilising_power) * np.asarray(position) * np.asarray(salience)).sum(axis=-1)
    return np.clip(call, 0.0, 1.0)


def fade(level: ArrayLike, held: ArrayLike, dt: float, *, decay: ArrayLike) -> np.ndarray:
    """A signal in [0, 1] that stands at 1 while an actor holds the posture that sends it and
    fades at `decay` per day otherwise (Washington's sanctions threat F22 and issue linkage
    F17, Tehran's pressure F16, parliament's mandate F12)."""
    return np.where(np.asarray(held, dtype=bool), 1.0, np.asarray(level) * np.exp(-np.asarray(decay) * dt))


def salience_now(base_salience: ArrayLike, tension_sensitivity: ArrayLike, tension: ArrayLike) -> np.ndarray:
    """A faction's salience in [0, 1]: its base plus sensitivity x tension, so the
    Iran-aligned bloc's salience is highest right after the strike (F12, F16). Elementwise."""
    return np.clip(np.asarray(base_salience) + np.asarray(tension_sensitivity) * np.asarray(tension), 0.0, 1.0)


def influence_step(influence: ArrayLike, presence: ArrayLike, sanctions_imposed: ArrayLike,
                   tehran_pressure: ArrayLike, dt: float, *, rate: ArrayLike, base: ArrayLike,
                   vacuum_weight: ArrayLike, sanctions_weight: ArrayLike, pressure_weight: ArrayLike) -> np.ndarray:
    """Iranian influence in Iraq in [0, 1], relaxing at `rate` per day toward a level that
    rises with

    - the vacuum left by US presence, vacuum_weight x (1 - presence)   (F7, F24)
    - imposed US sanctions, sanctions_weight                           (F23)
    - Tehran's pressure on aligned factions, pressure_weight           (F16)

    Non-decreasing in each of the three (tested): withdrawal and sanctions never lower it.
    """
    target = np.clip(
        np.asarray(base) + np.asarray(vacuum_weight) * (1.0 - np.asarray(presence))
        + np.asarray(sanctions_weight) * np.asarray(sanctions_imposed, dtype=np.float64)
        + np.asarray(pressure_weight) * np.asarray(tehran_pressure),
        0.0, 1.0,
    )
    return np.clip(relax(influence, target, rate, dt), 0.0, 1.0)


def troops_step(troops: ArrayLike, target: ArrayLike, dt: float, *, pace: ArrayLike) -> np.ndarray:
    """Troops move toward their target by at most `pace` troops a day."""
    t = np.asarray(troops, dtype=np.float64)
    tgt = np.asarray(target, dtype=np.float64)
    move = np.asarray(pace) * dt
    return np.where(t > tgt, np.maximum(t - move, tgt), np.minimum(t + move, tgt))


def lead_days(presence: ArrayLike, withdrawal_days: ArrayLike) -> np.ndarray:
    """Days a withdrawal on schedule takes from the current presence (F4, F9): the full
    January 2020 force takes `withdrawal_days`."""
    return np.asarray(presence, dtype=np.float64) * np.asarray(withdrawal_days)


# ---------------------------------------------------------------- Baghdad's reading of Washington (F22)
def credibility_after_posture(belief: ArrayLike, threatened: ArrayLike, *, resolute_signal: ArrayLike,
                              bluff_signal: ArrayLike) -> np.ndarray:
    """Baghdad's belief that Washington would carry out its sanctions threat, updated by
    Bayes' rule on the posture Washington takes at a revision (F22). Baghdad reads
    Washington as one of two types: a resolute one that would impose, which threatens with
    probability `resolute_signal`, and a bluffing one, which threatens with probability
    `bluff_signal`; a threat raises the belief, any other posture lowers it. A cheap threat
    (the two close) moves it little: Fearon (1997) on costly signals."""
    mu = np.asarray(belief, dtype=np.float64)
    t = np.asarray(threatened, dtype=bool)
    pr = np.where(t, resolute_signal, 1.0 - np.asarray(resolute_signal))
    pb = np.where(t, bluff_signal, 1.0 - np.asarray(bluff_signal))
    total = mu * pr + (1.0 - mu) * pb
    return np.where(total > 0, mu * pr / np.where(total > 0, total, 1.0), mu)


def credibility_after_restraint(belief: ArrayLike, *, follow_through: ArrayLike) -> np.ndarray:
    """The belief after Washington revises its posture with a formal request standing and
    does not impose: a resolute type imposes at such a revision with probability
    `follow_through`, a bluffer never, so the belief falls (the bluff is being called)."""
    mu = np.asarray(belief, dtype=np.float64)
    keep = mu * (1.0 - np.asarray(follow_through))
    total = keep + (1.0 - mu)
    return np.where(total > 0, keep / np.where(total > 0, total, 1.0), mu)
