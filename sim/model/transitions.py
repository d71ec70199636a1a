"""World dynamics: one week's update of each model-level variable, as pure array functions.

Every function takes per-run arrays of shape (R,) (or scalars) and returns new arrays of
the same shape, clipped to their documented ranges. Noise enters only as standard normal
arrays passed in by the caller (drawn with `draws.normal`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def presence_share(troops: ArrayLike, initial_troops: ArrayLike) -> np.ndarray:
    """US presence as a share of the January 2020 level of about 5,000 troops (F3)."""
    return np.asarray(troops, dtype=np.float64) / np.maximum(initial_troops, 1e-9)


def isis_step(isis: float | np.ndarray, presence: ArrayLike, noise: ArrayLike, *, mean: float | np.ndarray,
              reversion: float | np.ndarray, volatility: float | np.ndarray,
              presence_effect: float | np.ndarray) -> np.ndarray:
    """ISIS threat in [0, 1]: mean-reverting with noise (F1, F20).

    The level it reverts to rises by `presence_effect` x (1 - presence): the US presence
    is the anti-IS coalition's (F8, F20), so withdrawing it lets the threat grow back.
    """
    target = mean + presence_effect * (1.0 - np.asarray(presence))
    return np.clip(isis + reversion * (target - isis) + volatility * np.asarray(noise), 0.0, 1.0)


def tension_step(tension: float | np.ndarray, *, baseline: float | np.ndarray,
                 decay: float | np.ndarray) -> np.ndarray:
    """US-Iran tension in [0, 1] decays toward a baseline after the January strike (F12).
    Actors move it within their own stages: Tehran's proxies raise it, Washington's
    reassurance lowers it (F19); see `nudge`."""
    return np.clip(tension - decay * (tension - baseline), 0.0, 1.0)


def nudge(value: ArrayLike, amount: float | np.ndarray, when: ArrayLike) -> np.ndarray:
    """Add `amount` where `when` is true, clipped to [0, 1]."""
    return np.clip(np.asarray(value) + amount * np.asarray(when, dtype=np.float64), 0.0, 1.0)


def mobilisation_step(mobilisation: float | np.ndarray, tension: float | np.ndarray, street_call: float | np.ndarray,
                      sanctions_imposed: ArrayLike, noise: ArrayLike, *, rate: float | np.ndarray,
                      tension_weight: float | np.ndarray, sanctions_anger: float | np.ndarray,
                      volatility: float | np.ndarray) -> np.ndarray:
    """Street mobilisation for withdrawal in [0, 1] (F18): moves toward a level set by
    US-Iran tension (F12), the Sadrists' call to the street (F16, F18) and anger at
    imposed sanctions (F22, F23)."""
    target = np.clip(tension_weight * tension + street_call + sanctions_anger * np.asarray(sanctions_imposed, dtype=np.float64), 0.0, 1.0)
    return np.clip(mobilisation + rate * (target - mobilisation) + volatility * np.asarray(noise), 0.0, 1.0)


def protests_step(protests: float | np.ndarray, noise: ArrayLike, *, decay: float | np.ndarray,
                  volatility: float | np.ndarray, floor: float | np.ndarray) -> np.ndarray:
    """Anti-corruption protests in [0, 1] (F14): a slow decay toward `floor` with noise."""
    return np.clip(protests - decay * (protests - floor) + volatility * np.asarray(noise), 0.0, 1.0)


def street_call(mobilising_power: ArrayLike, position: ArrayLike, salience: ArrayLike) -> np.ndarray:
    """How hard the factions that can fill the street (the Sadrists, F16, F18) call for it:
    sum over factions of power x position x salience, clipped to [0, 1]. Shapes (R|1, F) -> (R,)."""
    call = (np.asarray(mobilising_power) * np.asarray(position) * np.asarray(salience)).sum(axis=-1)
    return np.clip(call, 0.0, 1.0)


def mandate_step(mandate: float | np.ndarray, resolution_passed: ArrayLike, *, decay: float | np.ndarray) -> np.ndarray:
    """Parliament's pressure on the government in [0, 1]: set to 1 by a passed resolution
    (F12, non-binding) and fading by `decay` a week."""
    return np.where(np.asarray(resolution_passed, dtype=bool), 1.0, mandate * (1.0 - decay))


def level_step(level: ArrayLike, raised: ArrayLike, *, decay: float | np.ndarray) -> np.ndarray:
    """A signal in [0, 1] that an action sets to 1 and that otherwise fades by `decay` a week
    (Washington's sanctions threat F22 and issue linkage F17, Tehran's pressure F16)."""
    return np.where(np.asarray(raised, dtype=bool), 1.0, np.asarray(level) * (1.0 - decay))


def salience_now(base_salience: ArrayLike, tension_sensitivity: ArrayLike, tension: ArrayLike) -> np.ndarray:
    """A faction's salience in [0, 1]: its base plus sensitivity x tension, so the
    Iran-aligned bloc's salience is highest right after the strike (F12, F16). Elementwise."""
    return np.clip(np.asarray(base_salience) + np.asarray(tension_sensitivity) * np.asarray(tension), 0.0, 1.0)


def position_step(position: ArrayLike, chosen: ArrayLike, *, inertia: float | np.ndarray) -> np.ndarray:
    """A faction's position moves from last week's toward the stance it chose this week."""
    return inertia * np.asarray(position) + (1.0 - inertia) * np.asarray(chosen)


def influence_step(influence: float | np.ndarray, presence: ArrayLike, sanctions_imposed: ArrayLike,
                   tehran_pressure: ArrayLike, *, rate: float | np.ndarray, base: float | np.ndarray,
                   vacuum_weight: float | np.ndarray, sanctions_weight: float | np.ndarray,
                   pressure_weight: float | np.ndarray) -> np.ndarray:
    """Iranian influence in Iraq in [0, 1], moving at `rate` toward a target that rises with

    - the vacuum left by US presence, vacuum_weight x (1 - presence)   (F7, F24)
    - imposed US sanctions, sanctions_weight                           (F23)
    - Tehran's pressure on aligned factions, pressure_weight           (F16)

    Non-decreasing in each of the three (tested): withdrawal and sanctions never lower it.
    """
    target = np.clip(
        base + vacuum_weight * (1.0 - np.asarray(presence))
        + sanctions_weight * np.asarray(sanctions_imposed, dtype=np.float64)
        + pressure_weight * np.asarray(tehran_pressure),
        0.0, 1.0,
    )
    return np.clip(influence + rate * (target - influence), 0.0, 1.0)


def troops_step(troops: ArrayLike, target: float | np.ndarray, *, pace: float | np.ndarray) -> np.ndarray:
    """Troops move toward their target by at most `pace` a week, never outside [0, target0]."""
    troops = np.asarray(troops, dtype=np.float64)
    down = np.maximum(troops - pace, target)
    up = np.minimum(troops + pace, target)
    return np.where(troops > target, down, up)


def weeks_left(week: int, deadline_week: ArrayLike) -> np.ndarray:
    """Weeks left on the one-year clock (F4); negative once the deadline has passed."""
    return np.asarray(deadline_week) - week
