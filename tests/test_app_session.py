"""The classroom browser app without a browser: the module imports, holds no model at
module level, builds one model per session, and SolaraViz's own Reset path (Mesa 3.5)
rebuilds a ClassroomModel from the sliders. The real browser is tests/test_app_browser.py."""

from __future__ import annotations

import importlib

import mesa
import pytest

solara = pytest.importorskip("solara")

from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params  # noqa: E402

from sim.webapp import app, components, session  # noqa: E402
from sim.webapp.session import SLIDERS, ClassroomModel, model_params_for, scenario_values  # noqa: E402


def test_no_model_is_shared_at_module_level():
    for mod in (app, components, session, importlib.import_module("sim.webapp")):
        shared = [name for name, v in vars(mod).items() if isinstance(v, mesa.Model)]
        assert not shared, f"{mod.__name__} holds a model shared by every session: {shared}"


def test_each_rendered_session_builds_its_own_model(monkeypatch):
    built = []

    def recording_factory(scenario="baseline"):
        m = ClassroomModel(exercise=scenario, seed=0)
        built.append(m)
        return m

    monkeypatch.setattr(app, "new_model", recording_factory)
    solara.render(app.Page(), handle_error=False)
    solara.render(app.Page(), handle_error=False)
    assert len(built) == 2 and built[0] is not built[1]
    built[0].step()
    assert (built[0].week, built[1].week) == (1, 0)
    assert len(built[1].event_log) == 4  # only the opening lines (F3, F4, F11, F12, F22)


def test_sliders_start_at_the_scenario_values_and_pass_mesa_checks():
    for scenario in ("baseline", "max_pressure", "anti_american_pm"):
        params = model_params_for(scenario)
        start = scenario_values(scenario)
        assert params["exercise"] == scenario
        assert {k: params[k]["value"] for k in SLIDERS} == start
        for k in SLIDERS:
            assert params[k]["min"] <= params[k]["value"] <= params[k]["max"]
        _check_model_params(ClassroomModel(exercise=scenario), params)
    assert scenario_values("max_pressure")["sanctions_credibility"] == 0.9  # configs/scenario/max_pressure.yaml


def test_solaraviz_reset_builds_a_fresh_model_from_the_sliders():
    model = ClassroomModel(exercise="baseline")
    model.step()
    values = {"exercise": "sanctions_bluff", "seed": 3, **scenario_values("sanctions_bluff"),
              "sanctions_credibility": 0.25, "rationality": 4.0}
    kwargs = _build_model_init_kwargs(model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True)
    fresh = type(model)(**kwargs)
    assert fresh.week == 0 and fresh.scenario_name == "sanctions_bluff"
    assert fresh.params.seed == 3
    assert fresh.params.sanctions.credibility == 0.25
    assert fresh.params.behaviour.rationality == 4.0
    assert fresh.params.sanctions.magnitude == 1.0  # the scenario's own value (F22)


@solara.component
def AllComponents(model):
    for component in components.COMPONENTS:
        component(model)


def test_components_render_a_model_at_any_week():
    model = ClassroomModel(exercise="anti_american_pm", seed=1)
    for _ in range(30):
        model.step()
    solara.render(AllComponents(model), handle_error=False)
