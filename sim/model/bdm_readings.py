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
