"""World dynamics: one step's update of each model-level variable, as pure array functions.

Every function takes per-run arrays of shape (R,) (or scalars) and the step length `dt` in
days, and returns new arrays of the same shape, clipped to their documented ranges. Rates
are per day and enter through the exact continuous-time formulas of `valuation` (a
relaxation moves 1 - e^(-k dt) of the way; a signal fades by e^(-d dt); noise is an
Ornstein-Uhlenbeck increment), so the step length changes the resolution, not the result.
Noise enters only as standard normal numbers passed in by the caller (`draws.normal`).

Each transition is a compiled kernel for one run (`isis_next`, `tension_next`, ...), which
the compiled stages call; the array function of the same purpose (`isis_step`, ...)
applies it to arrays of runs (`compiled.elementwise`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .compiled import at, elementwise, kernel, row_sum
from .elementary import exp
from .valuation import ou_factors, ou_value, relaxed


@kernel
def presence_of(troops: float, initial_troops: float) -> float:
    """`presence_share` for one run."""
    return troops / max(initial_troops, 1e-9)


def presence_share(troops: ArrayLike, initial_troops: float | np.ndarray) -> np.ndarray:
    """US presence as a share of the January 2020 level of about 5,000 troops (F3)."""
    return np.asarray(troops, dtype=np.float64) / np.maximum(initial_troops, 1e-9)


@kernel
def isis_next(isis: float, presence: float, noise: float, mean: float, presence_effect: float, moved: float,
              spread: float) -> float:
    """`isis_step` for one run, by the step's factors (`valuation.ou_factors` of the reversion
    and volatility)."""
    return ou_value(isis, mean + presence_effect * (1.0 - presence), moved, spread, noise)


@kernel
def _rows_isis(out: np.ndarray, isis: np.ndarray, presence: np.ndarray, noise: np.ndarray, dt: np.ndarray,
               mean: np.ndarray, reversion: np.ndarray, volatility: np.ndarray, presence_effect: np.ndarray) -> None:
    for i in range(out.shape[0]):
        moved, spread = ou_factors(at(reversion, i), at(volatility, i), at(dt, i))
        out[i] = isis_next(at(isis, i), at(presence, i), at(noise, i), at(mean, i), at(presence_effect, i), moved,
                           spread)


def isis_step(isis: ArrayLike, presence: ArrayLike, noise: ArrayLike, dt: float, *, mean: ArrayLike,
              reversion: ArrayLike, volatility: ArrayLike, presence_effect: ArrayLike) -> np.ndarray:
    """ISIS threat in [0, 1]: mean-reverting with noise (F1, F20). The level it reverts to
    rises by `presence_effect` x (1 - presence): the US presence is the anti-IS coalition's
    (F8, F20), so withdrawing it lets the threat grow back."""
    return elementwise(_rows_isis, isis, presence, noise, dt, mean, reversion, volatility, presence_effect)


@kernel
def tension_next(tension: float, escalating: bool, reassuring: bool, dt: float, baseline: float, decay: float,
                 escalation_rate: float, reassure_rate: float) -> float:
    """`tension_step` for one run."""
    esc = escalation_rate * (1.0 if escalating else 0.0)
    calm = reassure_rate * (1.0 if reassuring else 0.0)
    rate = decay + esc + calm
    target = (decay * baseline + esc) / rate if rate > 0 else tension
    return min(max(relaxed(tension, target, rate, dt), 0.0), 1.0)


@kernel
def _rows_tension(out: np.ndarray, tension: np.ndarray, escalating: np.ndarray, reassuring: np.ndarray,
                  dt: np.ndarray, baseline: np.ndarray, decay: np.ndarray, escalation_rate: np.ndarray,
                  reassure_rate: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = tension_next(at(tension, i), at(escalating, i) != 0, at(reassuring, i) != 0, at(dt, i),
                              at(baseline, i), at(decay, i), at(escalation_rate, i), at(reassure_rate, i))


def tension_step(tension: ArrayLike, escalating: ArrayLike, reassuring: ArrayLike, dt: float, *,
                 baseline: ArrayLike, decay: ArrayLike, escalation_rate: ArrayLike,
                 reassure_rate: ArrayLike) -> np.ndarray:
    """US-Iran tension in [0, 1] after the January strike (F12), the exact step of

        dT/dt = - decay (T - baseline) + escalation_rate [Tehran escalates] (1 - T)
                - reassure_rate [Washington reassures] T                          (F19)

    a linear equation with constant coefficients over a step: T relaxes at rate
    a = decay + escalation + reassurance toward (decay baseline + escalation) / a."""
    return elementwise(_rows_tension, tension, escalating, reassuring, dt, baseline, decay, escalation_rate,
                       reassure_rate)


@kernel
def mobilisation_next(mobilisation: float, tension: float, street_call: float, sanctions_imposed: bool,
                      threat_level: float, noise: float, tension_weight: float, sanctions_anger: float,
                      threat_anger: float, moved: float, spread: float) -> float:
    """`mobilisation_step` for one run, by the step's factors (`valuation.ou_factors` of the
    rate and volatility)."""
    target = (tension_weight * tension + street_call + sanctions_anger * (1.0 if sanctions_imposed else 0.0)
              + threat_anger * threat_level)
    return ou_value(mobilisation, min(max(target, 0.0), 1.0), moved, spread, noise)


@kernel
def _rows_mobilisation(out: np.ndarray, mobilisation: np.ndarray, tension: np.ndarray, street_call: np.ndarray,
                       sanctions_imposed: np.ndarray, threat_level: np.ndarray, noise: np.ndarray, dt: np.ndarray,
                       rate: np.ndarray, tension_weight: np.ndarray, sanctions_anger: np.ndarray,
                       threat_anger: np.ndarray, volatility: np.ndarray) -> None:
    for i in range(out.shape[0]):
        moved, spread = ou_factors(at(rate, i), at(volatility, i), at(dt, i))
        out[i] = mobilisation_next(at(mobilisation, i), at(tension, i), at(street_call, i),
                                   at(sanctions_imposed, i) != 0, at(threat_level, i), at(noise, i),
                                   at(tension_weight, i), at(sanctions_anger, i), at(threat_anger, i), moved, spread)


def mobilisation_step(mobilisation: ArrayLike, tension: ArrayLike, street_call: ArrayLike,
                      sanctions_imposed: ArrayLike, threat_level: ArrayLike, noise: ArrayLike, dt: float, *,
                      rate: ArrayLike, tension_weight: ArrayLike, sanctions_anger: ArrayLike,
                      threat_anger: ArrayLike, volatility: ArrayLike) -> np.ndarray:
    """Street mobilisation for withdrawal in [0, 1] (F18): moves toward a level set by
    US-Iran tension (F12), the Sadrists' call to the street (F16, F18), anger at imposed
    sanctions (F22, F23) and at public threats (F19: 'knee-jerk reactions' inflame)."""
    return elementwise(_rows_mobilisation, mobilisation, tension, street_call, sanctions_imposed, threat_level, noise,
                       dt, rate, tension_weight, sanctions_anger, threat_anger, volatility)


def protests_step(protests: ArrayLike, noise: ArrayLike, dt: float, *, decay: ArrayLike, volatility: ArrayLike,
                  floor: ArrayLike) -> np.ndarray:
    """Anti-corruption protests in [0, 1] (F14): a slow decay toward `floor` with noise
    (`valuation.ou_value` for one run)."""
    return elementwise(_rows_protests, protests, noise, dt, decay, volatility, floor)


@kernel
def _rows_protests(out: np.ndarray, protests: np.ndarray, noise: np.ndarray, dt: np.ndarray, decay: np.ndarray,
                   volatility: np.ndarray, floor: np.ndarray) -> None:
    for i in range(out.shape[0]):
        moved, spread = ou_factors(at(decay, i), at(volatility, i), at(dt, i))
        out[i] = ou_value(at(protests, i), at(floor, i), moved, spread, at(noise, i))


@kernel(inline=True)
def street_call_of(mobilising_power: np.ndarray, position: np.ndarray, salience: np.ndarray,
                   scratch: np.ndarray) -> float:
    """`street_call` for one run: the factions' rows of F values (`scratch`: F free entries)."""
    for j in range(position.shape[0]):
        scratch[j] = mobilising_power[j] * position[j] * salience[j]
    return min(max(row_sum(scratch), 0.0), 1.0)


