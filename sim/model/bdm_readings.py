"""Readings of Bueno de Mesquita's model where the open replications of Scholz, Calbert &
Smith (2011) depart from the text (`sim/model/bdm.py` follows the text; docs/validation.md,
section 1, lists every reading).

`BDM_READINGS`:

- `text` (the default; `bdm.bdm_rounds`): the probability of success is a share of the
  votes on that pair; the proposer's perception decides an offer (actor i offers j what i
  expects); an actor takes the offer that moves it least, whatever its kind.
- `replication`: as the code of the open replication that reproduces Scholz et al.'s own
  trace (J. McKibben, `jmckib/bdm-scholz-expected-utility-model`, whose comments say where
  the authors' code departs from their text; also D. Masad,
  `dmasad/BDM_DecisionModel_Replication`), read to learn, written here anew:
  1. *denominator*: a pair's votes for a are divided by the votes over **all** pairs, and a
     voter weighs distances with its own risk exponent (|x_k - x|/scale)^r_k;
  2. *perception*: the **target** decides, in its own view and with its own exponent: it
     gives way to a confrontation it expects to lose (E(U_ji) > E(U_ij) > 0, to x_j) or
     compromises when the proposer gains more than it loses (E(U_ji) > 0 > E(U_ij) and
     E(U_ji) > |E(U_ij)|: the fraction |E(U_ij)| / E(U_ji) of the way); the code's
     capitulation test compares a number with its own absolute value and never holds, so
     this reading has no capitulations;
  3. *choice*: confrontations first (the least move), else the compromise with the lowest
     (|E(U_ij)| x_i + |E(U_ji)| x_j) / (|E(U_ij)| + |E(U_ji)|), the key of the authors'
     code; ties to the actor listed first.

Risk attitudes are computed as in the text in both readings (every exponent 1, exposures
compared across actors). Arrays have a leading runs axis, as in `bdm.py`; loops run over
actor columns so a run's numbers do not depend on the runs computed with it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import bdm
from .compiled import kernel, part_sum

BDM_READINGS = ("text", "replication")


def _votes(c: np.ndarray, x: np.ndarray, s: np.ndarray, r: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """V[r, k, a, b]: voter k's vote for x_a over x_b, c_k s_k ((|x_k - x_b|/scale)^r_k -
    (|x_k - x_a|/scale)^r_k), shape (R, N, N, N)."""
    d = np.abs(x[:, :, None] - x[:, None, :]) / scale[:, None, None]      # (R, k, position)
    w = d ** r[:, :, None]
    return (c * s)[:, :, None, None] * (w[:, :, None, :] - w[:, :, :, None])


def all_pairs_probability(capability: ArrayLike, position: ArrayLike, salience: ArrayLike,
                          risk_exponent: ArrayLike, scale: ArrayLike) -> np.ndarray:
    """P[r, a, b] under the replication's reading 1: the votes for a over b, over the
    absolute votes of all voters on all pairs; 0 where x_a = x_b."""
    c, x, s = bdm._runs(capability, position, salience)
    r = np.broadcast_to(np.asarray(risk_exponent, dtype=np.float64), x.shape)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), x.shape[:1])
    v = _votes(c, x, s, r, scale)
    total = np.abs(v).sum(axis=(1, 2, 3))[:, None, None]
    p = np.maximum(v, 0.0).sum(axis=1) / np.where(total > 0, total, 1.0)
    return np.where(x[:, :, None] == x[:, None, :], 0.0, p)


def perceived_utility(r_perceiver: np.ndarray, x: np.ndarray, s: np.ndarray, probability: np.ndarray,
                      scale: np.ndarray, q: float = bdm.STATUS_QUO_PROBABILITY) -> np.ndarray:
    """E^p(U_ab)[r, p, a, b]: perceiver p's view of a's expected utility of challenging b,
    with p's exponent (Q = 1: the status-quo terms reduce to U_sq)."""
    d = np.abs(x[:, :, None] - x[:, None, :]) / scale[:, None, None]     # (R, a, b)
    rp = r_perceiver[:, :, None, None]
    u_s = 2.0 - 4.0 * np.clip(0.5 - 0.5 * d, 0, 1)[:, None] ** rp
    u_f = 2.0 - 4.0 * np.clip(0.5 + 0.5 * d, 0, 1)[:, None] ** rp
    u_sq = 2.0 - 4.0 * 0.5 ** rp
    p = probability[:, None]
    st = s[:, None, None, :]
    return st * (p * u_s + (1 - p) * u_f) + (1 - st) * u_s - q * u_sq


