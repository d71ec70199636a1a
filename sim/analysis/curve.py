"""The headline as a curve: P(formal request) and each outcome's share against one condition
over its whole domain, per Washington strategy and per collective rule.

Scenario discovery (PRIM) reads a sweep as boxes; where the answer is close to a monotone
function of one input (P(request) against the chance of an anti-American PM with a majority,
F15), a box's limits only say where the swept range happened to stop. The curve says it
whole: for each structural variant (a sweep of the same design under one collective rule),
each bin of the condition and each strategy, the share of runs with each event and its Wilson
interval (`by_how_much.share_curve`). Pure functions of sweep tables, plus one figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import answer
from .by_how_much import EVENTS, share_curve
from .table import pretty

#: the threshold the answer reads a curve against: "likely" (the PRIM threshold)
LIKELY = 2 / 3


def rule_curves(tables: dict[str, pd.DataFrame], condition: str, bins: int = 10, level: float = 0.95,
                domain: tuple[float, float] | None = None) -> pd.DataFrame:
    """`share_curve` of each variant's runs (name -> runs table) over the same bins of
    `condition` (over `domain`, its declared range, where given), stacked with a `variant`
    column."""
    parts = []
    for name, runs in tables.items():
        part = share_curve(runs, condition, bins=bins, level=level, by="lever", domain=domain)
        part.insert(0, "variant", name)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def crossing(curve: pd.DataFrame, threshold: float = LIKELY) -> float | None:
    """The lower edge of the first bin (in order of the condition) whose share reaches
    `threshold`, None if none does (`curve`: one variant, group and event)."""
    part = curve.sort_values("x")
    hit = part[part["share"] >= threshold]
    return float(hit["x_low"].iloc[0]) if len(hit) else None


def lead_paragraph(curves: pd.DataFrame, label: str, reference: str = "status_quo",
                   event: str = "formal_request") -> str:
    """The answer's first paragraph: per variant, the share of runs with a formal request at
    the lowest and the highest bin of the condition (under `reference`, or the first strategy)
    and where it reaches 2/3, with intervals."""
    parts = []
    groups = list(pd.unique(curves["group"]))
    group = reference if reference in groups else groups[0]
    for variant, part in curves[(curves["event"] == event) & (curves["group"] == group)].groupby(
            "variant", sort=False):
        part = part.sort_values("x")
        lo, hi = part.iloc[0], part.iloc[-1]
        cross = crossing(part)
        where = (f"likely (2/3 or more) from {cross:.1f} up" if cross is not None else "never likely (2/3)")
        parts.append(f"under the {variant} rule from {answer.pct(lo['share'])} [{answer.ci(lo['low'], lo['high'])}] "
                     f"at {lo['x_low']:.1f}–{lo['x_high']:.1f} to {answer.pct(hi['share'])} "
                     f"[{answer.ci(hi['low'], hi['high'])}] at {hi['x_low']:.1f}–{hi['x_high']:.1f}, {where}")
    return (f"**As a curve, and per collective rule.** The chance of a formal request rises with the {label} "
            f"over its whole domain (Washington's {pretty(group)}, 95% Wilson intervals per tenth): "
            + "; ".join(parts) + ". How Baghdad's factions aggregate their stances (an assumption of the model, not "
            "a fact of the article) moves the answer as much as any condition does; each rule's curve is in "
            "'The answer as a curve'.")


def curve_table(curves: pd.DataFrame, event: str = "formal_request", *, variant: str | None = None,
                group: str | None = None) -> pd.DataFrame:
    """One row per bin: the share of runs with `event` and its interval, one column per
    variant under strategy `group` (default the first), or, with `variant`, one column per
    strategy under that variant."""
    part = curves[curves["event"] == event]
    if variant is not None:
        part, column = part[part["variant"] == variant], "group"
    else:
        group = group if group is not None else str(part["group"].iloc[0])
        part, column = part[part["group"] == group], "variant"
    rows = []
    for (_, x_low, x_high), bin_part in part.groupby(["bin", "x_low", "x_high"], sort=True):
        row = {"condition": f"{x_low:.1f}–{x_high:.1f}"}
        for _, r in bin_part.iterrows():
            row[pretty(r[column])] = f"{answer.pct(r['share'])} [{answer.ci(r['low'], r['high'])}]"
        rows.append(row)
    return pd.DataFrame(rows)


def plot_rule_curves(curves: pd.DataFrame, label: str, events=EVENTS):
    """A grid: one row per variant, one column per event (a formal request, then each
    outcome), one line per strategy with its Wilson band."""
    from matplotlib.figure import Figure

    from ..style import OKABE_ITO

    variants = list(pd.unique(curves["variant"]))
    groups = list(pd.unique(curves["group"]))
    colours = {g: OKABE_ITO[(k + 5) % len(OKABE_ITO)] for k, g in enumerate(groups)}
    fig = Figure(figsize=(2.6 * len(events), 2.3 * len(variants) + 0.6), layout="constrained")
    axes = fig.subplots(len(variants), len(events), squeeze=False, sharex=True, sharey=True)
    for i, v in enumerate(variants):
        for k, e in enumerate(events):
            ax = axes[i][k]
            part = curves[(curves["variant"] == v) & (curves["event"] == e)]
            for g in groups:
                gp = part[part["group"] == g].sort_values("x")
                ax.plot(gp["x"], gp["share"], marker="o", ms=2.5, lw=1.2, color=colours[g], label=pretty(g))
                ax.fill_between(gp["x"], gp["low"], gp["high"], alpha=0.2, color=colours[g], lw=0)
            ax.axhline(LIKELY, color="#7F7F7F", lw=0.6, ls=":")
            ax.set_ylim(0, 1)
            ax.set_xlim(float(np.nanmin(curves["x_low"])), float(np.nanmax(curves["x_high"])))
            if i == 0:
                ax.set_title(pretty(e).replace("formal request", "a formal request"), fontsize=9)
            if k == 0:
                ax.set_ylabel(f"{v}\nshare of runs", fontsize=8)
            if i == len(variants) - 1:
                ax.set_xlabel(label, fontsize=7)
            ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7, loc="upper left")
    return fig
