"""The classroom browser app: Mesa's SolaraViz over a `ClassroomModel`.

    .venv/bin/python -m sim.webapp                                   # http://127.0.0.1:8765
    .venv/bin/solara run sim.webapp.app --host 127.0.0.1 --port 8765   # the same, directly

A scenario picker chooses the exercise (configs/scenario/); SolaraViz gives the sliders,
Step, Play and Reset. Each browser session builds its own model inside the `Page`
component (`solara.use_memo`), never at module level, so two students never share a run;
SolaraViz's Reset builds a new one from the sliders. Changing the scenario remounts
SolaraViz (keyed by scenario) so its sliders start at that scenario's values.
"""

from __future__ import annotations

import html

import solara
from mesa.visualization import SolaraViz

from ..config import available_scenarios
from .components import COMPONENTS, Html
from .session import ClassroomModel, model_params_for, scenario_text

DEFAULT_SCENARIO = "baseline"


def new_model(scenario: str = DEFAULT_SCENARIO) -> ClassroomModel:
    """A fresh model for one session (the sliders at the scenario's own values)."""
    return ClassroomModel(exercise=scenario, seed=0)


@solara.component
def ScenarioPicker(scenario: str, on_scenario):
    title, description = scenario_text(scenario)
    with solara.Card("Exercise", classes=["iw-picker"]):
        solara.Select("Scenario", values=available_scenarios(), value=scenario, on_value=on_scenario)
        Html(f"<p><b>{html.escape(title)}</b></p><p>{html.escape(description)}</p>"
             f"<p>Briefing: <code>python -m sim.teach brief {html.escape(scenario)}</code></p>")


@solara.component
def Page():
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    model = solara.use_memo(lambda: new_model(scenario), [scenario])  # one per session and scenario
    with solara.Sidebar():
        ScenarioPicker(scenario, set_scenario)
    SolaraViz(
        model, components=[(c, 0) for c in COMPONENTS], model_params=model_params_for(scenario),
        name="US troops in Iraq, 2020: a classroom model", play_interval=150,
    ).key(f"viz-{scenario}")


page = Page
