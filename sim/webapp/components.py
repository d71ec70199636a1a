"""What the browser app shows of a running model, as HTML and inline SVG built from the
model (pure functions, so a test can read them): the situation card (with the one-year
clock and each actor's course in plain words, `sim.model.action_texts`), charts of US
troops in troops (F3), of Iranian influence, tension and the ISIS threat (F7, F12, F24), of
faction positions (F14, F16) and of the one-year clock after a formal request (F4), each
with the request, its deadline and PM changes marked; the story so far
(`sim.abm.story.chronicle`, the same text as events.md, with the background of January 2020
kept at its end); the compare view (the current run's outcome inside the distribution of
its settings); the briefing card."""

from __future__ import annotations

import datetime as dt
import html

import numpy as np

from ..abm import story
from ..briefs import student_markdown, to_html
from ..model.action_texts import action_text
from ..model.outcomes import OUTCOMES, RequestState
from ..style import (
    BLACK,
    FACTION_COLOURS,
    MARK_COLOURS,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    SERIES_COLOURS,
    VERMILLION,
    faction_label,
)
from .charts import Mark, Series, bar_chart, line_chart

EVENTS_SHOWN = 12


def _e(x: object) -> str:
    return html.escape(str(x))


def _x_ticks(model, x_max: float) -> list[tuple[float, str]]:
    start = model.date_of_day(0)
    ticks = []
    for year in range(start.year, start.year + 1 + int(x_max // 365) + 1):
        for month in (1, 7):
            day = (dt.date(year, month, 1) - start).days
            if 0 <= day <= x_max:
                ticks.append((day, f"{year}" if month == 1 else f"Jul {year}"))
    return ticks


def marks(model, h) -> list[Mark]:
    """The formal request, its deadline (unless the request was taken back) and each PM change."""
    s = model.state
    out = [Mark(d, "new PM", MARK_COLOURS["pm"]) for d in h.pm_change_days]
    req = int(s.request_day[0])
    if req >= 0:
        out.append(Mark(req, "request", MARK_COLOURS["request"]))
        if int(s.request_state[0]) != RequestState.WITHDRAWN:
            out.append(Mark(int(s.deadline_day[0]), "deadline", MARK_COLOURS["deadline"]))
    return out


def _x_max(model) -> float:
    return float(max(model.params.horizon_days, model.day, max((m.x for m in marks(model, model.history)), default=0)))


def troops_chart(model) -> str:
    """US troops in Iraq, in troops (F3, F4)."""
    h = model.history
    x_max = _x_max(model)
    scale = float(model.params.world.initial_troops)
    top = scale * 1.1
    return line_chart(
        "US troops in Iraq (F3)", h.day, [Series("US troops", h.troops, SERIES_COLOURS["troops"], 3.5)],
        x_max=x_max, y_min=0, y_max=top, y_ticks=[k * 1000.0 for k in range(int(scale // 1000) + 1)],
        y_format="{:,.0f}", x_ticks=_x_ticks(model, x_max), marks=marks(model, h), css="troops")


def influence_chart(model) -> str:
    """Iranian influence, US-Iran tension and the ISIS threat, each from 0 to 1 (F1, F7, F12, F24)."""
    h = model.history
    x_max = _x_max(model)
    return line_chart(
        "Iranian influence, tension, ISIS threat (0 to 1)", h.day,
        [Series("Iranian influence (F24)", h.influence, SERIES_COLOURS["iran_influence"], 3.5),
         Series("US-Iran tension (F12)", h.tension, SERIES_COLOURS["tension"], 2.5, "6,4"),
         Series("ISIS threat (F1)", h.isis, SERIES_COLOURS["isis_threat"], 2.5, "2,3")],
        x_max=x_max, y_min=0, y_max=1.0, y_ticks=[0, 0.5, 1.0], x_ticks=_x_ticks(model, x_max),
        marks=marks(model, h), css="influence")


def positions_chart(model) -> str:
    h = model.history
    x_max = _x_max(model)
    fa = model.params.factions
    series = [Series(faction_label(label), [p[j] for p in h.positions], FACTION_COLOURS[j % len(FACTION_COLOURS)], 2)
              for j, label in enumerate(fa.labels)]
    series += [Series("collective", h.collective, BLACK, 4), Series("PM", h.pm, BLACK, 2, "6,4")]
    return line_chart("Positions: 0 = troops stay, 1 = leave (F14)", h.day, series, x_max=x_max,
                      y_min=0, y_max=1, y_ticks=[0, 0.5, 1], x_ticks=_x_ticks(model, x_max), marks=marks(model, h), css="positions")


def clock_chart(model) -> str:
    h = model.history
    x_max = _x_max(model)
    request = int(model.state.request_day[0]) >= 0
    note = ("no formal request: the clock is not running" if not request
            else "" if model.days_left is not None else "the clock stopped")
    notice = int(model.params.section("legal").notice_days)
    return line_chart("One-year clock after a request (F4)", h.day,
                      [Series("days left (0: troops still there = occupation)", h.days_left, VERMILLION, 3)],
                      x_max=x_max, y_min=0, y_max=notice, y_ticks=sorted({*range(0, notice, 100), notice}),
                      x_ticks=_x_ticks(model, x_max), marks=marks(model, h), note=note,
                      css="clock")


def clock_html(model) -> str:
    """The one-year clock (F4) in words, with a bar of the year gone when it runs."""
    left = model.days_left
    bar = ""
    if left is not None:
        gone = max(0.0, min(1.0, 1.0 - left / float(model.params.section("legal").notice_days)))
        bar = (f"<span class='iw-clockbar' title='{left} days left'><span style='width:{100 * gone:.0f}%'></span>"
               "</span>")
    return f"<p class='iw-clock'><b>One-year clock:</b> {_e(story.clock_text(model))} (F4) {bar}</p>"


def courses_html(model) -> str:
    """Each actor's standing course or last move, in plain words (`sim.model.action_texts`)."""
    parts = []
    for actor, who in (("washington", "Washington"), ("tehran", "Tehran"), ("government", "the PM's last move")):
        name = model.actors[actor].last_action
        if name is None:
            continue
        label = action_text(actor, name).label
        parts.append(f"{who}: {_e(label[0].lower() + label[1:])}")
    return f"<p class='iw-courses'>{' · '.join(parts)}</p>" if parts else ""


def situation_html(model) -> str:
    s = model.state
    pm = "a caretaker" if bool(s.caretaker[0]) else "confirmed" + (" with a majority" if bool(s.pm_majority[0]) else "")
    horizon = model.params.horizon_days // 7
    week = f"Week {model.week} of {horizon}" if model.week <= horizon else \
        f"Week {model.week} (past the {horizon}-week horizon: the request's year still runs)"
    outcome = model.outcome
    status = (f"<b>Outcome: {_e(OUTCOME_LABELS.get(outcome, outcome))}</b>" if outcome else "Outcome: not decided yet") \
        + ("" if model.running else " · the run is over")
    return (f"<div class='iw-situation'><p class='iw-week'><b>{_e(week)}</b> · {_e(model.date.strftime('%-d %B %Y'))}"
            f" · seed {model.params.seed} · {status}</p>"
            f"<p>US troops <b>{float(s.troops[0]):,.0f}</b> · Iranian influence {float(s.iran_influence[0]):.2f} · "
            f"ISIS threat {float(s.isis_threat[0]):.2f} · tension {float(s.tension[0]):.2f}"
            + (" · <b>sanctions imposed</b>" if bool(s.sanctions_imposed[0]) else "")
            + f" · prime minister: {_e(pm)}</p>" + clock_html(model) + courses_html(model) + "</div>")


def events_html(model, shown: int = EVENTS_SHOWN) -> str:
    """The story so far, newest first, and the background of January 2020 at its end."""
    entries = [e for e in story.chronicle(model) if e["kind"] != "context"][-shown:][::-1]
    background = [e for e in model.event_log if e["kind"] == "context"][::-1]
    rows = "".join(f"<li><b>{_e(e['date'])}</b> {_e(e['text'])}</li>" for e in entries)
    if not entries:
        rows = "<li class='iw-none'>Nothing has happened yet: press Step or Play.</li>"
    past = "".join(f"<li><b>{_e(e['date'])}</b> {_e(e['text'])}</li>" for e in background)
    return (f"<ul class='iw-events'>{rows}</ul><p class='iw-before'><b>Before the model starts</b></p>"
            f"<ul class='iw-events iw-background'>{past}</ul>")


def compare_html(model, outcome_codes: np.ndarray | None, runs: int) -> str:
    """The current run's outcome inside the distribution of runs 0..N-1 under the same
    settings and seed (run 0 is this very run: the same random world)."""
    if outcome_codes is None:
        return "<p class='iw-compare-wait'>Computing the distribution of these settings ...</p>"
    shares = [float(np.mean(outcome_codes == k)) for k in range(len(OUTCOMES))]
    current = model.outcome
    k = OUTCOMES.index(current) if current in OUTCOMES else None
    chart = bar_chart(f"How {runs:,} runs with these settings end (seed {model.params.seed})",
                      [OUTCOME_LABELS[o] for o in OUTCOMES], shares, [OUTCOME_COLOURS[o] for o in OUTCOMES],
                      highlight=k, highlight_text="<- this run", css="iw-compare-chart")
    if current is None:
        words = "This run's outcome is not decided yet: step or play on."
    else:
        words = (f"This run ended in <b>{_e(OUTCOME_LABELS[current])}</b>, an outcome of "
                 f"{100 * shares[k]:.1f} % of runs with these settings" + (": a rare result." if shares[k] < 0.05
                                                                            else ".") if k is not None else "")
    return f"<div class='iw-compare'>{chart}<p>{words}</p></div>"


def briefing_html(scenario: str) -> str:
    page = to_html(student_markdown(scenario, "all"), scenario)
    body = page[page.index("<body>") + 6:page.index("</body>")]
    return f"<div class='iw-briefing'>{body}</div>"
