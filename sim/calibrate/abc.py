"""Approximate Bayesian computation by rejection (Pritchard et al. 1999; Beaumont 2010)
over a prior sweep: a parameter set is accepted when every pattern statistic lies in its
band (an indicator kernel on each statistic), and the accepted sets are draws from the
posterior given the article's statements.

Why rejection and not pyabc's SMC: the batch engine computes a million sets fastest as one
sweep of large arrays, while SMC asks for the next population only after the last one is
judged, one parameter set at a time through its own sampler and database; rejection over
one prior sweep also gives the acceptance of every set under any other bands for free,
which is how the posterior's sensitivity to the bands is measured (`band_sensitivity`).
Pure functions of the prior table (`sim.calibrate.runner.set_summary` rows).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from . import patterns as pat
from .priors import Prior


def pattern_table(sets: pd.DataFrame, patterns: list[pat.Pattern]) -> pd.DataFrame:
    """The pattern statistics of the prior table, one column per pattern."""
    return sets[[f"pattern.{p.name}" for p in patterns]].rename(columns=lambda c: c.removeprefix("pattern."))


def accepted(sets: pd.DataFrame, patterns: list[pat.Pattern], scale: float = 1.0) -> np.ndarray:
    """Which sets meet every band (bands scaled by `scale`, `patterns.scaled`)."""
    ok = pat.acceptance(pattern_table(sets, patterns), patterns, scale)
    return ok.all(axis=1).to_numpy()


def failed_names(sets: pd.DataFrame, patterns: list[pat.Pattern]) -> list[str]:
    """Per set, the names of the patterns it failed, joined by ' + ' ('' for an accepted set)."""
    ok = pat.acceptance(pattern_table(sets, patterns), patterns)
    names = np.array(ok.columns)
    return [" + ".join(names[~row]) for row in ok.to_numpy()]


def failures(sets: pd.DataFrame, patterns: list[pat.Pattern]) -> tuple[pd.Series, list[tuple[str, int]]]:
    """For the rejected sets: how often each pattern failed (share of rejected sets), and the
    most common combinations of failed patterns with their counts."""
    ok = pat.acceptance(pattern_table(sets, patterns), patterns)
    rejected = ~ok.all(axis=1)
    failed = ~ok[rejected]
    rate = failed.mean() if rejected.any() else pd.Series(0.0, index=ok.columns)
    combos = Counter(" + ".join(c for c in failed.columns if row[c]) for _, row in failed.iterrows())
    return rate, combos.most_common(10)


def quantiles(values: pd.Series) -> tuple[float, float, float]:
    """Median and 90% interval (5th and 95th percentiles)."""
    v = values.dropna().to_numpy(dtype=float)
    if v.size == 0:
        return (float("nan"),) * 3
    q = np.quantile(v, [0.5, 0.05, 0.95])
    return float(q[0]), float(q[1]), float(q[2])


def ks_distance(prior: np.ndarray, posterior: np.ndarray) -> float:
    """The Kolmogorov-Smirnov distance between the prior's and the posterior's marginals:
    how much the patterns constrain a coefficient (0: not at all)."""
    if posterior.size == 0:
        return float("nan")
    grid = np.sort(prior)
    a = np.searchsorted(np.sort(prior), grid, side="right") / prior.size
    b = np.searchsorted(np.sort(posterior), grid, side="right") / posterior.size
    return float(np.max(np.abs(a - b)))


#: a coefficient counts as constrained by the patterns when its posterior's 90% interval is at
#: most this share of the prior's, or its marginal moved by at least `KS_IDENTIFIED`
WIDTH_IDENTIFIED = 0.9
KS_IDENTIFIED = 0.1


def width_ratio(low0: float, high0: float, low1: float, high1: float, scale: str = "linear") -> float:
    """The posterior's 90% interval over the prior's, measured on the prior's scale (the
    logarithm for a log-uniform prior): below 1, the patterns narrowed the coefficient."""
    if scale == "log":
        low0, high0, low1, high1 = (float(np.log(max(v, 1e-300))) for v in (low0, high0, low1, high1))
    width0 = high0 - low0
    return float((high1 - low1) / width0) if width0 > 0 else float("nan")


def marginals(sets: pd.DataFrame, ok: np.ndarray, priors: list[Prior]) -> pd.DataFrame:
    """Prior and posterior side by side: per coefficient its kind, the prior's range, the
    prior sample's median and 90% interval, the posterior's, the ratio of their widths, the KS
    distance, and whether the patterns constrain it (`identified`); sorted by the distance (the
    most constrained first)."""
    rows = []
    for p in priors:
        col = sets[p.path]
        m0, l0, h0 = quantiles(col)
        m1, l1, h1 = quantiles(col[ok])
        ks = ks_distance(col.to_numpy(float), col[ok].to_numpy(float))
        ratio = width_ratio(l0, h0, l1, h1, p.scale)
        rows.append({"coefficient": p.path, "kind": p.kind, "prior_low": p.low, "prior_high": p.high,
                     "scale": p.scale, "prior_median": m0, "prior_5": l0, "prior_95": h0,
                     "posterior_median": m1, "posterior_5": l1, "posterior_95": h1,
                     "width_ratio": ratio, "ks": ks,
                     "identified": bool(ratio <= WIDTH_IDENTIFIED or ks >= KS_IDENTIFIED)})
    return pd.DataFrame(rows).sort_values("ks", ascending=False, na_position="last").reset_index(drop=True)


def band_sensitivity(sets: pd.DataFrame, patterns: list[pat.Pattern], priors: list[Prior],
                     scales=(0.5, 0.75, 1.0, 1.25, 1.5), top: list[str] | None = None) -> pd.DataFrame:
    """Acceptance rate and posterior medians of the `top` coefficients with every band's
    width multiplied by each scale, and with each pattern left out in turn."""
    top = top or [p.path for p in priors[:5]]
    rows = []

    def row(label: str, ok: np.ndarray) -> dict:
        r = {"bands": label, "accepted": int(ok.sum()), "acceptance_rate": float(ok.mean())}
        for path in top:
            r[path] = float(sets.loc[ok, path].median()) if ok.any() else float("nan")
        return r

    for s in scales:
        rows.append(row(f"width x {s:g}", accepted(sets, patterns, s)))
    for p in patterns:
        rest = [q for q in patterns if q.name != p.name]
        rows.append(row(f"without {p.name}", accepted(sets, rest)))
    return pd.DataFrame(rows)


def outputs_summary(sets: pd.DataFrame, ok: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Prior and posterior predictive means of the model's outputs (P(request), shares)."""
    rows = []
    for c in columns:
        rows.append({"output": c, "prior_mean": float(sets[c].mean()),
                     "posterior_mean": float(sets.loc[ok, c].mean()) if ok.any() else float("nan")})
    return pd.DataFrame(rows)
