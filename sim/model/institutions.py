"""Baghdad's institutions: parliament's non-binding resolutions, the government's capacity
to act, and government formation. Pure array functions; random draws are passed in."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .compiled import kernel, row_sum


@kernel(inline=True)
def vote_of(seats: np.ndarray, position: np.ndarray, can_boycott: np.ndarray, yes_threshold: float,
            boycott_threshold: float, quorum: float, scratch: np.ndarray) -> tuple[bool, float, float]:
    """`resolution_vote` in one run: the factions' rows of F values (`scratch`: F free entries)."""
    for j in range(position.shape[0]):
        scratch[j] = seats[j] * (1.0 if position[j] > yes_threshold else 0.0)
    yes = row_sum(scratch)
    for j in range(position.shape[0]):
        away = can_boycott[j] != 0 and position[j] < boycott_threshold
        scratch[j] = seats[j] * (0.0 if away else 1.0)
    present = row_sum(scratch)
    return (present >= quorum) and (yes > 0.5 * present), yes, present


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
    yes = pos > _per_run(yes_threshold)
    away = np.asarray(can_boycott, dtype=bool) & (pos < _per_run(boycott_threshold))
    yes_seats = (seats * yes).sum(axis=-1)
    present = (seats * ~away).sum(axis=-1)
    passed = (present >= quorum) & (yes_seats > 0.5 * present)
    return passed, yes_seats, present


def _per_run(threshold: float | np.ndarray) -> np.ndarray:
    """A threshold that may be one value per run (R,), shaped to compare with (R, F) positions."""
    t = np.asarray(threshold, dtype=np.float64)
    return t[:, None] if t.ndim == 1 else t


def responsiveness(caretaker: ArrayLike, majority: ArrayLike, protests: ArrayLike, *,
                   caretaker_deference: ArrayLike, protest_drain: ArrayLike) -> np.ndarray:
    """Share of its chances to act that the government takes, in [0, 1]: a caretaker defers
    to the next government (F13), anti-corruption protests drain its capacity (F14), a PM
    backed by a parliamentary majority takes them all (F15)."""
    share = (1.0 - np.asarray(caretaker_deference) * np.asarray(caretaker, dtype=np.float64)) * (
        1.0 - np.asarray(protest_drain) * np.asarray(protests))
    return np.where(np.asarray(majority, dtype=bool), 1.0, share)


def revision_rate(share: ArrayLike, majority: ArrayLike, *, base_rate: ArrayLike,
                  majority_rate: ArrayLike) -> np.ndarray:
    """How often per day the prime minister reconsiders its course: Baghdad's institutional
    pace (`base_rate`, F15) times its responsiveness, or `majority_rate` for a PM with a
    parliamentary majority behind him (F15: such a PM can move fast)."""
    return np.where(np.asarray(majority, dtype=bool), np.asarray(majority_rate),
                    np.asarray(base_rate) * np.asarray(share))


def new_prime_minister(u_type: ArrayLike, collective_stance: ArrayLike, *, p_anti_american: float | np.ndarray,
                       anti_american_position: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Stance of a newly confirmed PM (F13, F15).

    With probability `p_anti_american` the coalition is the one Silliman names, a very
    anti-American PM with a parliamentary majority behind him (F15); otherwise a consensus PM
    whose stance is the coalition's collective position. Returns (position, majority).
    """
    anti = np.asarray(u_type) < p_anti_american
    return np.where(anti, anti_american_position, collective_stance), anti
