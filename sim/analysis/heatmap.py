"""The chance of a formal request over two conditions: runs binned on an equal-width grid
over each condition's swept range, the share of runs with a formal request per cell (all
other conditions averaged over their swept ranges), with Wilson 95% intervals per cell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..style import SEQUENTIAL
from .outcomes import wilson_interval
from .table import pretty


def rank_conditions(conditions, sobol: pd.DataFrame | None = None,
                    importance: pd.DataFrame | None = None) -> tuple[list[str], str]:
    """Conditions from most to least influential on whether a request is made: by total
    Sobol index when a Sobol design is available, else by CART permutation importance,
    else in declaration order. Returns (ranking, how it was ranked)."""
    conditions = list(conditions)
    if sobol is not None and len(sobol):
        ranked = sobol.sort_values("ST", ascending=False)["condition"].tolist()
        return [c for c in ranked if c in conditions], "total Sobol index (ST) of the chance of a formal request"
    if importance is not None and importance["mean"].notna().any():
        ranked = importance.sort_values("mean", ascending=False)["feature"].tolist()
        ranked = [c for c in ranked if c in conditions]
        return ranked + [c for c in conditions if c not in ranked], "CART permutation importance (held-out AUC)"
    return conditions, "declaration order (no importance available)"


def _edges(values: np.ndarray, bounds: tuple[float, float], bins: int) -> np.ndarray:
    lo, hi = bounds
    if not hi > lo:
        lo, hi = float(np.min(values)), float(np.max(values))
    if not hi > lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, bins + 1)


def probability_grid(runs: pd.DataFrame, x: str, y: str, bounds: dict, *, bins: int = 8,
                     by: str | None = "lever", groups: list[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Per group and cell: runs, formal requests, share and its Wilson interval."""
    ex, ey = _edges(runs[x].to_numpy(), bounds[x], bins), _edges(runs[y].to_numpy(), bounds[y], bins)
    ix = np.clip(np.searchsorted(ex, runs[x].to_numpy(), "right") - 1, 0, bins - 1)
    iy = np.clip(np.searchsorted(ey, runs[y].to_numpy(), "right") - 1, 0, bins - 1)
    group = runs[by].astype(str).to_numpy() if by else np.full(len(runs), "all")
    frame = pd.DataFrame({"group": group, "ix": ix, "iy": iy, "req": runs["formal_request"].to_numpy()})
    agg = frame.groupby(["group", "ix", "iy"], observed=True)["req"].agg(["size", "sum"]).reset_index()
    rows = []
    for r in agg.itertuples(index=False):
        low, high = wilson_interval(int(r.sum), int(r.size), level)
        rows.append({"group": r.group, "ix": r.ix, "iy": r.iy, "x_low": ex[r.ix], "x_high": ex[r.ix + 1],
                     "y_low": ey[r.iy], "y_high": ey[r.iy + 1], "runs": int(r.size), "requests": int(r.sum),
                     "share": r.sum / r.size, "low": low, "high": high})
    out = pd.DataFrame(rows)
    order = groups or sorted(out["group"].unique())
    out["group"] = pd.Categorical(out["group"], categories=order, ordered=True)
    out = out.sort_values(["group", "ix", "iy"], ignore_index=True)
    out.attrs.update(x=x, y=y, x_edges=ex.tolist(), y_edges=ey.tolist())
    return out


def plot_grid(grid: pd.DataFrame, x_label: str, y_label: str):
    """One heatmap panel per group, shared colour scale 0..1."""
    from matplotlib.figure import Figure

    groups = [g for g in grid["group"].cat.categories if (grid["group"] == g).any()]
    fig = Figure(figsize=(3.6 * len(groups) + 1.2, 4.0), layout="constrained")
    axes = fig.subplots(1, len(groups), squeeze=False, sharey=True)
    ex, ey = np.asarray(grid.attrs["x_edges"]), np.asarray(grid.attrs["y_edges"])
    bins_x, bins_y = ex.size - 1, ey.size - 1
    mesh = None
    for ax, g in zip(axes[0], groups):
        part = grid[grid["group"] == g]
        z = np.full((bins_y, bins_x), np.nan)
        z[part["iy"].to_numpy(), part["ix"].to_numpy()] = part["share"].to_numpy()
        mesh = ax.pcolormesh(ex, ey, z, cmap=SEQUENTIAL, vmin=0, vmax=1, shading="flat")
        ax.set_title(pretty(g), fontsize=9)
        ax.set_xlabel(x_label, fontsize=8)
    axes[0][0].set_ylabel(y_label, fontsize=8)
    fig.colorbar(mesh, ax=axes[0].tolist(), label="P(formal request)")
    fig.suptitle(f"Chance of a formal request over {x_label} and {y_label} (other conditions averaged)", fontsize=10)
    return fig
