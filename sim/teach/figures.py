"""Figures of a scenario's ensemble: how runs end, and when the formal request comes (F4),
each also side by side with the baseline's (the comparison the cards ask for: the same
root seed and the same run indices, so the same random worlds).

The time-to-request curve is a survival curve (Kaplan & Meier 1958): the share of runs
still without a formal request after each week, with the ends of 2020 and 2021 marked
(Silliman expected the question to run "through 2020, likely into 2021", F15). Colours are
the Okabe-Ito palette (`sim.style`); every figure is written as PNG (150 dpi), SVG and PDF.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..ensembles import YEAR_ENDS, Ensemble
from ..model.outcomes import OUTCOMES
from ..style import BLACK, GREY, OUTCOME_COLOURS, OUTCOME_LABELS, PURPLE, save_figure

COLOURS = OUTCOME_COLOURS


def outcome_bars(e: Ensemble, stem: Path, reference: Ensemble | None = None) -> list[Path]:
    """Outcome shares of `e`, with the reference's (the baseline) as hatched bars beside them."""
    shares = e.outcome_shares()
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(OUTCOMES))
    width = 0.4 if reference is not None else 0.7
    offset = width / 2 if reference is not None else 0.0
    bars = ax.bar(x - offset, [100 * shares[o] for o in OUTCOMES], width, color=[COLOURS[o] for o in OUTCOMES],
                  edgecolor=BLACK, linewidth=0.6, label=f"{e.scenario}")
    labelled = list(zip(bars, [shares[o] for o in OUTCOMES]))
    if reference is not None:
        ref = reference.outcome_shares()
        rbars = ax.bar(x + offset, [100 * ref[o] for o in OUTCOMES], width, color="white",
                       edgecolor=[COLOURS[o] for o in OUTCOMES], hatch="///", linewidth=1.2,
                       label=f"{reference.scenario} (same seed and runs)")
        labelled += list(zip(rbars, [ref[o] for o in OUTCOMES]))
        ax.legend(loc="upper right", fontsize=9, frameon=False)
    for b, share in labelled:
        ax.annotate(f"{100 * share:.1f} %", (b.get_x() + b.get_width() / 2, b.get_height()), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [OUTCOME_LABELS[o].replace(" ", "\n", 1) for o in OUTCOMES], fontsize=9)
    ax.set_ylabel("share of runs (%)")
    ax.set_ylim(0, 112)
    ax.spines[["top", "right"]].set_visible(False)
    vs = f" against {reference.scenario}" if reference is not None else ""
    ax.set_title(f"How {e.runs:,} runs of {e.scenario} end{vs} (root seed {e.seed})", fontsize=11)
    return save_figure(fig, stem)


def request_survival(e: Ensemble, stem: Path, reference: Ensemble | None = None) -> list[Path]:
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.subplots()
    for ens, colour, style, label in ((e, BLACK, "-", e.scenario),
                                      (reference, GREY, "--", None if reference is None else
                                       f"{reference.scenario} (same seed and runs)")):
        if ens is None:
            continue
        weeks, surv = ens.survival()
        ax.step([ens.week_date(w) for w in weeks], 100 * surv, where="post", color=colour, ls=style, lw=1.8,
                label=label)
    for k, (year, end) in enumerate(YEAR_ENDS.items()):
        ax.axvline(end, color=PURPLE, ls=":", lw=1)
        text = f"end of {year}: {100 * e.share_requested_by(e.last_week_by(end)):.1f} % requested"
        if reference is not None:
            text += f" ({100 * reference.share_requested_by(reference.last_week_by(end)):.1f} %)"
        ax.annotate(text, (end, 4 + 48 * k), rotation=90, va="bottom", ha="right", fontsize=8, color=PURPLE)
    ax.set_ylim(0, 104)
    ax.set_ylabel("runs without a formal request (%)")
    ax.spines[["top", "right"]].set_visible(False)
    if reference is not None:
        ax.legend(loc="lower left", fontsize=9, frameon=False)
    ax.set_title(f"{e.scenario}: time to the formal request that starts the one-year clock (F4)", fontsize=11)
    return save_figure(fig, stem)


def write_figures(e: Ensemble, out_dir: Path, reference: Ensemble | None = None) -> list[Path]:
    """outcomes and time_to_request (PNG, SVG, PDF); with a reference, also
    compare_outcomes and compare_time_to_request beside it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = outcome_bars(e, out_dir / "outcomes") + request_survival(e, out_dir / "time_to_request")
    if reference is not None:
        paths += outcome_bars(e, out_dir / "compare_outcomes", reference)
        paths += request_survival(e, out_dir / "compare_time_to_request", reference)
    return paths
