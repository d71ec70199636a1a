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

from .compiled import kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MASK64 = (1 << 64) - 1
_TWO_M53 = 2.0**-53


@kernel
def mix(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser on one 64-bit word (wrapping arithmetic)."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@kernel
def _mix_rows(z: np.ndarray, out: np.ndarray) -> None:
    for i in range(z.shape[0]):
        out[i] = mix(z[i])


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array."""
    z = np.ascontiguousarray(z, dtype=np.uint64)
    out = np.empty_like(z)
    _mix_rows(z.reshape(-1), out.reshape(-1))
    return out


@kernel
def draw_bits(key: np.uint64, week: np.uint64, pid: np.uint64) -> np.uint64:
    """The 53 random bits of one draw, keyed by (run key, week, purpose id)."""
    return mix(mix(key ^ week) ^ pid) >> np.uint64(11)


@kernel
def _uniform_rows(keys: np.ndarray, week: np.uint64, pid: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.shape[0]):
        out[i] = np.float64(draw_bits(keys[i], week, pid)) * _TWO_M53


@kernel
def _centred_rows(keys: np.ndarray, week: np.uint64, pid: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.shape[0]):
        out[i] = (np.float64(draw_bits(keys[i], week, pid)) + 0.5) * _TWO_M53


def purpose_id(name: str) -> int:
    """Stable integer for a named purpose ("government.choice", "faction.kurds", ...)."""
    return zlib.crc32(name.encode("utf-8"))


def run_key(seed: int, runs: ArrayLike) -> np.ndarray:
    """The 64-bit key of each run's stream under a root seed: all of a run's draws start here."""
    runs = np.atleast_1d(np.asarray(runs, dtype=np.uint64))
    return _mix(_mix(np.full(runs.shape, seed & _MASK64, dtype=np.uint64)) ^ runs)


_PURPOSES: dict[str, np.uint64] = {}


def _purpose(purpose: str) -> np.uint64:
    pid = _PURPOSES.get(purpose)
    if pid is None:
        pid = _PURPOSES.setdefault(purpose, np.uint64(purpose_id(purpose)))
    return pid


def uniform(keys: np.ndarray, week: int, purpose: str) -> np.ndarray:
    """One uniform number in [0, 1) per run, keyed by (run key, week, purpose).

    `keys` are the runs' stream keys, `run_key(root_seed, run_indices)`."""
    k = np.ascontiguousarray(keys, dtype=np.uint64)
    out = np.empty(k.shape)
    _uniform_rows(k.reshape(-1), np.uint64(week & _MASK64), _purpose(purpose), out.reshape(-1))
    return out


def normal(keys: np.ndarray, week: int, purpose: str) -> np.ndarray:
    """One standard normal number per run, by the inverse CDF of a keyed uniform in (0, 1)."""
    k = np.ascontiguousarray(keys, dtype=np.uint64)
    out = np.empty(k.shape)
    _centred_rows(k.reshape(-1), np.uint64(week & _MASK64), _purpose(purpose), out.reshape(-1))
    return ndtri(out)


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
