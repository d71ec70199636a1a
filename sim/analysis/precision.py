"""How precise the report's estimates are: the half-widths of their 95% intervals, against
targets. `python -m experiments.which_conditions` uses this table to judge whether it ran
enough runs; the report prints it."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: half-width targets of the 95% intervals (shares in [0, 1]; Sobol indices in [0, 1])
TARGETS = {
    "outcome shares per lever (max)": 0.01,
    "P(formal request) per lever (max)": 0.01,
    "heatmap cells (median)": 0.05,
    "PRIM request box density over all runs": 0.02,
    "Sobol ST, chance of a request (max)": 0.05,
    "Sobol ST, weeks to request (max)": 0.05,
}


def half_width(frame: pd.DataFrame) -> np.ndarray:
    return ((frame["high"] - frame["low"]) / 2).to_numpy(dtype=np.float64)


def precision_table(*, shares: pd.DataFrame, rate: pd.DataFrame, grid: pd.DataFrame | None,
                    request_box_all: list[dict], sobol: dict | None) -> pd.DataFrame:
    """Rows: quantity, half_width, target, ok (half-width within target; NaN where not computed)."""
    values = {
        "outcome shares per lever (max)": float(np.nanmax(half_width(shares))),
        "P(formal request) per lever (max)": float(np.nanmax(half_width(rate))),
        "heatmap cells (median)": float(np.nanmedian(half_width(grid))) if grid is not None and len(grid) else np.nan,
        "PRIM request box density over all runs": (
            (request_box_all[0]["high"] - request_box_all[0]["low"]) / 2 if request_box_all else np.nan),
        "Sobol ST, chance of a request (max)": (
            float(sobol["p_request"]["ST_conf"].max()) if sobol else np.nan),
        "Sobol ST, weeks to request (max)": (
            float(sobol["weeks_to_request"]["ST_conf"].max()) if sobol else np.nan),
    }
    rows = []
    for q, target in TARGETS.items():
        v = values[q]
        rows.append({"quantity": q, "half_width": v, "target": target,
                     "ok": (bool(v <= target) if np.isfinite(v) else None)})
    return pd.DataFrame(rows)
