"""The Mesa model of one negotiation: agents for every actor, the world's state, the
configured order of stages, the event log and the data collected each week."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

import mesa
import numpy as np

from ..model import draws, outcomes, stages
from ..model.params import ModelParams
from ..model.state import initial_state, still_running, summary_columns, summary_row
from . import story
from .agents import FactionAgent, GovernmentAgent, TehranAgent, WashingtonAgent

# Mesa logs a line per step at INFO; under Hydra's logging that costs about a quarter of run time.
logging.getLogger("MESA").setLevel(logging.WARNING)


class NegotiationModel(mesa.Model):
    """One run of the 2020 withdrawal negotiation.

    Either pass `params` (built by `sim.config.build.model_params`) or a `scenario` name,
    a `seed` and Hydra-style `overrides` (for the browser app and notebooks). `run_index`
    picks the run's random stream under the root seed: run i of a sweep with the same
    root seed draws exactly the same numbers. `record=False` skips the event texts and
    the weekly data (sweeps need only the summary).

    Step order (configurable, `step_order`): world -> tehran -> factions -> parliament ->
    government -> washington -> consequences. Within "factions", factions decide on last
    week's world, so their order does not matter.
    """

    def __init__(self, params: ModelParams | None = None, *, scenario: str = "baseline", seed: int | None = 0,
                 overrides: list[str] | None = None, run_index: int = 0, record: bool = True,
                 start_date: str | None = None, step_days: int | None = None, scenario_name: str | None = None):
        cfg = None
        if params is None:
            from ..config.build import model_params, to_run_config
            from ..config.store import compose_run_config

            overrides = [f"scenario={scenario}", *(overrides or [])]
            if seed is None:
                overrides.append("seed=null")
            else:
                overrides.append(f"seed={int(seed)}")
            cfg = to_run_config(compose_run_config(overrides))
            params = model_params(cfg)
            scenario_name = cfg.scenario.name
            start_date, step_days = cfg.start_date, cfg.step_days
        super().__init__(rng=params.seed)  # Mesa's own generators are seeded but never drawn from
        self.config = cfg
        self.params = params
        self.scenario_name = scenario_name or "custom"
        self.run_index = int(run_index)
        self.run_keys = draws.run_key(params.seed, [self.run_index])  # the run's random stream
        self.week = 0
        self.record = record
        self.start_date = dt.date.fromisoformat(start_date or "2020-01-06")
        self.step_days = int(step_days or 7)
        self.state = initial_state(params, 1)
        self.pending_events: list | None = None
        self.event_log: list[dict] = []

        self.factions = [FactionAgent(self, j) for j in range(params.factions.size)]
        self.government = GovernmentAgent(self)
        self.washington = WashingtonAgent(self)
        self.tehran = TehranAgent(self)
        if record:
            for date, text in story.OPENING:
                self.event_log.append({"week": 0, "date": date, "kind": "context", "text": text})
            self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
            self.datacollector.collect(self)

    def week_date(self, week: int) -> dt.date:
        """The calendar date of a week (week 0 = the start date)."""
        return self.start_date + dt.timedelta(days=self.step_days * int(week))

    # ------------------------------------------------------------------ stepping
    # One method per stage name of `step_order` (methods, not lambdas, so a model pickles).
    def _stage_world(self) -> None:
        stages.stage_world(self.state, self.params, self.week, self.run_keys, self.pending_events)

    def _stage_tehran(self) -> None:
        self.tehran.step()

    def _stage_factions(self) -> None:
        for agent in self.factions:
            agent.step()
        stages.update_collective(self.state, self.params)

    def _stage_parliament(self) -> None:
        stages.stage_parliament(self.state, self.params, self.week, self.run_keys, self.pending_events)

    def _stage_government(self) -> None:
        self.government.step()

    def _stage_washington(self) -> None:
        self.washington.step()

    def _stage_consequences(self) -> None:
        stages.stage_consequences(self.state, self.params, self.week, self.run_keys, self.pending_events)

    def step(self) -> None:
        if not self.running:
            return
        self.week += 1
        self.pending_events = [] if self.record else None
        for name in self.params.step_order:
            getattr(self, f"_stage_{name}")()
        if self.record:
            date = self.week_date(self.week).isoformat()
            for kind, mask, data in self.pending_events:
                if mask[0]:
                    text = story.describe(kind, data, 0, self.week_date)
                    self.event_log.append({"week": self.week, "date": date, "kind": kind, "text": text})
        if not still_running(self.state, self.week, self.params.horizon_weeks)[0]:
            stages.finish(self.state)
            self.running = False
        if self.record:
            self.datacollector.collect(self)

    def run(self) -> dict:
        """Step until the run ends; return its summary."""
        while self.running:
            self.step()
        return self.summary()

    # ------------------------------------------------------------------ reading the run
    @property
    def outcome(self) -> str | None:
        code = int(self.state.outcome[0])
        return outcomes.OUTCOMES[code] if code >= 0 else None

    @property
    def weeks_left(self) -> int | None:
        """Weeks left on the one-year clock (negative past the deadline), None without a request."""
        d = int(self.state.deadline_week[0])
        return d - self.week if d >= 0 else None

    def summary(self) -> dict:
        """The fields of summary.json (the same numbers the batch engine gives this run)."""
        cols = summary_columns(self.state, [self.week])
        return summary_row(cols, 0, seed=self.params.seed, scenario=self.scenario_name, run_index=self.run_index)

    def _reporters(self) -> dict:
        """Weekly columns of the trajectory. Module-level functions (partials), so a model pickles."""
        rep = {"week": _week, "date": _date}
        for name, kind in _STATE_COLUMNS.items():
            rep[name] = partial(_state_value, name, kind)
        rep["request_state"] = _request_state
        rep["weeks_left"] = _weeks_left
        for actor in ("government", "washington", "tehran"):
            rep[f"{actor}_action"] = partial(_last_action, actor)
        for j, name in enumerate(self.params.factions.names):
            rep[f"position_{name}"] = partial(_faction_position, j)
        return rep

    def trajectory(self):
        """The weekly data as a pandas DataFrame (one row per week, week 0 first)."""
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)


# ---------------------------------------------------------------------- trajectory reporters
_STATE_COLUMNS = {
    "troops": float, "iran_influence": float, "isis_threat": float, "tension": float, "mobilisation": float,
    "protests": float, "threat_level": float, "linkage_level": float, "tehran_pressure": float,
    "collective_stance": float, "caretaker": bool, "pm_position": float, "pm_changes": int,
    "negotiations_open": bool, "sanctions_imposed": bool,
}


def _week(m: NegotiationModel) -> int:
    return m.week


def _date(m: NegotiationModel) -> str:
    return m.week_date(m.week).isoformat()


def _state_value(name: str, kind, m: NegotiationModel):
    return kind(getattr(m.state, name)[0])


def _request_state(m: NegotiationModel) -> str:
    return outcomes.REQUEST_STATES[int(m.state.request_state[0])]


def _weeks_left(m: NegotiationModel):
    return m.weeks_left


def _last_action(actor: str, m: NegotiationModel):
    return getattr(m, actor).last_action


def _faction_position(j: int, m: NegotiationModel) -> float:
    return float(m.state.position[0, j])
