"""Time to a formal withdrawal request: Kaplan & Meier (1958) product-limit estimate.

Runs without a request are right-censored at the weeks they were observed (the horizon,
`weeks_simulated`). The estimate and its pointwise 95% band come from
`scipy.stats.ecdf` on `scipy.stats.CensoredData`: the band is Greenwood's (1926) variance
on the log(-log) scale (Kalbfleisch & Prentice 1980), which stays within [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .table import pretty


def kaplan_meier(time, event, level: float = 0.95) -> pd.DataFrame:
    """Survival S(t) = P(no formal request by week t) at each distinct time, starting at t = 0.

    Columns: time, at_risk, events, survival, low, high (log-log Greenwood band)."""
    time = np.asarray(time, dtype=np.float64)
    event = np.asarray(event, dtype=bool)
    if time.size == 0:
        raise ValueError("kaplan_meier needs at least one run")
    if np.isnan(time).any() or (time < 0).any():
        raise ValueError("kaplan_meier: times must be >= 0 and not missing")
    start = pd.DataFrame({"time": [0.0], "at_risk": [time.size], "events": [0], "survival": [1.0],
                          "low": [1.0], "high": [1.0]})
    if not event.any():  # nothing happened: S = 1 throughout, no band to compute
        t = np.unique(time)
        return pd.concat([start, pd.DataFrame({"time": t, "at_risk": _at_risk(time, t), "events": 0,
                                               "survival": 1.0, "low": 1.0, "high": 1.0})], ignore_index=True)
    result = stats.ecdf(stats.CensoredData(uncensored=time[event], right=time[~event]))
    sf = result.sf
    t = sf.quantiles
    s = sf.probabilities
    with np.errstate(all="ignore"):
        ci = sf.confidence_interval(confidence_level=level, method="log-log")
    low, high = ci.low.probabilities, ci.high.probabilities
    # the log-log band is undefined where S is 1 or 0; there it collapses onto the estimate
    low = np.where(np.isnan(low), s, low)
    high = np.where(np.isnan(high), s, high)
    sorted_events = np.sort(time[event])
    events = np.searchsorted(sorted_events, t, "right") - np.searchsorted(sorted_events, t, "left")
    out = pd.DataFrame({"time": t, "at_risk": _at_risk(time, t), "events": events, "survival": s,
                        "low": low, "high": high})
    return pd.concat([start, out], ignore_index=True)


def _at_risk(time: np.ndarray, t: np.ndarray) -> np.ndarray:
    ordered = np.sort(time)
    return ordered.size - np.searchsorted(ordered, t, "left")


def survival_at(curve: pd.DataFrame, week: float) -> pd.Series:
    """The curve's row in force at `week` (step function, right-continuous)."""
    i = int(np.searchsorted(curve["time"].to_numpy(), week, "right")) - 1
    return curve.iloc[max(i, 0)]


def median_time(curve: pd.DataFrame) -> float | None:
    """First week with S(t) <= 0.5, or None if half the runs never request within the horizon."""
    hit = curve[curve["survival"] <= 0.5]
    return float(hit["time"].iloc[0]) if len(hit) else None


def curves_by(runs: pd.DataFrame, by: str, groups: list[str], level: float = 0.95) -> dict[str, pd.DataFrame]:
    """One Kaplan-Meier curve of time to formal request per group."""
    out = {}
    for g in groups:
        part = runs[runs[by].astype(str) == g]
        if len(part):
            out[g] = kaplan_meier(part["weeks_to_request"], part["formal_request"], level)
    return out


def plot_curves(curves: dict[str, pd.DataFrame], horizon: int):
    """Step curves of the share of runs with no formal request yet, with 95% bands."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 4.2))
    ax = fig.subplots()
    for name, c in curves.items():
        line, = ax.step(c["time"], c["survival"], where="post", label=pretty(name), lw=1.6)
        ax.fill_between(c["time"], c["low"], c["high"], step="post", alpha=0.2, color=line.get_color(), lw=0)
    ax.axvline(horizon, color="0.4", ls=":", lw=1)
    ax.text(horizon, 1.0, " horizon", va="top", fontsize=8, color="0.3")
    ax.set_xlabel("weeks since 6 January 2020")
    ax.set_ylabel("share of runs with no formal request yet")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, horizon * 1.03)
    ax.set_title("Time to a formal request: Kaplan-Meier, censored at the horizon (95% log-log bands)")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
