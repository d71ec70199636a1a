"""By how much: outcome shares against one swept condition as curves with intervals, and
paired differences between Washington's strategies using the common random numbers.

A sweep's run at (point, replication) draws the same random numbers under every lever
(`sim.sweep.plan`), so the runs (point, replication) under two levers are pairs: the
difference of an outcome's indicator over the pairs has a far smaller spread than the
difference of two independent shares. Intervals: Wilson for shares, normal on the paired
differences' mean. Pure functions of a sweep table (`sim.analysis.table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from .outcomes import OUTCOMES, wilson_interval

#: the events curves and differences are shown for: a formal request, then each outcome
EVENTS = ("formal_request", *OUTCOMES)


def indicators(runs: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per event of EVENTS."""
    out = pd.DataFrame({"formal_request": runs["formal_request"].astype(float)}, index=runs.index)
    outcome = runs["outcome"].astype(str)
    for o in OUTCOMES:
        out[o] = (outcome == o).astype(float)
    return out


def share_curve(runs: pd.DataFrame, condition: str, bins: int = 10, level: float = 0.95,
                by: str | None = "lever", domain: tuple[float, float] | None = None) -> pd.DataFrame:
    """Per bin of `condition` (equal widths over `domain`, its declared range, else over its
    swept values) and group: each event's share with its Wilson interval. Columns: group,
    bin, x_low, x_high, x, event, share, low, high, runs."""
    x = runs[condition].to_numpy(float)
    lo, hi = (float(domain[0]), float(domain[1])) if domain is not None else (float(np.nanmin(x)), float(np.nanmax(x)))
    edges = np.linspace(lo, hi, bins + 1) if hi > lo else np.array([lo, lo + 1.0])
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    ind = indicators(runs)
    groups = runs[by].astype(str) if by else pd.Series("all", index=runs.index)
    rows = []
    for g in pd.unique(groups):
        sel_g = (groups == g).to_numpy()
        for b in range(len(edges) - 1):
            sel = sel_g & (idx == b)
            n = int(sel.sum())
            if n == 0:
                continue
            for e in EVENTS:
                k = int(ind[e].to_numpy()[sel].sum())
                low, high = wilson_interval(k, n, level)
                rows.append({"group": g, "bin": b, "x_low": edges[b], "x_high": edges[b + 1],
                             "x": 0.5 * (edges[b] + edges[b + 1]), "event": e, "share": k / n, "low": low,
                             "high": high, "runs": n})
    return pd.DataFrame(rows)


def paired_differences(runs: pd.DataFrame, reference: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Each lever against `reference` (default: the first): per event, the mean over the
    pairs (same point, same replication) of the difference of indicators, with a normal
    interval on the paired differences, and the interval the shares would have had if the
    runs were independent (to show what the common random numbers buy)."""
    levers = list(pd.unique(runs["lever"].astype(str)))
    if len(levers) < 2:
        return pd.DataFrame(columns=["lever", "reference", "event", "difference", "low", "high", "pairs",
                                     "independent_half_width"])
    reference = reference or levers[0]
    z = float(norm.ppf(0.5 + level / 2))
    ind = indicators(runs)
    keyed = pd.concat([runs[["point_id", "replication"]], runs["lever"].astype(str), ind], axis=1)
    base = keyed[keyed["lever"] == reference].set_index(["point_id", "replication"])
    rows = []
    for lever in levers:
        if lever == reference:
            continue
        other = keyed[keyed["lever"] == lever].set_index(["point_id", "replication"])
        both = base.join(other, how="inner", suffixes=("_ref", ""))
        n = len(both)
        for e in EVENTS:
            d = both[e].to_numpy() - both[f"{e}_ref"].to_numpy()
            mean = float(d.mean()) if n else float("nan")
            half = z * float(d.std(ddof=1)) / np.sqrt(n) if n > 1 else float("nan")
            p1, p0 = float(both[e].mean()), float(both[f"{e}_ref"].mean())
            indep = z * np.sqrt(p1 * (1 - p1) / n + p0 * (1 - p0) / n) if n else float("nan")
            rows.append({"lever": lever, "reference": reference, "event": e, "difference": mean,
                         "low": mean - half, "high": mean + half, "pairs": n, "independent_half_width": indep})
    return pd.DataFrame(rows)


def spread_phrase(values: dict[str, float], what: str, fmt) -> str:
    """A sentence part on how a share varies across groups that reads right whatever their
    number: one group -> 'X'; all equal at the shown precision -> 'X under every strategy';
    else 'from X (a) to Y (b)'."""
    if not values:
        return f"{what}: no runs"
    shown = {g: fmt(v) for g, v in values.items()}
    if len(values) == 1:
        return f"{what} is {next(iter(shown.values()))}"
    if len(set(shown.values())) == 1:
        return f"{what} is {next(iter(shown.values()))} under every strategy"
    lo = min(values, key=values.get)
    hi = max(values, key=values.get)
    return f"{what} ranges from {shown[lo]} ({lo.replace('_', ' ')}) to {shown[hi]} ({hi.replace('_', ' ')})"


def plot_curves(curve: pd.DataFrame, label: str, events=("formal_request", "negotiated_drawdown", "occupation")):
    """Share of each event against the condition, one line per group, with interval bands."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.2 * len(events), 3.4), layout="constrained")
    for k, e in enumerate(events):
        ax = fig.add_subplot(1, len(events), k + 1)
        part = curve[curve["event"] == e]
        for g, gpart in part.groupby("group", sort=False):
            ax.plot(gpart["x"], gpart["share"], marker="o", ms=3, label=str(g).replace("_", " "))
            ax.fill_between(gpart["x"], gpart["low"], gpart["high"], alpha=0.2)
        ax.set_title(e.replace("_", " "), fontsize=10)
        ax.set_xlabel(label, fontsize=8)
        ax.set_ylim(0, 1)
        if k == 0:
            ax.set_ylabel("share of runs")
            ax.legend(fontsize=7)
    return fig
