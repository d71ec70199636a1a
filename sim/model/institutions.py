"""Baghdad's institutions: parliament's non-binding resolutions, the government's capacity
to act, and government formation. Pure array functions; random draws are passed in."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def resolution_vote(seats: ArrayLike, position: ArrayLike, can_boycott: ArrayLike, *,
                    yes_threshold: float | np.ndarray, boycott_threshold: float | np.ndarray,
                    quorum: float | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vote on a non-binding resolution to expel US troops (F12).

    Factions with position above `yes_threshold` vote yes; factions that can boycott
    (Kurdish and Sunni parties, wary of the push, F14) stay away when below
    `boycott_threshold`; the rest vote no. The resolution passes when the seats present
    reach the quorum and the yes seats are a majority of those present.
    Shapes: seats (R|1, F), position (R, F), can_boycott (F,). Returns (passed, yes, present).
    """
    seats = np.asarray(seats, dtype=np.float64)
    pos = np.asarray(position, dtype=np.float64)
    yes = pos > yes_threshold
    away = np.asarray(can_boycott, dtype=bool) & (pos < boycott_threshold)
    yes_seats = (seats * yes).sum(axis=-1)
    present = (seats * ~away).sum(axis=-1)
    passed = (present >= quorum) & (yes_seats > 0.5 * present)
    return passed, yes_seats, present


def decision_capacity(caretaker: ArrayLike, majority: ArrayLike, protests: ArrayLike, *,
                      base_capacity: float | np.ndarray, caretaker_deference: float | np.ndarray,
                      protest_drain: float | np.ndarray, majority_capacity: ArrayLike) -> np.ndarray:
    """Weekly probability that the government takes a decision at all.

    Institutional slowness sets the base (F15); a caretaker defers to the next government
    (F13); anti-corruption protests drain capacity (F14); a PM backed by a parliamentary
    majority acts with at least `majority_capacity` (F15).
    """
    cap = base_capacity * (1.0 - caretaker_deference * np.asarray(caretaker, dtype=np.float64))
    cap = cap * (1.0 - protest_drain * np.asarray(protests))
    return np.where(np.asarray(majority, dtype=bool), np.maximum(cap, majority_capacity), cap)


def new_prime_minister(u_type: ArrayLike, collective_stance: ArrayLike, *, p_anti_american: float | np.ndarray,
                       anti_american_position: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Stance of a newly confirmed PM (F13, F15).

    With probability `p_anti_american` the coalition is the one Silliman names, a very
    anti-American PM with a parliamentary majority behind him (F15); otherwise a consensus PM
    whose stance is the coalition's collective position. Returns (position, majority).
    """
    anti = np.asarray(u_type) < p_anti_american
    return np.where(anti, anti_american_position, collective_stance), anti
