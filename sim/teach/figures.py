"""Figures of a scenario's ensemble: how runs end, and when the formal request comes (F4).

The time-to-request curve is a survival curve (Kaplan & Meier 1958): the share of runs
still without a formal request after each week, with the ends of 2020 and 2021 marked
(Silliman expected the question to run "through 2020, likely into 2021", F15).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ..ensembles import YEAR_ENDS, Ensemble
from ..model.outcomes import OUTCOMES

COLOURS = {
    "no_request": "tab:gray", "negotiated_drawdown": "tab:blue", "request_withdrawn": "tab:orange",
    "withdrawal_completed": "tab:green", "occupation": "tab:red",
}


def outcome_bars(e: Ensemble, path: Path) -> None:
    shares = e.outcome_shares()
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    bars = ax.bar(range(len(OUTCOMES)), [100 * shares[o] for o in OUTCOMES], color=[COLOURS[o] for o in OUTCOMES])
    for b, o in zip(bars, OUTCOMES):
        ax.annotate(f"{100 * shares[o]:.1f} %", (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=9)
    ax.set_xticks(range(len(OUTCOMES)), [o.replace("_", "\n") for o in OUTCOMES])
    ax.set_ylabel("share of runs (%)")
    ax.set_ylim(0, 105)
    ax.set_title(f"Scenario {e.scenario}: how {e.runs:,} runs end (root seed {e.seed})")
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def request_survival(e: Ensemble, path: Path) -> None:
    weeks, surv = e.survival()
    dates = [e.week_date(w) for w in weeks]
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    ax.step(dates, 100 * surv, where="post", color="black")
    for year, end in YEAR_ENDS.items():
        ax.axvline(end, color="tab:purple", ls="--", lw=1)
        share = e.share_requested_by(e.last_week_by(end))
        ax.annotate(f"end of {year}: {100 * share:.1f} % requested", (end, 3), rotation=90, va="bottom",
                    ha="right", fontsize=8, color="tab:purple")
    ax.set_ylim(0, 102)
    ax.set_ylabel("runs without a formal request (%)")
    ax.set_title(f"Scenario {e.scenario}: time to the formal request that starts the one-year clock")
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def write_figures(e: Ensemble, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "outcomes.png", out_dir / "time_to_request.png"]
    outcome_bars(e, paths[0])
    request_survival(e, paths[1])
    return paths
