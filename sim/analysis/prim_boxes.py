"""Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999),
as used for scenario discovery by Bryant & Lempert (2010), through the `prim` package
(the EMA Workbench's implementation, by Kwakkel and Hadka).

PRIM peels a box of conditions, step by step, around the runs with the outcome of
interest. Each step on the peeling trajectory trades coverage (the share of all cases of
interest inside the box) for density (the share of the box's runs that are cases) and
mass (the share of runs inside). A box is chosen from the trajectory by a stated rule:
the box with the most coverage whose density reaches `threshold` (2/3, "likely" on the
IPCC's calibrated scale, Mastrandrea et al. 2010); if no box reaches it, the densest box.
Limits whose quasi-p-value (a one-sided binomial test of the box against the box without
that limit, Bryant & Lempert 2010) is not below `alpha` are then dropped one at a time,
least significant first, so every limit left is significant. A box is said to reach the
threshold only if it still does after that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..style import SEQUENTIAL, VERMILLION

LIKELY = 2 / 3

logging.getLogger("prim").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Box:
    """One PRIM box: its statistics on the PRIM sample and its limits per condition."""

    target: str
    number: int                    # 1 for the first box found, 2 for the next, ...
    peel_index: int                # the chosen step on the peeling trajectory
    reached: bool                  # whether the box's density (after dropping limits) reaches the threshold
    trajectory: pd.DataFrame       # coverage, density, mass, res dim along the peeling and pasting
    limits: pd.DataFrame           # index condition: min, max, qp (quasi-p), significant
    dropped: tuple[str, ...]       # limits dropped as not significant
    coverage: float
    density: float
    mass: float
    runs_in_box: int
    cases_in_box: int
    threshold: float

    @property
    def restricted(self) -> list[str]:
        return list(self.limits.index)

    def contains(self, frame: pd.DataFrame) -> np.ndarray:
        """Which rows of `frame` (condition columns) fall inside the box."""
        inside = np.ones(len(frame), dtype=bool)
        for cond, lim in self.limits.iterrows():
            values = frame[cond].to_numpy()
            inside &= (values >= lim["min"]) & (values <= lim["max"])
        return inside


def _safe(name: str) -> str:
    return name.replace(".", "__")


def select_peel(trajectory: pd.DataFrame, threshold: float) -> tuple[int, bool]:
    """The step with the most coverage whose density >= threshold, else the densest step."""
    ok = trajectory.index[trajectory["density"] >= threshold - 1e-12]
    if len(ok):
        best = trajectory.loc[ok].sort_values(["coverage", "density"], ascending=False, kind="stable")
        return int(best.index[0]), True
    return int(trajectory["density"].to_numpy().argmax()), False


def discover(x: pd.DataFrame, y, target: str, *, threshold: float = LIKELY, max_boxes: int = 2,
             alpha: float = 0.05, peel_alpha: float = 0.05, mass_min: float = 0.05) -> list[Box]:
    """Boxes of conditions (columns of x, numeric) in which the outcome y (bool) concentrates.

    Boxes are found one after another on the runs no earlier box holds; the search stops
    after `max_boxes`, or after a box that does not reach the threshold."""
    import prim

    y = np.asarray(y, dtype=bool)
    if len(y) != len(x):
        raise ValueError("discover: x and y differ in length")
    if not y.any():
        return []
    names = {_safe(c): c for c in x.columns}
    frame = pd.DataFrame({_safe(c): x[c].to_numpy() for c in x.columns})
    p = prim.Prim(frame, y, threshold=None, peel_alpha=peel_alpha, paste_alpha=peel_alpha, mass_min=mass_min)
    boxes: list[Box] = []
    for number in range(1, max_boxes + 1):
        if number > 1 and (p.yi_remaining.size == 0 or not y[p.yi_remaining].any()):
            break
        box = p.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.reset_index(drop=True).copy()
        index, reached = select_peel(trajectory, threshold)
        box.select(index)
        dropped = _drop_insignificant(box, alpha)
        # dropping limits widens the box and can take its density back under the threshold:
        # a box is "likely" only as it is reported, with the limits it keeps
        reached = reached and float(box.density) >= threshold - 1e-12
        limits = _limits(box, alpha).rename(index=names)
        boxes.append(Box(
            target=target, number=number, peel_index=index, reached=reached, trajectory=trajectory,
            limits=limits, dropped=tuple(names[d] for d in dropped), coverage=float(box.coverage),
            density=float(box.density), mass=float(box.mass), runs_in_box=int(len(box.yi)),
            cases_in_box=int(y[box.yi].sum()), threshold=threshold,
        ))
        if not reached:
            break
    return boxes


def _limits(box, alpha: float) -> pd.DataFrame:
    lim = box.limits[["min", "max", "qp values"]].rename(columns={"qp values": "qp"}) if box.res_dim else \
        pd.DataFrame(columns=["min", "max", "qp"], dtype=float)
    lim = lim.astype(float)
    lim["significant"] = lim["qp"] < alpha
    return lim


def _drop_insignificant(box, alpha: float) -> list[str]:
    """Drop limits with quasi-p >= alpha, least significant first (Bryant & Lempert 2010)."""
    dropped = []
    while box.res_dim:
        lim = box.limits
        worst = lim["qp values"].astype(float).idxmax()
        if float(lim.loc[worst, "qp values"]) < alpha:
            break
        box.drop_restriction(worst)
        dropped.append(worst)
    return dropped


def plot_tradeoff(boxes: list[Box], title: str):
    """The peeling trade-off curve (coverage against density, colour = restricted
    conditions) of each box, with the chosen step marked."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6 * len(boxes) + 0.8, 4.2))
    axes = fig.subplots(1, len(boxes), squeeze=False)
    for ax, b in zip(axes[0], boxes):
        t = b.trajectory
        sc = ax.scatter(t["coverage"], t["density"], c=t["res dim"], cmap=SEQUENTIAL, s=16, zorder=3)
        ax.plot(t["coverage"], t["density"], color="0.7", lw=0.8, zorder=2)
        chosen = t.loc[b.peel_index]
        ax.scatter([chosen["coverage"]], [chosen["density"]], s=140, facecolors="none", edgecolors="red", lw=1.5,
                   zorder=4, label=f"chosen step {b.peel_index}")
        if b.dropped:
            ax.scatter([b.coverage], [b.density], marker="x", color=VERMILLION, s=60, zorder=5,
                       label="after dropping insignificant limits")
        ax.axhline(b.threshold, color="0.4", ls=":", lw=1)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_title(f"box {b.number}", fontsize=9)
        ax.legend(frameon=False, fontsize=7, loc="lower left")
        ax.grid(alpha=0.3)
        fig.colorbar(sc, ax=ax, label="restricted conditions")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_limits(boxes: list[Box], bounds: dict, label, title: str):
    """Each box's limits as bars over the normalised range of each condition (0 = low end of
    the swept range, 1 = high end); significant limits solid, others hatched."""
    from matplotlib.figure import Figure

    conds = list(dict.fromkeys(c for b in boxes for c in b.restricted))
    fig = Figure(figsize=(8.5, 0.5 * max(len(conds), 1) + 1.4))
    ax = fig.subplots()
    height = 0.8 / max(len(boxes), 1)
    for k, b in enumerate(boxes):
        for i, c in enumerate(conds):
            if c not in b.limits.index:
                continue
            lo, hi = bounds[c]
            span = (hi - lo) or 1.0
            a, z = (b.limits.loc[c, "min"] - lo) / span, (b.limits.loc[c, "max"] - lo) / span
            ax.barh(i + (k - (len(boxes) - 1) / 2) * height, z - a, height * 0.9, left=a,
                    color=f"C{k}", alpha=0.8 if b.limits.loc[c, "significant"] else 0.3,
                    label=f"box {b.number}" if i == conds.index(b.restricted[0]) else None)
    ax.set_yticks(range(len(conds)), [label(c) for c in conds], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position in the swept range (0 = low, 1 = high)")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    if boxes:
        ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
