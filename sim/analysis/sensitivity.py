"""Global sensitivity: Sobol (2001) first-order and total indices, estimated from a
Saltelli (2010) design with `SALib.analyze.sobol` (Jansen's total-effect estimator,
bootstrap 95% confidence intervals).

The sweep draws the design when its experiment asks for `sampler: saltelli`
(`sim.sweep.plan`); its points keep SALib's order, so point_id order is the order the
analyzer expects. Each point's output averages its replications (and levers). The D + 2
points derived from one base row meet the same random worlds (`sim.sweep.plan`), so the
differences the estimators take between them hold the noise fixed, while the base rows
meet different worlds, so the indices average over the model's randomness instead of
describing a few fixed draws of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..style import BLUE, ORANGE

OUTPUTS = {
    "p_request": "chance of a formal request",
    "weeks_to_request": "weeks to a formal request (restricted mean)",
}


def sobol_indices(Y, names, *, level: float = 0.95, resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """S1 and ST of model output Y (in Saltelli design order, N * (D + 2) values, no
    second-order terms), with the half-widths of their bootstrap confidence intervals."""
    from SALib.analyze import sobol

    Y = np.asarray(Y, dtype=np.float64)
    d = len(names)
    if Y.ndim != 1 or Y.size == 0 or Y.size % (d + 2):
        raise ValueError(f"sobol_indices: {Y.size} outputs is not N * (D + 2) with D = {d}")
    if not np.isfinite(Y).all():
        raise ValueError("sobol_indices: outputs must be finite")
    if np.var(Y) == 0:
        zeros = np.zeros(d)
        return pd.DataFrame({"condition": list(names), "S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros})
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    res = sobol.analyze(problem, Y, calc_second_order=False, num_resamples=resamples, conf_level=level,
                        seed=seed, print_to_console=False)
    return pd.DataFrame({"condition": list(names), "S1": res["S1"], "S1_conf": res["S1_conf"],
                         "ST": res["ST"], "ST_conf": res["ST_conf"]})


def point_outputs(runs: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Per design point (point_id order): the share of runs with a formal request and the
    restricted mean weeks to it (runs without a request count as the horizon)."""
    capped = np.minimum(runs["weeks_to_request"].to_numpy(dtype=np.float64), horizon)
    frame = pd.DataFrame({"point_id": runs["point_id"].to_numpy(), "p_request": runs["formal_request"].to_numpy(),
                          "weeks_to_request": capped})
    return frame.groupby("point_id", sort=True).mean()


#: SALib's bootstrap holds arrays of N x resamples values; this caps their size (about 50 MB each)
MAX_BOOTSTRAP_CELLS = 6_600_000


def bootstrap_resamples(base_samples: int, wanted: int) -> int:
    """Resamples for N base samples: `wanted`, fewer for very large N (memory), never below 100."""
    return int(min(wanted, max(100, MAX_BOOTSTRAP_CELLS // max(base_samples, 1))))


def sobol_for_sweep(runs: pd.DataFrame, conditions, horizon: int, *, level: float = 0.95,
                    resamples: int = 1000, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Sobol indices of each output in OUTPUTS for a sweep drawn with the saltelli sampler."""
    per_point = point_outputs(runs, horizon)
    d = len(conditions)
    n_points = int(runs["point_id"].max()) + 1
    if len(per_point) != n_points or n_points % (d + 2):
        raise ValueError(f"the table's {len(per_point)} points are not a whole Saltelli design "
                         f"(N * (D + 2) with D = {d})")
    rng = np.random.default_rng(seed)
    resamples = bootstrap_resamples(n_points // (d + 2), resamples)
    return {out: sobol_indices(per_point[out].to_numpy(), conditions, level=level, resamples=resamples,
                               seed=int(rng.integers(2**31)))
            for out in OUTPUTS}


def plot_indices(results: dict[str, pd.DataFrame], label) -> "object":
    """Horizontal bars of S1 and ST with their 95% intervals, one panel per output."""
    from matplotlib.figure import Figure

    outs = list(results)
    first = results[outs[0]].sort_values("ST")
    order = list(first["condition"])
    fig = Figure(figsize=(5.2 * len(outs), 0.38 * len(order) + 1.6))
    axes = fig.subplots(1, len(outs), sharey=True, squeeze=False)
    y = np.arange(len(order))
    for ax, out in zip(axes[0], outs):
        r = results[out].set_index("condition").reindex(order)
        ax.barh(y + 0.2, r["ST"], 0.4, xerr=r["ST_conf"], capsize=2, label="total (ST)", color=BLUE)
        ax.barh(y - 0.2, r["S1"], 0.4, xerr=r["S1_conf"], capsize=2, label="first-order (S1)", color=ORANGE)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_title(OUTPUTS.get(out, out), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel("Sobol index")
    axes[0][0].set_yticks(y, [label(c) for c in order], fontsize=8)
    axes[0][-1].legend(frameon=False, fontsize=8, loc="lower right")
    fig.suptitle("Global sensitivity: Sobol indices with 95% bootstrap intervals (Saltelli design, SALib)", fontsize=10)
    fig.tight_layout()
    return fig
