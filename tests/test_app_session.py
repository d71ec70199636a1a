"""The classroom browser app without a browser: the module holds no model at module level,
each rendered session builds its own, the controls' settings become the overrides of
`python -m sim` (Washington's strategy from the `conditions` experiment, the ISIS slider),
the charts mark the request, its deadline and PM changes, the clock never goes below zero,
and the compare view places the run in its distribution. The real browser is
tests/test_app_browser.py."""

from __future__ import annotations

import importlib
import re

import mesa
import numpy as np
import pytest

solara = pytest.importorskip("solara")

from sim.config import experiment_config  # noqa: E402
from sim.webapp import app, charts, components, session  # noqa: E402
from sim.webapp.session import SLIDERS, ClassroomModel, scenario_values, settings_overrides, strategies  # noqa: E402


def test_no_model_is_shared_at_module_level():
    for mod in (app, components, session, charts, importlib.import_module("sim.webapp")):
        shared = [name for name, v in vars(mod).items() if isinstance(v, mesa.Model)]
        assert not shared, f"{mod.__name__} holds a model shared by every session: {shared}"


def test_each_rendered_session_builds_its_own_model(monkeypatch):
    built = []

    def recording_factory(*args, **kwargs):
        m = ClassroomModel()
        built.append(m)
        return m

    monkeypatch.setattr(app, "new_model", recording_factory)
    monkeypatch.setattr(app, "distribution", lambda *a: np.zeros(10, dtype=np.int8))
    solara.render(app.Page(), handle_error=False)
    solara.render(app.Page(), handle_error=False)
    assert len(built) == 2 and built[0] is not built[1]
    built[0].step()
    assert (built[0].week, built[1].week) == (1, 0)


def test_strategies_are_the_levers_of_the_conditions_experiment():
    assert strategies() == dict(experiment_config("conditions").levers)
    assert set(strategies()) == {"status_quo", "quiet_diplomacy", "maximum_pressure"}
    m = ClassroomModel("baseline", 3, "maximum_pressure", isis_mean=0.6)
    assert m.params.washington.threat_cost == 0.0 and m.params.washington.signal_decay == 0.003
    assert m.params.world.isis_mean == 0.6 and m.params.seed == 3
    assert "scenario.world.isis_mean=0.6" in settings_overrides("status_quo", isis_mean=0.6)
    with pytest.raises(ValueError, match="strategy 'bluster'"):
        settings_overrides("bluster")


def test_sliders_start_at_the_scenario_values():
    for scenario in ("baseline", "max_pressure", "anti_american_pm"):
        start = scenario_values(scenario)
        for k, (_key, _label, lo, hi, _step, _fmt) in SLIDERS.items():
            assert lo <= start[k] <= hi
    assert scenario_values("max_pressure")["sanctions_credibility"] == 0.9  # configs/scenario/max_pressure.yaml
    assert scenario_values("baseline")["isis_mean"] == 0.3


def test_charts_mark_request_deadline_and_pm_changes_and_the_clock_stays_above_zero():
    m = ClassroomModel("anti_american_pm", 1)
    while m.running:
        m.step()
    svg = components.troops_chart(m)
    assert svg.startswith("<svg") and ">new PM<" in svg and ">request<" in svg
    # a deadline only while the last request stands (a request taken back has none)
    assert (">deadline<" in svg) == (int(m.state.request_state[0]) != 2)
    clock = components.clock_chart(m)
    assert all(d is None or d >= 0 for d in m.history.days_left)
    assert ("the clock stopped" in clock) == (m.days_left is None)
    for y in re.findall(r"points='([^']*)'", clock):
        for pt in y.split():
            assert float(pt.split(",")[1]) <= charts.TOP + (charts.H - charts.TOP - charts.BOTTOM) + 1e-6
    positions = components.positions_chart(m)
    assert "Other Shia parties" in positions and "other_shia" not in positions


def test_compare_view_places_the_run_in_its_distribution():
    m = ClassroomModel("anti_american_pm", 1)
    while m.running:
        m.step()
    codes = app.distribution("anti_american_pm", 1, "status_quo", scenario_values("anti_american_pm"))
    assert codes.size == app.COMPARE_RUNS
    assert int(codes[0]) == int(m.state.outcome[0])  # run 0 of the distribution is this very run
    text = components.compare_html(m, codes, app.COMPARE_RUNS)
    assert "&lt;- this run" in text and "request withdrawn" in text


def test_briefing_is_the_student_card():
    text = components.briefing_html("max_pressure")
    assert "<h2>The roles</h2>" in text and "Facilitator" not in text and "<!--" not in text
