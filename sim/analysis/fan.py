"""Fan charts of troops and Iranian influence over time from a sample of runs re-run with
their weekly trajectories (through `sim.sweep.rerun.trajectories`, the sweep runner's
public function): per week the median and the 50% and 90% bands across the sampled runs.
A run that ends before others (its outcome decided at the horizon) holds its final value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..style import BLUE
from .table import pretty

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SERIES = {"troops": "US troops in Iraq", "iran_influence": "Iranian influence (0-1)"}


def sample_runs(runs: pd.DataFrame, n: int, rng: np.random.Generator, by: str = "lever") -> np.ndarray:
    """About n run ids, the same number from each group, drawn without replacement."""
    groups = runs.groupby(runs[by].astype(str), observed=True)["run_id"]
    per = max(1, n // max(groups.ngroups, 1))
    picked = [rng.choice(ids.to_numpy(), size=min(per, len(ids)), replace=False) for _, ids in groups]
    return np.sort(np.concatenate(picked)) if picked else np.array([], dtype=np.int64)


def bands(traj: pd.DataFrame, column: str, by: str = "lever") -> pd.DataFrame:
    """Weekly quantiles of `column` per group (q05, q25, q50, q75, q95) and the runs behind them."""
    out = []
    for g, part in traj.groupby(by, observed=True, sort=False):
        wide = part.pivot_table(index="week", columns="run_id", values=column, aggfunc="first").sort_index().ffill()
        q = np.quantile(wide.to_numpy(dtype=np.float64), QUANTILES, axis=1)
        frame = pd.DataFrame({f"q{int(round(p * 100)):02d}": q[i] for i, p in enumerate(QUANTILES)})
        frame.insert(0, "week", wide.index.to_numpy())
        frame.insert(0, "group", g)
        frame["runs"] = wide.shape[1]
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def plot_fans(fans: dict[str, pd.DataFrame], horizon: int):
    """Rows: series (troops, Iranian influence); columns: groups. Median line, 50% and 90% bands."""
    from matplotlib.figure import Figure

    groups = list(dict.fromkeys(next(iter(fans.values()))["group"]))
    fig = Figure(figsize=(3.8 * len(groups) + 0.6, 2.9 * len(fans)))
    axes = fig.subplots(len(fans), len(groups), squeeze=False, sharex=True, sharey="row")
    for r, (series, frame) in enumerate(fans.items()):
        for c, g in enumerate(groups):
            ax = axes[r][c]
            f = frame[frame["group"] == g]
            ax.fill_between(f["week"], f["q05"], f["q95"], color=BLUE, alpha=0.18, lw=0, label="90% band")
            ax.fill_between(f["week"], f["q25"], f["q75"], color=BLUE, alpha=0.35, lw=0, label="50% band")
            ax.plot(f["week"], f["q50"], color=BLUE, lw=1.5, label="median")
            ax.axvline(horizon, color="0.4", ls=":", lw=1)
            ax.grid(alpha=0.3)
            if r == 0:
                ax.set_title(f"{pretty(g)} ({int(f['runs'].iloc[0])} runs)", fontsize=9)
            if c == 0:
                ax.set_ylabel(SERIES.get(series, series), fontsize=8)
            if r == len(fans) - 1:
                ax.set_xlabel("weeks since 6 January 2020", fontsize=8)
    axes[0][0].legend(frameon=False, fontsize=7)
    fig.suptitle("Troops and Iranian influence over time: median, 50% and 90% bands of re-run sample", fontsize=10)
    fig.tight_layout()
    return fig
