"""The classroom browser app, made for a projector at 1280x720.

    .venv/bin/python -m sim.webapp                                   # http://127.0.0.1:8765
    .venv/bin/solara run sim.webapp.app --host 127.0.0.1 --port 8765   # the same, directly

Controls on the left: the scenario, Washington's strategy (the levers of the `conditions`
experiment, in plain words), Apply, then sliders that show their values (the ISIS threat,
the sanctions threat, the new PM, government formation, rationality) and the seed.
Settings take effect when Apply is pressed: the run starts again from 6 January 2020, and
the page says so while changes wait. Step moves one week; Play runs the weeks, as fast as
they go unless a slower speed is chosen (the other buttons are off meanwhile, so no click
is queued); Reset starts the run again with the applied settings. Above the tabs, the
situation with the one-year clock and each actor's course. Tabs: the run (US troops in
troops and the 0-to-1 measures beside the story so far), Parliament and the clock
(faction positions, the clock's days), Compare (this run's outcome inside the distribution
of its settings, run in the background with the batch engine) and the Briefing card.

At 1280x720 the controls, the situation, the troops chart and the story are on screen
without scrolling; body text is at least 20 px and chart text at least 16 px
(tests/test_app_browser.py measures both).

Each browser session builds its own model inside `Page` (`solara.use_state`), never at
module level, so two students never share a run.
"""

from __future__ import annotations

import html
import threading
import time

import numpy as np
import solara

from ..config import available_scenarios
from ..ensembles import run_ensemble
from . import components
from .session import (
    SLIDERS,
    STRATEGY_WORDS,
    ClassroomModel,
    pending,
    scenario_text,
    scenario_values,
    settings_overrides,
    strategies,
    strategy_label,
    strategy_of,
)

DEFAULT_SCENARIO = "baseline"
#: the compare view's runs (the batch engine, in a background thread)
COMPARE_RUNS = 1000
#: Play's speeds: label -> seconds between weeks (0: as fast as the model and the browser go); the first is Play's default
SPEEDS = {"fast (as fast as it goes)": 0.0, "medium (5 weeks/s)": 0.2, "slow (2 weeks/s)": 0.5}
#: at full speed the page is redrawn at most this often; the model does not wait for it
FRAMES_PER_SECOND = 8

CSS = """
.v-application, body {font-size: 20px; line-height: 1.35;}
.v-application .v-btn {font-size: 20px; letter-spacing: 0; text-transform: none;}
.v-application .v-tab {font-size: 20px; letter-spacing: 0; text-transform: none;}
.v-application .v-label, .v-application .v-select__selection, .v-application .v-list-item__title,
.v-application .v-card__title, .v-application input {font-size: 20px !important;}
.v-application .v-card__title {padding: 6px 10px; line-height: 1.3;}
.v-application .v-text-field {padding-top: 0 !important; margin-top: 0 !important;}
.iw-label {display: block; font-size: 20px; margin-top: 4px;}
.iw-story p {font-size: 20px;}
.iw-situation-card, .iw-situation-card p {font-size: 20px !important;}
.iw-controls .v-input__slot {min-width: 200px;}
.iw-controls .v-slider {min-width: 180px;}
.iw-controls p, .iw-controls span {font-size: 20px;}
.iw-value {font-weight: 700; color: #0072B2;}
.iw-pending {color: #B33C00; font-weight: 700; margin: 4px 0;}
.iw-note {font-size: 20px; color: #333; margin: 2px 0;}
.iw-run {display: grid; grid-template-columns: minmax(0, 56fr) minmax(0, 44fr); gap: 8px; align-items: start;}
.iw-run .v-card, .iw-grid .v-card {margin: 0 !important;}
.iw-grid {display: grid; grid-template-columns: 1fr 1fr; gap: 8px;}
.iw-charts {display: flex; flex-direction: column; gap: 8px;}
.iw-svg {width: 100%; height: auto; display: block;}
.iw-compare {max-width: 900px;}
.iw-situation p {margin: 1px 0; font-size: 20px;}
.iw-situation-card {padding: 4px 10px !important;}
.iw-title {font-weight: 700; margin: 0 0 2px 0;}
.iw-clockbar {display: inline-block; width: 160px; height: 14px; border: 1px solid #888; vertical-align: middle;}
.iw-clockbar span {display: block; height: 100%; background: #D55E00;}
.iw-story {max-height: calc(100vh - 290px); min-height: 220px; overflow-y: auto; padding: 4px 10px;}
.iw-story h3 {font-size: 21px; margin: 2px 0 4px 0;}
.iw-events {margin: 0; padding-left: 20px; font-size: 20px;}
.iw-events li {margin: 3px 0;}
.iw-background {color: #333;}
.iw-before {margin: 8px 0 2px 0;}
.iw-briefing {font-size: 20px; max-width: 60em;}
.iw-briefing table {border-collapse: collapse; font-size: 20px;}
.iw-briefing td, .iw-briefing th {border: 1px solid #999; padding: 2px 5px;}
.iw-layout {display: grid; grid-template-columns: 310px minmax(0, 1fr); gap: 10px; align-items: start;}
.iw-side {position: sticky; top: 0; max-height: 100vh; overflow-y: auto;}
.iw-side .v-card {margin: 0 !important;}
.iw-controls .v-input {margin-top: 0 !important; padding-top: 0 !important;}
.iw-controls .v-messages {display: none;}
.iw-main {min-width: 0;}
.iw-buttons .v-input {margin: 0 !important; padding: 0 !important;}
"""


