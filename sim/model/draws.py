"""Counter-based random numbers keyed by (root seed, run index, week, purpose).

Every random number in the model is a pure function of those four integers, so a run's
draws do not depend on how many runs are computed together, in which order, or by which
engine. This is what lets the batch engine reproduce a Mesa run exactly.

The mixer is SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable
pseudorandom number generators", OOPSLA), applied once per key component so that
neighbouring keys give unrelated streams: a draw is mix(mix(run key ^ week) ^ purpose). The
inner part is the run's key for the step (`step_key_of`); a step computes it once per run
(`step_keys`) and its stages draw from it (`uniform_of`, `uniform_block`, `normal_block`),
which are the same numbers as `uniform_at` and `normal_at`. No global random state is read
or written.

Normal numbers are the inverse normal CDF of a keyed uniform, computed by the rational
approximations of Cephes' `ndtri` (Moshier 1989, "Methods and programs for mathematical
functions"), written here as a kernel so that the compiled stages draw them; it gives
SciPy's `scipy.special.ndtri` bit for bit (tests/test_compiled_stages.py).
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from numpy.typing import ArrayLike

from .compiled import kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MASK64 = (1 << 64) - 1
_TWO_M53 = 2.0**-53
#: runs per block where a stage draws a block of runs' numbers at once (`uniform_block`, `normal_block`)
BLOCK = 64


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


@kernel(inline=True)
def step_key_of(key: np.uint64, week: np.uint64) -> np.uint64:
    """A run's key for one step: its stream key mixed with the step. Every draw of the run in
    that step starts from it (`draw_bits_of`), so a step computes it once per run
    (`step_keys`) and not once per draw."""
    return mix(key ^ week)


@kernel(inline=True)
def draw_bits_of(step_key: np.uint64, pid: np.uint64) -> np.uint64:
    """The 53 random bits of one draw, from the run's key for the step and the purpose id."""
    return mix(step_key ^ pid) >> np.uint64(11)


@kernel
def draw_bits(key: np.uint64, week: np.uint64, pid: np.uint64) -> np.uint64:
    """The 53 random bits of one draw, keyed by (run key, week, purpose id)."""
    return draw_bits_of(step_key_of(key, week), pid)


@kernel
def step_keys_into(keys: np.ndarray, week: np.uint64, out: np.ndarray) -> None:
    """`step_key_of` of every run's key into `out`."""
    for i in range(keys.shape[0]):
        out[i] = step_key_of(keys[i], week)


def step_keys(keys: np.ndarray, week: int | np.uint64) -> np.ndarray:
    """The runs' keys for step `week` (`step_key_of`): what the stages' kernels draw from."""
    k = np.ascontiguousarray(keys, dtype=np.uint64)
    out = np.empty_like(k)
    step_keys_into(k.reshape(-1), np.uint64(int(week) & _MASK64), out.reshape(-1))
    return out


@kernel
def _uniform_rows(keys: np.ndarray, week: np.uint64, pid: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.shape[0]):
        out[i] = np.float64(draw_bits(keys[i], week, pid)) * _TWO_M53


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


# Cephes ndtri: p/q coefficients of the central region (|y - 1/2| < 1/2 - e^-2) and of the
# tails for sqrt(-2 log y) below 8 and from 8 on
_P0 = (-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1, 1.39312609387279679503E1,
       -1.23916583867381258016E0)
_Q0 = (1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1, -2.25462687854119370527E2,
       2.00260212380060660359E2, -8.20372256168333339912E1, 1.59056225126211695515E1, -1.18331621121330003142E0)
_P1 = (4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1, 4.40805073893200834700E1,
       1.46849561928858024014E1, 2.18663306850790267539E0, -1.40256079171354495875E-1, -3.50424626827848203418E-2,
       -8.57456785154685413611E-4)
_Q1 = (1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1, 1.50425385692907503408E1,
       2.50464946208309415979E0, -1.42182922854787788574E-1, -3.80806407691578277194E-2, -9.33259480895457427372E-4)
_P2 = (3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0, 1.33303460815807542389E0,
       2.01485389549179081538E-1, 1.23716634817820021358E-2, 3.01581553508235416007E-4, 2.65806974686737550832E-6,
       6.23974539184983293730E-9)
_Q2 = (6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0, 2.16236993594496635890E-1,
       1.34204006088543189037E-2, 3.28014464682127739104E-4, 2.89247864745380683936E-6, 6.79019408009981274425E-9)
_EXP_M2 = 0.13533528323661269189  # e^-2
_SQRT_2PI = 2.50662827463100050242E0


@kernel
def _polevl(x: float, c: tuple) -> float:
    ans = c[0]
    for k in range(1, len(c)):
        ans = ans * x + c[k]
    return ans


