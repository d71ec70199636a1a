"""The figure of one run: troops, Iranian influence and ISIS threat, faction positions,
tension and street; the formal request, its deadline and PM changes marked.

The figure is a `matplotlib.figure.Figure` made without pyplot, so drawing it sets no
backend and leaves no global state (a notebook shows it as it is)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.figure import Figure

from .model.outcomes import RequestState
from .style import BLACK, FACTION_COLOURS, MARK_COLOURS, OUTCOME_LABELS, SERIES_COLOURS, faction_label


def run_marks(df: pd.DataFrame, model) -> list[tuple[dt.date, str, str]]:
    """(date, colour, label) of the first formal request, of the request standing at the end
    if it was made again after a retraction, of its deadline (a request taken back has none)
    and of each change of PM, in date order."""
    s = model.summary()
    marks = []
    if s["formal_request_day"] is not None:
        marks.append((model.date_of_day(s["formal_request_day"]), MARK_COLOURS["request"], "formal request"))
        st = model.state
        if int(st.request_state[0]) != RequestState.WITHDRAWN:
            if int(st.request_day[0]) != s["formal_request_day"]:
                marks.append((model.date_of_day(int(st.request_day[0])), MARK_COLOURS["request"], "formal request"))
            marks.append((model.date_of_day(int(st.deadline_day[0])), MARK_COLOURS["deadline"], "deadline"))
    changes = df.index[df["pm_changes"].diff().fillna(0) > 0]
    for i in changes:
        marks.append((dt.date.fromisoformat(df.loc[i, "date"]), MARK_COLOURS["pm"], "new PM"))
    return sorted(marks)


def draw_marks(axes, marks, *, fontsize: float = 8) -> None:
    """Vertical lines at the marks on every axis, labelled above the first axis, clear of
    the data; labels of marks closer than 90 days are stacked so they never overlap."""
    last, level = None, 0
    for date, colour, label in marks:
        for a in axes:
            a.axvline(pd.Timestamp(date), color=colour, ls="--", lw=1)
        level = level + 1 if last is not None and (date - last).days < 90 else 0
        last = date
        axes[0].annotate(label, xy=(pd.Timestamp(date), 1.0), xycoords=("data", "axes fraction"),
                         xytext=(0, 3 + (fontsize + 3) * level), textcoords="offset points", color=colour,
                         fontsize=fontsize, ha="center", va="bottom", annotation_clip=False)


def trajectory_figure(df: pd.DataFrame, model) -> Figure:
    """The run's figure from its trajectory (`NegotiationModel.trajectory()`)."""
    dates = pd.to_datetime(df["date"])
    fig = Figure(figsize=(10, 9), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    s = model.summary()
    fig.suptitle(f"Scenario {model.scenario_name}, seed {s['seed']}, run {s['run_index']}: outcome "
                 f"{OUTCOME_LABELS.get(s['outcome'], s['outcome'])}")

    ax = axes[0]
    ax.plot(dates, df["troops"], color=SERIES_COLOURS["troops"], lw=2, label="US troops")
    ax.set_ylabel("US troops")
    ax.set_ylim(-100, 5200)
    ax2 = ax.twinx()
    ax2.plot(dates, df["iran_influence"], color=SERIES_COLOURS["iran_influence"], label="Iranian influence")
    ax2.plot(dates, df["isis_threat"], color=SERIES_COLOURS["isis_threat"], ls=":", label="ISIS threat")
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("0 to 1")
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(lines, [line.get_label() for line in lines], loc="lower left", fontsize=8, framealpha=0.9)

    ax = axes[1]
    for j, (name, label) in enumerate(zip(model.params.factions.names, model.params.factions.labels)):
        ax.plot(dates, df[f"position_{name}"], color=FACTION_COLOURS[j % len(FACTION_COLOURS)],
                label=faction_label(label))
    ax.plot(dates, df["collective_stance"], color=BLACK, lw=2.2, label="collective stance")
    ax.plot(dates, df["pm_position"], color=BLACK, ls="--", label="PM's stance")
    ax.set_ylim(0, 1)
    ax.set_ylabel("position (1 = leave now)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), fontsize=8, ncol=4, frameon=False)

    ax = axes[2]
    for key, label, style in (("tension", "US-Iran tension", "-"), ("mobilisation", "street mobilisation", "-"),
                              ("protests", "anti-corruption protests", "-"), ("threat_level", "sanctions threat", ":")):
        ax.plot(dates, df[key], color=SERIES_COLOURS[key], ls=style, label=label)
    ax.set_ylim(0, 1)
    ax.set_ylabel("0 to 1")
    ax.legend(loc="upper right", fontsize=8, ncol=2, framealpha=0.9)
    draw_marks(axes, run_marks(df, model))
    return fig