def Html(body: str, classes: str = ""):
    """Plain HTML (solara.Markdown would fetch mermaid.js from a CDN on every page)."""
    return solara.HTML(tag="div", unsafe_innerHTML=body, classes=[classes] if classes else [])


def new_model(scenario: str = DEFAULT_SCENARIO, seed: int = 0, strategy: str = "status_quo",
              values: dict | None = None) -> ClassroomModel:
    """A fresh model for one session."""
    return ClassroomModel(exercise=scenario, seed=seed, strategy=strategy, **(values or {}))


def distribution(scenario: str, seed: int, strategy: str, values: dict) -> np.ndarray:
    """Outcome codes of runs 0..COMPARE_RUNS-1 with the applied settings (run 0 is the app's run)."""
    e = run_ensemble(scenario, COMPARE_RUNS, seed, overrides=settings_overrides(strategy, **values))
    return e.outcome


@solara.component
def Controls(settings: dict, applied: dict, on_settings, on_apply):
    scenario = settings["scenario"]
    changed = pending(settings, applied)
    with solara.Card(classes=["iw-controls"]):
        Html("<span class='iw-label'><b>Settings</b>: the scenario</span>")
        solara.Select("", values=available_scenarios(), value=scenario, classes=["iw-scenario"],
                      on_value=lambda v: on_settings({**settings, "scenario": v, "values": scenario_values(v)}))
        Html("<span class='iw-label'>Washington's strategy</span>")
        levers = [strategy_label(n) for n in strategies()]
        solara.Select("", values=levers, value=strategy_label(settings["strategy"]), classes=["iw-strategy"],
                      on_value=lambda v: on_settings({**settings, "strategy": strategy_of(v)}))
        Html(f"<p class='iw-note'>{html.escape(STRATEGY_WORDS.get(settings['strategy'], ''))}</p>")
        solara.Button("Apply and start again", on_click=on_apply, color="primary" if changed else None,
                      disabled=not changed, classes=["iw-apply"])
        if changed:
            Html("<p class='iw-pending'>Changed: press Apply to start a new run with these settings.</p>")
        else:
            Html("<p class='iw-note'>Changes take effect when you press Apply (the run starts again).</p>")
        for name, (_key, label, lo, hi, step, fmt) in SLIDERS.items():
            value = settings["values"][name]
            Html(f"<span>{html.escape(label)}: <span class='iw-value iw-value-{name}'>{fmt.format(value)}</span></span>")
            solara.SliderFloat("", value=value, min=lo, max=hi, step=step, thumb_label=False,
                               on_value=lambda v, n=name: on_settings({**settings,
                                                                       "values": {**settings["values"], n: v}}))
        Html(f"<span>Random seed: <span class='iw-value iw-value-seed'>{settings['seed']}</span></span>")
        solara.SliderInt("", value=settings["seed"], min=0, max=99, thumb_label=False,
                         on_value=lambda v: on_settings({**settings, "seed": int(v)}))


@solara.component
def Page():
    start_values = solara.use_memo(lambda: scenario_values(DEFAULT_SCENARIO), [])
    first = {"scenario": DEFAULT_SCENARIO, "strategy": "status_quo", "seed": 0, "values": start_values}
    settings, set_settings = solara.use_state(first)
    applied, set_applied = solara.use_state(first)
    initial = solara.use_memo(lambda: new_model(), [])  # one per session, built once
    model, set_model = solara.use_state(initial)

    def restart(a: dict) -> None:
        set_model(new_model(a["scenario"], a["seed"], a["strategy"], a["values"]))

    def apply() -> None:
        set_applied(settings)
        restart(settings)

    solara.Style(CSS)
    solara.Title("US troops in Iraq, 2020")
    with solara.Div(classes=["iw-layout"]):
        with solara.Div(classes=["iw-side"]):
            Controls(settings, applied, set_settings, apply)
        with solara.Div(classes=["iw-main"]):
            Main(model, applied, lambda: restart(applied)).key(f"main-{id(model)}")


