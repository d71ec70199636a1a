"""The figure of one run: troops, Iranian influence and ISIS threat, faction positions,
tension and street; the formal request, its deadline and PM changes marked.

The figure is a `matplotlib.figure.Figure` made without pyplot, so drawing it sets no
backend and leaves no global state (a notebook shows it as it is)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.figure import Figure

from .model.valuation import YEAR_DAYS


def plot_trajectory(df: pd.DataFrame, model, path) -> None:
    """Write the run's figure as a PNG to `path`."""
    fig = trajectory_figure(df, model)
    fig.savefig(path, dpi=100, format="png", metadata={"Software": None})


def trajectory_figure(df: pd.DataFrame, model) -> Figure:
    """The run's figure from its trajectory (`NegotiationModel.trajectory()`)."""
    dates = pd.to_datetime(df["date"])
    fig = Figure(figsize=(10, 9), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    s = model.summary()
    fig.suptitle(f"Scenario {model.scenario_name}, seed {s['seed']}, run {s['run_index']}: outcome {s['outcome']}")

    ax = axes[0]
    ax.plot(dates, df["troops"], color="tab:blue", label="US troops")
    ax.set_ylabel("US troops")
    ax.set_ylim(-100, 5200)
    ax2 = ax.twinx()
    ax2.plot(dates, df["iran_influence"], color="tab:green", label="Iranian influence")
    ax2.plot(dates, df["isis_threat"], color="tab:red", alpha=0.6, label="ISIS threat")
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("0 to 1")
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(lines, [line.get_label() for line in lines], loc="lower left", fontsize=8)

    ax = axes[1]
    for name in model.params.factions.names:
        ax.plot(dates, df[f"position_{name}"], label=name)
    ax.plot(dates, df["collective_stance"], color="black", lw=2, label="collective stance")
    ax.plot(dates, df["pm_position"], color="black", ls="--", label="PM's stance")
    ax.set_ylim(0, 1)
    ax.set_ylabel("position (1 = leave now)")
    ax.legend(loc="lower left", fontsize=8, ncol=4)

    ax = axes[2]
    ax.plot(dates, df["tension"], label="US-Iran tension")
    ax.plot(dates, df["mobilisation"], label="street mobilisation")
    ax.plot(dates, df["protests"], label="anti-corruption protests")
    ax.plot(dates, df["threat_level"], ls=":", label="sanctions threat")
    ax.set_ylim(0, 1)
    ax.set_ylabel("0 to 1")
    ax.legend(loc="upper right", fontsize=8, ncol=2)

    marks = []
    if s["formal_request_day"] is not None:
        marks.append((model.date_of_day(s["formal_request_day"]), "tab:red", "formal request"))
        marks.append((model.date_of_day(s["formal_request_day"] + YEAR_DAYS), "darkred", "deadline"))
    changes = df.index[df["pm_changes"].diff().fillna(0) > 0]
    for i in changes:
        marks.append((dt.date.fromisoformat(df.loc[i, "date"]), "tab:purple", "new PM"))
    for date, color, label in marks:
        for a in axes:
            a.axvline(pd.Timestamp(date), color=color, ls="--", lw=1)
        axes[0].annotate(label, (pd.Timestamp(date), 5050), color=color, fontsize=8, rotation=90, va="top", ha="right")
    return fig
