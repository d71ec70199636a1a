"""The Mesa model of one negotiation: agents for every actor, the world's state, the
configured order of stages, the event log and the data collected each week."""

from __future__ import annotations

import logging

import mesa
import numpy as np

from ..model import draws, outcomes, stages
from ..model.params import ModelParams
from ..model.state import initial_state, still_running
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
        self.week_date = story.week_date_function(start_date or "2020-01-06", step_days or 7)
        self.state = initial_state(params, 1)
        self.pending_events: list | None = None
        self.event_log: list[dict] = []

        self.factions = [FactionAgent(self, j) for j in range(params.factions.size)]
        self.government = GovernmentAgent(self)
        self.washington = WashingtonAgent(self)
        self.tehran = TehranAgent(self)
        self._stages = {
            "world": lambda: stages.stage_world(self.state, params, self.week, self.run_keys, self.pending_events),
            "tehran": self.tehran.step,
            "factions": self._factions_step,
            "parliament": lambda: stages.stage_parliament(self.state, params, self.week, self.run_keys, self.pending_events),
            "government": self.government.step,
            "washington": self.washington.step,
            "consequences": lambda: stages.stage_consequences(self.state, params, self.week, self.run_keys, self.pending_events),
        }
        if record:
            for date, text in story.OPENING:
                self.event_log.append({"week": 0, "date": date, "kind": "context", "text": text})
            self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
            self.datacollector.collect(self)

    # ------------------------------------------------------------------ stepping
    def _factions_step(self) -> None:
        for agent in self.factions:
            agent.step()
        stages.update_collective(self.state, self.params)

    def step(self) -> None:
        if not self.running:
            return
        self.week += 1
        self.pending_events = [] if self.record else None
        for name in self.params.step_order:
            self._stages[name]()
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
        s = self.state
        week_or_none = lambda a: int(a[0]) if a[0] >= 0 else None  # noqa: E731
        return {
            "outcome": self.outcome,
            "formal_request_week": week_or_none(s.request_week),
            "withdrawal_complete_week": week_or_none(s.withdrawal_complete_week),
            "final_troops": round(float(s.troops[0]), 6),
            "final_iran_influence": round(float(s.iran_influence[0]), 6),
            "sanctions_imposed": bool(s.sanctions_imposed[0]),
            "resolutions_passed": int(s.resolutions_passed[0]),
            "pm_changes": int(s.pm_changes[0]),
            "seed": int(self.params.seed),
            "scenario": self.scenario_name,
            "run_index": self.run_index,
            "weeks_simulated": self.week,
        }

    def _reporters(self) -> dict:
        s = lambda: self.state  # noqa: E731
        rep = {
            "week": lambda m: m.week,
            "date": lambda m: m.week_date(m.week).isoformat(),
            "troops": lambda m: float(s().troops[0]),
            "iran_influence": lambda m: float(s().iran_influence[0]),
            "isis_threat": lambda m: float(s().isis_threat[0]),
            "tension": lambda m: float(s().tension[0]),
            "mobilisation": lambda m: float(s().mobilisation[0]),
            "protests": lambda m: float(s().protests[0]),
            "threat_level": lambda m: float(s().threat_level[0]),
            "linkage_level": lambda m: float(s().linkage_level[0]),
            "tehran_pressure": lambda m: float(s().tehran_pressure[0]),
            "collective_stance": lambda m: float(s().collective_stance[0]),
            "caretaker": lambda m: bool(s().caretaker[0]),
            "pm_position": lambda m: float(s().pm_position[0]),
            "pm_changes": lambda m: int(s().pm_changes[0]),
            "negotiations_open": lambda m: bool(s().negotiations_open[0]),
            "request_state": lambda m: outcomes.REQUEST_STATES[int(s().request_state[0])],
            "weeks_left": lambda m: m.weeks_left,
            "sanctions_active": lambda m: bool(s().sanctions_active[0]),
            "government_action": lambda m: m.government.last_action,
            "washington_action": lambda m: m.washington.last_action,
            "tehran_action": lambda m: m.tehran.last_action,
        }
        for j, name in enumerate(self.params.factions.names):
            rep[f"position_{name}"] = lambda m, j=j: float(s().position[0, j])
        return rep

    def trajectory(self):
        """The weekly data as a pandas DataFrame (one row per week, week 0 first)."""
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