def replication_round(capability: ArrayLike, position: ArrayLike, salience: ArrayLike,
                      scale: ArrayLike | None = None) -> bdm.Round:
    """One round under the `replication` reading (module docstring)."""
    c, x, s = bdm._runs(capability, position, salience)
    runs, n = x.shape
    scale = bdm.issue_scale(x) if scale is None else np.broadcast_to(np.asarray(scale, dtype=np.float64), (runs,))
    ones = np.ones_like(x)
    # risk, every exponent 1: exposure of a = sum over o of a's view of o challenging a
    p1 = all_pairs_probability(c, x, s, ones, scale)
    e1 = perceived_utility(ones, x, s, p1, scale)
    exposure = np.zeros_like(x)
    for a in range(n):
        for o in range(n):
            if o != a:
                exposure[:, a] += e1[:, a, o, a]
    hi, lo = exposure.max(axis=1, keepdims=True), exposure.min(axis=1, keepdims=True)
    spread = hi - lo
    acceptance = np.where(spread > 0, (2 * exposure - hi - lo) / np.where(spread > 0, spread, 1.0), 0.0)
    r = bdm.risk_exponent(acceptance)
    # offers, in the target's view with its own exponent and the voters' own exponents
    p = all_pairs_probability(c, x, s, r, scale)
    e = perceived_utility(r, x, s, p, scale)
    new_x, taken, proposer = x.copy(), np.zeros((runs, n), np.int8), np.full((runs, n), -1, np.int64)
    for a in range(n):
        best_conf = np.full(runs, np.inf)
        conf_pos = np.full(runs, np.nan)
        conf_by = np.full(runs, -1)
        best_key = np.full(runs, np.inf)
        comp_pos = np.full(runs, np.nan)
        comp_by = np.full(runs, -1)
        for o in range(n):
            if o == a:
                continue
            eu_ij, eu_ji = e[:, a, a, o], e[:, a, o, a]
            differ = x[:, a] != x[:, o]
            confront = differ & (eu_ji > eu_ij) & (eu_ij > 0)
            move = np.abs(x[:, o] - x[:, a])
            better = confront & (move < best_conf)
            best_conf = np.where(better, move, best_conf)
            conf_pos = np.where(better, x[:, o], conf_pos)
            conf_by = np.where(better, o, conf_by)
            compromise = differ & (eu_ji > 0) & (eu_ij < 0) & (eu_ji > np.abs(eu_ij))
            ratio = np.abs(eu_ij) / np.where(compromise, eu_ji, 1.0)
            key = (np.abs(eu_ij) * x[:, a] + np.abs(eu_ji) * x[:, o]) / np.where(compromise, np.abs(eu_ij) + np.abs(eu_ji), 1.0)
            better = compromise & (key < best_key)
            best_key = np.where(better, key, best_key)
            comp_pos = np.where(better, x[:, a] + (x[:, o] - x[:, a]) * ratio, comp_pos)
            comp_by = np.where(better, o, comp_by)
        has_conf, has_comp = conf_by >= 0, comp_by >= 0
        new_x[:, a] = np.where(has_conf, conf_pos, np.where(has_comp, comp_pos, x[:, a]))
        taken[:, a] = np.where(has_conf, bdm.CONFRONTATION, np.where(has_comp, bdm.COMPROMISE, bdm.NO_MOVE))
        proposer[:, a] = np.where(has_conf, conf_by, np.where(has_comp, comp_by, -1))
    return bdm.Round(acceptance, r, taken, proposer, new_x)


