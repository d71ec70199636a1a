"""Outcome distributions with 95% confidence intervals.

Intervals are Wilson (1927) score intervals, computed by
`scipy.stats.binomtest(...).proportion_ci(method="wilson")`. They treat the runs of a
group as independent Bernoulli trials. In a sweep every (point, replication) has its own
random world, shared only by the levers (and by the points of one Saltelli row), so runs
under one lever are independent; an interval over several levers pools runs that share
their worlds and is somewhat too narrow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..model.outcomes import OUTCOMES
from .table import pretty

ALL = "all levers"


def wilson_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (nan, nan) when there are no trials."""
    if trials <= 0:
        return float("nan"), float("nan")
    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def proportion_row(successes: int, trials: int, level: float = 0.95) -> dict:
    low, high = wilson_interval(successes, trials, level)
    share = successes / trials if trials else float("nan")
    return {"runs": int(successes), "total": int(trials), "share": share, "low": low, "high": high}


def _groups(runs: pd.DataFrame, by: str | None, levers: list[str] | None):
    if by is None:
        yield ALL, runs
        return
    keys = levers or sorted(runs[by].astype(str).unique())
    grouped = dict(tuple(runs.groupby(runs[by].astype(str), observed=True)))
    for k in keys:
        if k in grouped:
            yield k, grouped[k]
    if len(keys) > 1:
        yield ALL, runs


def outcome_shares(runs: pd.DataFrame, by: str | None = "lever", levers: list[str] | None = None,
                   level: float = 0.95) -> pd.DataFrame:
    """Share of each outcome per group (and over all groups), with Wilson intervals."""
    rows = []
    for group, part in _groups(runs, by, levers):
        counts = part["outcome"].astype(str).value_counts()
        for outcome in OUTCOMES:
            rows.append({"group": group, "outcome": outcome,
                         **proportion_row(int(counts.get(outcome, 0)), len(part), level)})
    return pd.DataFrame(rows)


def request_rate(runs: pd.DataFrame, by: str | None = "lever", levers: list[str] | None = None,
                 level: float = 0.95) -> pd.DataFrame:
    """Share of runs with a formal request (F4, F10) per group, with Wilson intervals."""
    return pd.DataFrame([{"group": g, **proportion_row(int(p["formal_request"].sum()), len(p), level)}
                         for g, p in _groups(runs, by, levers)])


def after_request(runs: pd.DataFrame, by: str | None = "lever", levers: list[str] | None = None,
                  level: float = 0.95) -> pd.DataFrame:
    """What follows a formal request: shares of `request_withdrawn`, `withdrawal_completed`
    and `occupation` among runs with a request (F4, F11)."""
    requested = runs[runs["formal_request"]]
    shares = outcome_shares(requested, by, levers, level)
    if shares.empty:  # no run made a request: nothing follows one
        return pd.DataFrame(columns=["group", "outcome", "runs", "total", "share", "low", "high"])
    return shares[shares["outcome"].isin(["request_withdrawn", "withdrawal_completed", "occupation"])]


def plot_outcome_shares(shares: pd.DataFrame):
    """Grouped bars: the share of each outcome per group, with 95% Wilson intervals."""
    from matplotlib.figure import Figure

    groups = list(dict.fromkeys(shares["group"]))
    fig = Figure(figsize=(8.5, 4.2))
    ax = fig.subplots()
    width = 0.8 / max(len(groups), 1)
    x = np.arange(len(OUTCOMES))
    for i, g in enumerate(groups):
        part = shares[shares["group"] == g].set_index("outcome").reindex(OUTCOMES)
        err = np.vstack([part["share"] - part["low"], part["high"] - part["share"]])
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, part["share"], width, yerr=err, capsize=2,
               label=pretty(g), color=None if g != ALL else "0.55")
    ax.set_xticks(x, [pretty(o) for o in OUTCOMES], fontsize=8)
    ax.set_ylabel("share of runs")
    ax.set_ylim(0, min(1.0, float(np.nanmax(shares["high"])) * 1.15 + 0.02))
    ax.set_title("Outcome of each run, by Washington's strategy (95% Wilson intervals)")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
