"""What the browser app shows of a running model: a situation card, charts of US troops and
Iranian influence (F3, F7, F24), faction positions (F14, F16), the one-year clock after a
formal request (F4) and the event log. Each is a function of the model that SolaraViz
re-renders after every step. Figures are `matplotlib.figure.Figure` objects (no pyplot
state shared between sessions)."""

from __future__ import annotations

import html

import pandas as pd
import solara
from matplotlib.figure import Figure

from ..model.outcomes import REQUEST_STATES
from ..model.valuation import YEAR_DAYS

EVENTS_SHOWN = 14


def Html(body: str, classes: str = ""):
    """Plain HTML (solara.Markdown would fetch mermaid.js from a CDN on every page)."""
    return solara.HTML(tag="div", unsafe_innerHTML=body, classes=[classes] if classes else [])


def _frame(model) -> pd.DataFrame:
    df = model.trajectory()
    df["date"] = pd.to_datetime(df["date"])
    return df


def _marker(df: pd.DataFrame) -> dict:
    """Week 0 is a single point: draw it as a dot so a fresh chart is not empty."""
    return {"marker": "o", "markersize": 3} if len(df) == 1 else {}


def _figure(title: str) -> tuple[Figure, object]:
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)
    return fig, ax


def _x_limits(ax, model) -> None:
    end = model.date_of_day(max(model.params.horizon_days, model.day))
    ax.set_xlim(pd.Timestamp(model.date_of_day(0)), pd.Timestamp(end))


def Situation(model):
    s = model.state
    rs = REQUEST_STATES[int(s.request_state[0])]
    requested = model.date_of_day(int(s.request_day[0])).isoformat() if int(s.request_day[0]) >= 0 else ""
    clock = (f"formal request on {requested}, {model.days_left} days left on the one-year clock"
             if model.days_left is not None else f"formal request on {requested}; settled" if rs == "active"
             else "the formal request was taken back" if rs == "withdrawn"
             else "no formal request: the clock is not running")
    pm = "caretaker" if bool(s.caretaker[0]) else "confirmed" + (" with a majority" if bool(s.pm_majority[0]) else "")
    outcome = model.outcome or "not decided yet"
    e = html.escape
    items = [
        f"US troops: <b>{float(s.troops[0]):,.0f}</b>; Iranian influence {float(s.iran_influence[0]):.2f}; "
        f"ISIS threat {float(s.isis_threat[0]):.2f}; tension {float(s.tension[0]):.2f}",
        f"Request: {e(clock)} (F4)",
        f"Prime minister: {e(pm)}, stance {float(s.pm_position[0]):.2f} (F13, F15)",
        f"Outcome: <b>{e(outcome)}</b>" + ("" if model.running else " (the run is over)"),
    ]
    body = (f"<p><b>Week {model.week}</b> ({model.date.isoformat()}), scenario "
            f"<code>{e(model.scenario_name)}</code>, seed {model.params.seed}</p>"
            "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    with solara.Card("Situation", classes=["iw-situation"]):
        Html(body)


def TroopsInfluence(model):
    df = _frame(model)
    fig, ax = _figure("US troops (F3) and Iranian influence (F7, F24)")
    ax.plot(df["date"], df["troops"], color="tab:blue", label="US troops", **_marker(df))
    ax.set_ylim(-100, 5300)
    ax.set_ylabel("troops", fontsize=8)
    ax2 = ax.twinx()
    ax2.plot(df["date"], df["iran_influence"], color="tab:green", label="Iranian influence", **_marker(df))
    ax2.plot(df["date"], df["tension"], color="tab:red", alpha=0.5, label="US-Iran tension")
    ax2.set_ylim(0, 1)
    ax2.tick_params(labelsize=8)
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], fontsize=7, loc="lower left")
    _x_limits(ax, model)
    with solara.Card(classes=["iw-chart", "iw-chart-troops"]):
        solara.FigureMatplotlib(fig, format="png")


def Positions(model):
    df = _frame(model)
    fig, ax = _figure("Positions: 0 = US forces stay, 1 = leave now (F14, F16)")
    for name in model.params.factions.names:
        ax.plot(df["date"], df[f"position_{name}"], label=name, lw=1, **_marker(df))
    ax.plot(df["date"], df["collective_stance"], color="black", lw=2, label="collective")
    ax.plot(df["date"], df["pm_position"], color="black", ls="--", lw=1, label="PM")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    _x_limits(ax, model)
    with solara.Card(classes=["iw-chart", "iw-chart-positions"]):
        solara.FigureMatplotlib(fig, format="png")


def Clock(model):
    df = _frame(model)
    fig, ax = _figure("The one-year clock: days left after a formal request (F4)")
    left = pd.to_numeric(df["days_left"], errors="coerce")
    ax.plot(df["date"], left, color="darkred", lw=2)
    ax.axhline(0, color="black", lw=1)
    ax.set_ylim(-10, YEAR_DAYS + 10)
    ax.set_ylabel("days left", fontsize=8)
    if left.notna().any():
        ax.annotate("deadline: troops still here = occupation (F11)", (pd.Timestamp(model.date_of_day(0)), 5), fontsize=7)
    else:
        ax.text(0.5, 0.5, "No formal request: the clock is not running", transform=ax.transAxes,
                ha="center", fontsize=9, color="gray")
    _x_limits(ax, model)
    with solara.Card(classes=["iw-chart", "iw-chart-clock"]):
        solara.FigureMatplotlib(fig, format="png")


def EventLog(model):
    events = model.event_log[-EVENTS_SHOWN:][::-1]
    rows = "".join(f"<li><b>{html.escape(e['date'])}</b> {html.escape(e['text'])}</li>" for e in events)
    with solara.Card(f"Event log ({len(model.event_log)} events, newest first)", classes=["iw-events"]):
        Html(f"<ul>{rows}</ul>")


COMPONENTS = [Situation, TroopsInfluence, Positions, Clock, EventLog]