@solara.component
def Main(model: ClassroomModel, applied: dict, reset):
    """The run's buttons and tabs. Its own state (the step shown, Play) lives here, so a
    step redraws only this part of the page, not the settings."""
    version, set_version = solara.use_state(0)
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(next(iter(SPEEDS)))
    timing, set_timing = solara.use_state("")
    tab, set_tab = solara.use_state(0)

    def step() -> None:
        model.step()
        set_version(model.steps)  # one state change: one redraw

    def play_loop(cancel: threading.Event) -> None:
        if not playing:
            return
        pause = SPEEDS[speed]
        t0 = time.perf_counter()
        weeks, shown = 0, 0.0
        while model.running and not cancel.is_set():
            t = time.perf_counter()
            model.step()
            weeks += 1
            # at full speed, draw at most FRAMES_PER_SECOND times a second (and the last week)
            if pause > 0 or t - shown >= 1 / FRAMES_PER_SECOND or not model.running:
                set_version(model.steps)
                shown = time.perf_counter()
            rest = pause - (time.perf_counter() - t)
            if rest > 0:
                cancel.wait(rest)
        set_timing(f"played {weeks} weeks in {time.perf_counter() - t0:.1f} s")
        set_playing(False)

    solara.use_thread(play_loop, dependencies=[playing, speed])
    key = (applied["scenario"], applied["seed"], applied["strategy"], tuple(sorted(applied["values"].items())))
    dist = solara.use_thread(lambda: distribution(applied["scenario"], applied["seed"], applied["strategy"],
                                                  applied["values"]), dependencies=[key])
    title, description = solara.use_memo(lambda: scenario_text(applied["scenario"]), [applied["scenario"]])
    briefing = solara.use_memo(lambda: components.briefing_html(applied["scenario"]), [applied["scenario"]])
    _ = version  # redrawn after every step

    with solara.Column(gap="6px"):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}, classes=["iw-buttons"]):
            solara.Button("Step one week", on_click=step, disabled=playing or not model.running,
                          color="primary", classes=["iw-step"])
            solara.Button("Pause" if playing else "Play", on_click=lambda: set_playing(not playing),
                          disabled=not model.running, color="primary", classes=["iw-play"])
            solara.Button("Reset", on_click=reset, disabled=playing, classes=["iw-reset"])
            Html("<span class='iw-label'>Play speed</span>")
            solara.Select("", values=list(SPEEDS), value=speed, on_value=set_speed, disabled=playing,
                          style={"max-width": "290px"}, classes=["iw-speed"])
            Html(f"<span class='iw-note iw-timing'>{html.escape(timing)}</span>")
        with solara.Card(classes=["iw-situation-card"], margin=0):
            Html(f"<p class='iw-title'>{html.escape(title)}</p>" + components.situation_html(model))
        with solara.lab.Tabs(value=tab, on_value=set_tab):  # only the tab on screen is drawn
            with solara.lab.Tab("The run"):
                if tab == 0:
                    RunTab(model, version)
            with solara.lab.Tab("Parliament and the clock"):
                if tab == 1:
                    with solara.Div(classes=["iw-grid"]):
                        with solara.Card(margin=0):
                            Html(components.positions_chart(model), "iw-chart iw-chart-positions")
                        with solara.Card(margin=0):
                            Html(components.clock_chart(model), "iw-chart iw-chart-clock")
            with solara.lab.Tab("Compare"):
                if tab == 2:
                    codes = dist.value if dist.state == solara.ResultState.FINISHED else None
                    Html(components.compare_html(model, codes, COMPARE_RUNS), "iw-compare-box")
            with solara.lab.Tab("Briefing"):
                if tab == 3:
                    Html(f"<p class='iw-note'>{html.escape(description)}</p>" + briefing)


@solara.component
def RunTab(model: ClassroomModel, version: int):
    """US troops and the 0-to-1 measures beside the story so far; `version` redraws it."""
    with solara.Div(classes=["iw-run"]):
        with solara.Div(classes=["iw-charts"]):
            with solara.Card(margin=0):
                Html(components.troops_chart(model), "iw-chart iw-chart-troops")
            with solara.Card(margin=0):
                Html(components.influence_chart(model), "iw-chart iw-chart-influence")
        with solara.Card(margin=0, classes=["iw-story"]):
            Html("<h3>The story so far (newest first)</h3>" + components.events_html(model), "iw-events-box")


page = Page
