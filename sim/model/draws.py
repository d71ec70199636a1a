"""Counter-based random numbers keyed by (root seed, run index, week, purpose).

Every random number in the model is a pure function of those four integers, so a run's
draws do not depend on how many runs are computed together, in which order, or by which
engine. This is what lets the batch engine reproduce a Mesa run exactly.

The mixer is SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable
pseudorandom number generators", OOPSLA), applied once per key component so that
neighbouring keys give unrelated streams. No global random state is read or written.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MASK64 = (1 << 64) - 1
_TWO_M53 = 2.0**-53


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def purpose_id(name: str) -> int:
    """Stable integer for a named purpose ("government.choice", "faction.kurds", ...)."""
    return zlib.crc32(name.encode("utf-8"))


def run_key(seed: int, runs: ArrayLike) -> np.ndarray:
    """The 64-bit key of each run's stream under a root seed: all of a run's draws start here."""
    runs = np.atleast_1d(np.asarray(runs, dtype=np.uint64))
    return _mix(_mix(np.full(runs.shape, seed & _MASK64, dtype=np.uint64)) ^ runs)


_PURPOSES: dict[str, int] = {}


def _draw_bits(keys: np.ndarray, week: int, purpose: str) -> np.ndarray:
    pid = _PURPOSES.get(purpose)
    if pid is None:
        pid = _PURPOSES.setdefault(purpose, purpose_id(purpose))
    return _mix(_mix(keys ^ np.uint64(week & _MASK64)) ^ np.uint64(pid)) >> np.uint64(11)


def uniform(keys: np.ndarray, week: int, purpose: str) -> np.ndarray:
    """One uniform number in [0, 1) per run, keyed by (run key, week, purpose).

    `keys` are the runs' stream keys, `run_key(root_seed, run_indices)`; arrays only
    (uint64 arithmetic wraps silently on arrays)."""
    return _draw_bits(keys, week, purpose).astype(np.float64) * _TWO_M53


def normal(keys: np.ndarray, week: int, purpose: str) -> np.ndarray:
    """One standard normal number per run, by the inverse CDF of a keyed uniform in (0, 1)."""
    return ndtri((_draw_bits(keys, week, purpose).astype(np.float64) + 0.5) * _TWO_M53)


def resolve_seed(seed: int | None) -> int:
    """`None` means fresh entropy; any int >= 0 (including 0) is used as given."""
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        # numpy types `entropy` as int | Sequence[int] | None; a SeedSequence made without
        # entropy always draws a fresh int
        assert isinstance(entropy, int)
        return entropy & ((1 << 63) - 1)
    if int(seed) < 0:
        raise ValueError(f"seed={seed!r}: a seed must be an integer >= 0, or null for fresh entropy")
    return int(seed)