def street_call(mobilising_power: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """How hard the factions that can fill the street (the Sadrists, F16, F18) call for it:
    sum over factions of power x position x salience, clipped to [0, 1]. Shapes (R|1, F) -> (R,)."""
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (mobilising_power, position, salience)))
    shape = arrays[0].shape
    mp, pos, sal = (np.ascontiguousarray(a.reshape(-1, shape[-1])) for a in arrays)
    out = np.empty(pos.shape[0])
    _rows_street_call(mp, pos, sal, out)
    return out.reshape(shape[:-1])


@kernel
def _rows_street_call(mobilising_power: np.ndarray, position: np.ndarray, salience: np.ndarray,
                      out: np.ndarray) -> None:
    scratch = np.empty(position.shape[1])
    for i in range(out.shape[0]):
        out[i] = street_call_of(mobilising_power[i], position[i], salience[i], scratch)


@kernel
def faded(level: float, held: bool, kept: float) -> float:
    """`fade` for one run; `kept`: the share of the signal a step keeps (`kept_share`)."""
    return 1.0 if held else level * kept


@kernel
def kept_share(decay: float, dt: float) -> float:
    """The share of a fading signal left after `dt` days at `decay` per day."""
    return exp(-decay * dt)


@kernel
def _rows_kept(out: np.ndarray, decay: np.ndarray, dt: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = kept_share(at(decay, i), at(dt, i))


def kept_over(decay: ArrayLike, dt: ArrayLike) -> np.ndarray:
    """`kept_share` over arrays (per-run parameters)."""
    return elementwise(_rows_kept, decay, dt)


@kernel
def _rows_faded(out: np.ndarray, level: np.ndarray, held: np.ndarray, dt: np.ndarray, decay: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = faded(at(level, i), at(held, i) != 0, kept_share(at(decay, i), at(dt, i)))


def fade(level: ArrayLike, held: ArrayLike, dt: float, *, decay: ArrayLike) -> np.ndarray:
    """A signal in [0, 1] that stands at 1 while an actor holds the posture that sends it and
    fades at `decay` per day otherwise (Washington's sanctions threat F22 and issue linkage
    F17, Tehran's pressure F16, parliament's mandate F12)."""
    return elementwise(_rows_faded, level, held, dt, decay)


@kernel
def salience_of(base_salience: float, tension_sensitivity: float, tension: float) -> float:
    """`salience_now` for one faction in one run."""
    return min(max(base_salience + tension_sensitivity * tension, 0.0), 1.0)


@kernel
def _rows_salience(out: np.ndarray, base_salience: np.ndarray, tension_sensitivity: np.ndarray,
                   tension: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = salience_of(at(base_salience, i), at(tension_sensitivity, i), at(tension, i))


def salience_now(base_salience: ArrayLike, tension_sensitivity: ArrayLike, tension: ArrayLike) -> np.ndarray:
    """A faction's salience in [0, 1]: its base plus sensitivity x tension, so the
    Iran-aligned bloc's salience is highest right after the strike (F12, F16). Elementwise."""
    return elementwise(_rows_salience, base_salience, tension_sensitivity, tension)


@kernel
def influence_next(influence: float, presence: float, sanctions_imposed: bool, tehran_pressure: float, dt: float,
                   rate: float, base: float, vacuum_weight: float, sanctions_weight: float,
                   pressure_weight: float) -> float:
    """`influence_step` for one run."""
    target = (base + vacuum_weight * (1.0 - presence) + sanctions_weight * (1.0 if sanctions_imposed else 0.0)
              + pressure_weight * tehran_pressure)
    return min(max(relaxed(influence, min(max(target, 0.0), 1.0), rate, dt), 0.0), 1.0)


@kernel
def _rows_influence(out: np.ndarray, influence: np.ndarray, presence: np.ndarray, sanctions_imposed: np.ndarray,
                    tehran_pressure: np.ndarray, dt: np.ndarray, rate: np.ndarray, base: np.ndarray,
                    vacuum_weight: np.ndarray, sanctions_weight: np.ndarray, pressure_weight: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = influence_next(at(influence, i), at(presence, i), at(sanctions_imposed, i) != 0,
                                at(tehran_pressure, i), at(dt, i), at(rate, i), at(base, i), at(vacuum_weight, i),
                                at(sanctions_weight, i), at(pressure_weight, i))


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
    return elementwise(_rows_influence, influence, presence, sanctions_imposed, tehran_pressure, dt, rate, base,
                       vacuum_weight, sanctions_weight, pressure_weight)


@kernel
def troops_next(troops: float, target: float, dt: float, pace: float) -> float:
    """`troops_step` for one run."""
    move = pace * dt
    return max(troops - move, target) if troops > target else min(troops + move, target)


@kernel
def _rows_troops(out: np.ndarray, troops: np.ndarray, target: np.ndarray, dt: np.ndarray, pace: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = troops_next(at(troops, i), at(target, i), at(dt, i), at(pace, i))


def troops_step(troops: ArrayLike, target: ArrayLike, dt: float, *, pace: ArrayLike) -> np.ndarray:
    """Troops move toward their target by at most `pace` troops a day."""
    return elementwise(_rows_troops, troops, target, dt, pace)


def lead_days(presence: ArrayLike, withdrawal_days: ArrayLike) -> np.ndarray:
    """Days a withdrawal on schedule takes from the current presence (F4, F9): the full
    January 2020 force takes `withdrawal_days`."""
    return np.asarray(presence, dtype=np.float64) * np.asarray(withdrawal_days)


# ---------------------------------------------------------------- Baghdad's reading of Washington (F22)
@kernel
def belief_after_posture(belief: float, threatened: bool, resolute_signal: float, bluff_signal: float) -> float:
    """`credibility_after_posture` for one run."""
    pr = resolute_signal if threatened else 1.0 - resolute_signal
    pb = bluff_signal if threatened else 1.0 - bluff_signal
    total = belief * pr + (1.0 - belief) * pb
    return belief * pr / total if total > 0 else belief


@kernel
def _rows_belief_after_posture(out: np.ndarray, belief: np.ndarray, threatened: np.ndarray,
                               resolute_signal: np.ndarray, bluff_signal: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = belief_after_posture(at(belief, i), at(threatened, i) != 0, at(resolute_signal, i),
                                      at(bluff_signal, i))


def credibility_after_posture(belief: ArrayLike, threatened: ArrayLike, *, resolute_signal: ArrayLike,
                              bluff_signal: ArrayLike) -> np.ndarray:
    """Baghdad's belief that Washington would carry out its sanctions threat, updated by
    Bayes' rule on the posture Washington takes at a revision (F22). Baghdad reads
    Washington as one of two types: a resolute one that would impose, which threatens with
    probability `resolute_signal`, and a bluffing one, which threatens with probability
    `bluff_signal`; a threat raises the belief, any other posture lowers it. A cheap threat
    (the two close) moves it little: Fearon (1997) on costly signals."""
    return elementwise(_rows_belief_after_posture, belief, threatened, resolute_signal, bluff_signal)


@kernel
def belief_after_restraint(belief: float, follow_through: float) -> float:
    """`credibility_after_restraint` for one run."""
    keep = belief * (1.0 - follow_through)
    total = keep + (1.0 - belief)
    return keep / total if total > 0 else belief


@kernel
def _rows_belief_after_restraint(out: np.ndarray, belief: np.ndarray, follow_through: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = belief_after_restraint(at(belief, i), at(follow_through, i))


def credibility_after_restraint(belief: ArrayLike, *, follow_through: ArrayLike) -> np.ndarray:
    """The belief after Washington revises its posture with a formal request standing and
    does not impose: a resolute type imposes at such a revision with probability
    `follow_through`, a bluffer never, so the belief falls (the bluff is being called)."""
    return elementwise(_rows_belief_after_restraint, belief, follow_through)