def rounds(capability: ArrayLike, position: ArrayLike, salience: ArrayLike, n_rounds: int = 10, *,
           reading: str = "text", tol: float = bdm.TOLERANCE, scale: ArrayLike | None = None) -> list[bdm.Round]:
    """Up to `n_rounds` rounds under `reading` (`text`: `bdm.bdm_rounds`); a run that has
    converged keeps its positions, and the loop stops once every run has."""
    if reading == "text":
        return bdm.bdm_rounds(capability, position, salience, n_rounds, tol=tol, scale=scale)
    if reading != "replication":
        raise ValueError(f"bdm reading {reading!r} is not one of {BDM_READINGS}")
    c, x, s = bdm._runs(capability, position, salience)
    scale = bdm.issue_scale(x) if scale is None else np.broadcast_to(np.asarray(scale, dtype=np.float64), x.shape[:1])
    done = np.zeros(x.shape[0], dtype=bool)
    history: list[bdm.Round] = []
    for _ in range(int(n_rounds)):
        rnd = replication_round(c, x, s, scale)
        change = np.abs(rnd.position - x).max(axis=1)
        keep = done[:, None]
        new_x = np.where(keep, x, rnd.position)
        history.append(bdm.Round(rnd.risk_acceptance, rnd.risk_exponent,
                                 np.where(keep, bdm.NO_MOVE, rnd.move).astype(np.int8),
                                 np.where(keep, -1, rnd.proposer), new_x))
        done = done | (change <= tol * scale)
        x = new_x
        if done.all():
            break
    return history


def collective(capability: ArrayLike, position: ArrayLike, salience: ArrayLike, reading: str = "text",
               n_rounds: int = bdm.MODEL_ROUNDS) -> np.ndarray:
    """The `bdm` collective rule under a reading: the weighted mean after the rounds."""
    if reading == "text":
        return bdm.bdm_collective(capability, position, salience, n_rounds)
    c, x, s = bdm._runs(capability, position, salience)
    history = rounds(c, x, s, n_rounds, reading=reading)
    final = history[-1].position if history else x
    out = bdm.weighted_mean(c, final, s)
    return out if np.ndim(position) > 1 else out[0]


# ---------------------------------------------------------------- the `replication` reading compiled
# One run's table at a time, the numbers of `replication_round` (see bdm.py's compiled rule
# for what "the same numbers" means); the scratch is bdm.scratch_size(n) long.

@kernel(inline=True)
def utility_in_view_of(exponent: float, d: float, s_target: float, probability: float) -> float:
    """E^p(U_ab) in perceiver p's view, with p's exponent (`perceived_utility`): d =
    |x_a - x_b| / scale, s_target = s_b, probability = P_ab of reading 1; Q = 1."""
    half_power = bdm.power_of(0.5, exponent)
    u_s, u_f = bdm.success_failure_of(d, exponent, half_power)
    return bdm.challenge_utility_of(u_s, u_f, 2.0 - 4.0 * half_power, s_target, probability,
                                    bdm.STATUS_QUO_PROBABILITY, bdm.IMPROVEMENT_PROBABILITY, exponent, d, 0.0)


@kernel(inline=True)
def all_pairs_probability_of(c: np.ndarray, x: np.ndarray, s: np.ndarray, r: np.ndarray, neutral: bool, scale: float,
                             w: np.ndarray, votes: np.ndarray, p: np.ndarray) -> None:
    """P[a * n + b] of reading 1 into p (`all_pairs_probability`): voter k's vote for x_a
    over x_b is c_k s_k (w_kb - w_ka), w_km = (|x_k - x_m| / scale)^r_k (every r_k = 1 if
    `neutral`); a pair's votes for a over the absolute votes on all pairs (summed as NumPy
    sums them, `compiled.part_sum`); 0 where x_a = x_b. w (n * n) and votes (n^3) are scratch."""
    n = x.shape[0]
    for k in range(n):
        for m in range(n):
            d = abs(x[k] - x[m]) / scale
            w[k * n + m] = 0.0 if d == 0.0 and (neutral or r[k] > 0.0) else bdm.power_of(d, 1.0 if neutral else r[k])
    for k in range(n):
        for a in range(n):
            for b in range(n):
                votes[(k * n + a) * n + b] = c[k] * s[k] * (w[k * n + b] - w[k * n + a])
    for a in range(n):
        for b in range(n):
            v = votes[a * n + b]
            for_a = v if v > 0.0 else 0.0
            for k in range(1, n):
                v = votes[(k * n + a) * n + b]
                for_a = for_a + (v if v > 0.0 else 0.0)
            p[a * n + b] = for_a
    for m in range(n * n * n):
        votes[m] = abs(votes[m])
    total = part_sum(votes, 0, n * n * n)
    for a in range(n):
        for b in range(n):
            p[a * n + b] = 0.0 if x[a] == x[b] else p[a * n + b] / (total if total > 0 else 1.0)


