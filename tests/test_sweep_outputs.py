"""Tables people can open: format=csv, and weekly series recorded at chosen weeks as a second
table (sim/sweep/outputs.py), with the batch engine's `observe` hook behind it."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import params_for
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.config import ConfigError, experiment_config
from sim.engines.batch import simulate
from sim.model.outcomes import REQUEST_STATES
from sim.model.week import trace
from sim.sweep.outputs import step_of_week
from sim.sweep.plan import make_plan, run_params
from sim.sweep.rerun import plan_from_sweep

WEEKS = [0, 26, 52, 104]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    out = tmp_path_factory.mktemp("recorded") / "conditions"
    return sim.sweep("conditions", runs=90, out=str(out), workers=1, format="csv",
                     record={"weeks": WEEKS, "series": ["troops", "iran_influence", "request_state", "tension"]})


def test_observe_sees_every_week_and_changes_nothing():
    p = params_for("scenario=anti_american_pm", "horizon_weeks=40")
    ids = np.arange(50)
    seen = []
    with_hook = simulate(p, ids, observe=lambda week, s: seen.append((week, s.runs, float(s.troops.sum()))))
    without = simulate(p, ids)
    assert all(np.array_equal(with_hook[k], without[k]) for k in without)
    weeks = [w for w, _, _ in seen]
    assert weeks == list(range(len(weeks))) and weeks[-1] == int(without["weeks_simulated"].max())
    assert all(n == 50 for _, n, _ in seen) and seen[0][2] == 50 * 5000


def test_csv_holds_the_parquet_table(recorded):
    runs_csv = pd.read_csv(recorded.path / "runs.csv")
    table = recorded.table
    assert list(runs_csv.columns) == list(table.columns) and len(runs_csv) == len(table) == 90
    for col in table.columns:
        if table[col].dtype.kind == "f":
            assert np.allclose(runs_csv[col], table[col], equal_nan=True), col
        else:
            assert list(runs_csv[col].astype(str)) == list(table[col].astype(str)), col
    series_csv = pd.read_csv(recorded.path / "series.csv")
    assert list(series_csv.columns) == list(recorded.series.columns) and len(series_csv) == len(recorded.series)


def test_series_rows_are_runs_times_weeks(recorded):
    s = recorded.series
    assert list(s.columns) == ["run_id", "week", "step", "date", "troops", "iran_influence", "request_state", "tension"]
    assert len(s) == 90 * len(WEEKS)
    assert list(s["run_id"]) == list(np.repeat(np.arange(90), len(WEEKS)))
    assert list(s["week"]) == WEEKS * 90 and list(s["step"]) == WEEKS * 90  # 7-day steps: step = week
    assert set(s.loc[s["week"] == 52, "date"]) == {"2021-01-04"}
    first = s[s["week"] == 0]
    assert (first["troops"] == 5000).all() and (first["request_state"] == "none").all()
    assert set(s["request_state"]) <= set(REQUEST_STATES)


def test_series_agree_with_the_runs_table(recorded):
    """A run has left the state `none` by week w exactly when its formal request came in
    week w or earlier (F4)."""
    s = recorded.series.merge(recorded.table[["run_id", "formal_request_week"]], on="run_id")
    requested = s["formal_request_week"].notna() & (s["formal_request_week"] <= s["week"])
    assert ((s["request_state"] != "none") == requested).all()


def test_series_are_the_state_at_those_weeks(recorded):
    """Independently of the recording code: step the same runs with `trace` and read the state."""
    plan = plan_from_sweep(recorded.path)
    for run_id in (0, 31, 89):
        lever, point, replication = (int(a[0]) for a in plan.locate([run_id]))
        p = run_params(plan, lever, np.array([point])).row(0)
        states = {0: None}
        world = plan.worlds(point, replication)          # the run index of its draws
        for week, state in trace(p, np.atleast_1d(world), max(WEEKS)):
            if week in WEEKS:
                states[week] = (float(state.troops[0]), float(state.iran_influence[0]),
                                REQUEST_STATES[int(state.request_state[0])], float(state.tension[0]))
        rows = recorded.series[recorded.series["run_id"] == run_id].set_index("week")
        for week in WEEKS[1:]:
            got = tuple(rows.loc[week, ["troops", "iran_influence", "request_state", "tension"]])
            assert got[2] == states[week][2]
            assert np.allclose([got[0], got[1], got[3]], [states[week][0], states[week][1], states[week][3]])


def test_provenance_of_the_series(recorded):
    import pyarrow.parquet as pq

    meta = json.loads(pq.read_schema(recorded.path / "series.parquet").metadata[b"sim.sweep.series"])
    assert meta["fingerprint"] == recorded.metadata["fingerprint"] and meta["weeks"] == WEEKS
    assert meta["step_days"] == 7 and meta["start_date"] == "2020-01-06"


def test_recording_can_be_added_to_a_finished_sweep_and_goes_with_a_new_table(tmp_path):
    out = str(tmp_path / "s")
    plain = sim.sweep("baseline", runs=30, out=out, workers=1)
    assert plain.series is None
    added = sim.sweep("baseline", runs=30, out=out, workers=1, record={"weeks": [10]})
    assert added.series is not None and len(added.series) == 30
    assert (tmp_path / "s" / "series.parquet").is_file()
    replaced = sim.sweep("baseline", runs=40, out=out, workers=1, overwrite=True)
    assert len(replaced.table) == 40 and not (tmp_path / "s" / "series.parquet").exists()


@given(week=st.integers(0, 200), step_days=st.sampled_from([1, 3, 7, 14, 30]))
@settings(max_examples=200, deadline=None)
def test_a_week_is_read_at_the_step_holding_its_last_day(week, step_days):
    """Step k covers days (k-1)*d+1 .. k*d; week w ends on day 7w."""
    k = step_of_week(week, step_days)
    assert k * step_days >= 7 * week and (k == 0 or (k - 1) * step_days < 7 * week)
    assert k == math.ceil(7 * week / step_days)


def test_record_weeks_beyond_the_horizon_are_refused():
    plan = make_plan(experiment_config("baseline"), 10)
    from sim.sweep.outputs import recording
    from sim.sweep.schema import RecordConfig

    assert recording(plan, RecordConfig(weeks=[])) is None
    assert recording(plan, RecordConfig(weeks=[156])).steps == (156,)
    for bad in ([157], [-1], [52, 52]):
        with pytest.raises(ConfigError, match="record.weeks"):
            recording(plan, RecordConfig(weeks=bad))