@kernel
def _p1evl(x: float, c: tuple) -> float:
    ans = x + c[0]
    for k in range(1, len(c)):
        ans = ans * x + c[k]
    return ans


@kernel(inline=True)
def central_quantile(y0: float) -> float:
    """`normal_quantile(y0)` where y0 is in the central region (e^-2 < y0 <= 1 - e^-2): a
    ratio of polynomials, no branch, no library call (so a loop over runs vectorises it);
    the same operations as `normal_quantile`'s central branch, so the same number bit for bit."""
    y = y0 - 0.5
    y2 = y * y
    x = y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))
    return x * _SQRT_2PI


@kernel(inline=True)
def is_central(y0: float) -> bool:
    """Whether `normal_quantile(y0)` is `central_quantile(y0)`."""
    return (y0 > _EXP_M2) and (y0 <= 1.0 - _EXP_M2)


@kernel
def normal_quantile(y0: float) -> float:
    """The standard normal number whose CDF is `y0` in [0, 1] (Cephes' ndtri)."""
    if y0 == 0.0:
        return -math.inf
    if y0 == 1.0:
        return math.inf
    lower = True
    y = y0
    if y > 1.0 - _EXP_M2:
        y = 1.0 - y
        lower = False
    if y > _EXP_M2:
        return central_quantile(y)
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _polevl(z, _P1) / _p1evl(z, _Q1)
    else:
        x1 = z * _polevl(z, _P2) / _p1evl(z, _Q2)
    x = x0 - x1
    return -x if lower else x


@kernel
def uniform_at(key: np.uint64, week: np.uint64, pid: np.uint64) -> float:
    """One run's uniform number in [0, 1) keyed by (run key, week, purpose id)."""
    return uniform_of(step_key_of(key, week), pid)


@kernel(inline=True)
def uniform_of(step_key: np.uint64, pid: np.uint64) -> float:
    """`uniform_at` from the run's key for the step (`step_key_of`): what the stages call."""
    return np.float64(draw_bits_of(step_key, pid)) * _TWO_M53


@kernel
def normal_at(key: np.uint64, week: np.uint64, pid: np.uint64) -> float:
    """One run's standard normal number keyed by (run key, week, purpose id): the inverse
    CDF of a keyed uniform in (0, 1)."""
    return normal_quantile(normal_uniform(draw_bits(key, week, pid)))


@kernel(inline=True)
def normal_uniform(bits: np.uint64) -> float:
    """The uniform number in (0, 1) a normal draw is the inverse CDF of, from its 53 bits."""
    return (np.float64(bits) + 0.5) * _TWO_M53


@kernel
def uniform_block(step_keys: np.ndarray, lo: int, n: int, pid: np.uint64, out: np.ndarray) -> None:
    """`uniform_of` of the runs lo..lo+n-1 (their keys for the step) into out[:n]: the same
    numbers, in a loop without branches (it vectorises: the stages draw a block of runs'
    numbers before their branchy per-run code reads them)."""
    for r in range(n):
        out[r] = uniform_of(step_keys[lo + r], pid)


@kernel
def normal_block(step_keys: np.ndarray, lo: int, n: int, pid: np.uint64, ys: np.ndarray, out: np.ndarray) -> None:
    """`normal_at` of the runs lo..lo+n-1 (their keys for the step) into out[:n], bit for bit:
    the uniforms (into the scratch `ys`) and every run's number by the central region's
    formula in loops without branches (they vectorise), then the runs whose uniform lies in a
    tail (about a quarter) again by `normal_quantile`."""
    for r in range(n):
        ys[r] = normal_uniform(draw_bits_of(step_keys[lo + r], pid))
    for r in range(n):
        out[r] = central_quantile(ys[r])
    for r in range(n):
        if not is_central(ys[r]):
            out[r] = normal_quantile(ys[r])


@kernel
def _normal_rows(keys: np.ndarray, week: np.uint64, pid: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.shape[0]):
        out[i] = normal_at(keys[i], week, pid)


def normal(keys: np.ndarray, week: int, purpose: str) -> np.ndarray:
    """One standard normal number per run, by the inverse CDF of a keyed uniform in (0, 1)."""
    k = np.ascontiguousarray(keys, dtype=np.uint64)
    out = np.empty(k.shape)
    _normal_rows(k.reshape(-1), np.uint64(week & _MASK64), _purpose(purpose), out.reshape(-1))
    return out


def step_key(week: int) -> np.uint64:
    """A step as the kernels' draws take it."""
    return np.uint64(week & _MASK64)


def purpose_key(purpose: str) -> np.uint64:
    """A purpose's id as the kernels' draws take it."""
    return _purpose(purpose)


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