@kernel
def replication_positions_of(c: np.ndarray, x0: np.ndarray, s: np.ndarray, rounds: int,
                             scratch: np.ndarray) -> np.ndarray:
    """The positions after up to `rounds` rounds of the `replication` reading (`rounds` for
    one run), a view of `scratch` (bdm.scratch_size)."""
    n = x0.shape[0]
    votes = scratch[:n * n * n]
    at_ = n * n * n
    w, p = scratch[at_:at_ + n * n], scratch[at_ + n * n:at_ + 2 * n * n]
    at_ += 2 * n * n
    x, new, exposure, r = scratch[at_:at_ + n], scratch[at_ + n:at_ + 2 * n], scratch[at_ + 2 * n:at_ + 3 * n], \
        scratch[at_ + 3 * n:at_ + 4 * n]
    for k in range(n):
        x[k] = x0[k]
    scale = bdm.spread_of(x0)
    for _ in range(rounds):
        # risk, every exponent 1: exposure of a = sum over o of a's view of o challenging a
        all_pairs_probability_of(c, x, s, r, True, scale, w, votes, p)
        for a in range(n):
            e = 0.0
            for o in range(n):
                if o != a:
                    e += utility_in_view_of(1.0, abs(x[o] - x[a]) / scale, s[a], p[o * n + a])
            exposure[a] = e
        bdm.risk_exponents_of(exposure, n, r)
        # offers, in the target's view with its own exponent and the voters' own exponents
        all_pairs_probability_of(c, x, s, r, False, scale, w, votes, p)
        # a's views of a challenging o and o challenging a share a's exponent and the
        # distance: U_s, U_f and U_sq are computed once for both
        change = 0.0
        for a in range(n):
            best_conf, conf_pos, has_conf = np.inf, 0.0, False
            best_key, comp_pos, has_comp = np.inf, 0.0, False
            half_power = bdm.power_of(0.5, r[a])
            u_sq = 2.0 - 4.0 * half_power
            for o in range(n):
                if o == a or x[a] == x[o]:
                    continue
                d = abs(x[a] - x[o]) / scale
                u_s, u_f = bdm.success_failure_of(d, r[a], half_power)
                eu_ij = bdm.challenge_utility_of(u_s, u_f, u_sq, s[o], p[a * n + o], bdm.STATUS_QUO_PROBABILITY,
                                                 bdm.IMPROVEMENT_PROBABILITY, r[a], d, 0.0)
                eu_ji = bdm.challenge_utility_of(u_s, u_f, u_sq, s[a], p[o * n + a], bdm.STATUS_QUO_PROBABILITY,
                                                 bdm.IMPROVEMENT_PROBABILITY, r[a], d, 0.0)
                if eu_ji > eu_ij and eu_ij > 0:  # a gives way to a confrontation it expects to lose
                    move = abs(x[o] - x[a])
                    if move < best_conf:
                        best_conf, conf_pos, has_conf = move, x[o], True
                if eu_ji > 0 and eu_ij < 0 and eu_ji > abs(eu_ij):  # a compromise
                    ratio = abs(eu_ij) / eu_ji
                    key = (abs(eu_ij) * x[a] + abs(eu_ji) * x[o]) / (abs(eu_ij) + abs(eu_ji))
                    if key < best_key:
                        best_key, comp_pos, has_comp = key, x[a] + (x[o] - x[a]) * ratio, True
            new[a] = conf_pos if has_conf else (comp_pos if has_comp else x[a])
            step = abs(new[a] - x[a])
            change = step if step > change else change
        for k in range(n):
            x[k] = new[k]
        if change <= bdm.TOLERANCE * scale:
            break
    return x


@kernel
def replication_collective_of(c: np.ndarray, x0: np.ndarray, s: np.ndarray, rounds: int, scratch: np.ndarray) -> float:
    """The `bdm` rule, `replication` reading, for one run (`collective`)."""
    return bdm.weighted_mean_of(c, replication_positions_of(c, x0, s, rounds, scratch), s)
