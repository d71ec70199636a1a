"""The Mesa model of one negotiation: agents for every actor, the world's state, the
configured order of stages, the event log and the data collected each step."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from functools import partial
from operator import attrgetter

import mesa
import numpy as np
import pandas as pd

from ..model import draws, outcomes, reasons, views
from ..model.actors import ACTORS
from ..model.choice import logit_probabilities
from ..model.outcomes import RequestState
from ..model.params import ModelParams
from ..model.stages import Stage, compiled_step, run_stage, run_then, stepper
from ..model.state import FIELDS, initial_state, summary_columns, summary_row
from ..model.week import finish, run_week, running_of
from . import story
from .agents import AGENT_CLASSES, ActorAgent, FactionAgent

# Mesa logs a line per step at INFO; under Hydra's logging that costs about a quarter of run
# time. This is the one place it is silenced: every use of Mesa goes through this module.
logging.getLogger("MESA").setLevel(logging.WARNING)


class NegotiationModel(mesa.Model):
    """One run of the 2020 withdrawal negotiation.

    `params` are the model's numbers (`sim.config.run_params(...)`, or
    `NegotiationModel.from_scenario(...)`). `run_index` picks the run's random stream under
    the root seed: run i of a sweep with the same root seed draws exactly the same numbers.
    `record=False` skips the event texts and the data of each step (sweeps need only the summary).

    A step (a week by default; `params.step_days`) is `sim.model.week.run_week` with the agents taking their own stages: the
    factions' `AgentSet` steps each faction, then the collective stance is formed; the
    government, Washington and Tehran agents take their decisions; the world's stages run on
    the model's state. Stage order: `params.step_order` (default: world, tehran, factions,
    parliament, government, washington, consequences). The step is Mesa's step counter.
    With `record=False` nothing is told or collected, and the step is one compiled call
    (`sim.model.stages.run_step`) of the same stage kernels the agents' steps call, in the
    same order: the same numbers, without a Python call per agent and stage.
    """

    def __init__(self, params: ModelParams, *, run_index: int = 0, record: bool = True):
        super().__init__(rng=params.seed)  # Mesa's own generators are seeded but never drawn from
        self.params = params
        self.config = None  # the RunConfig the params came from, where known (title, description)
        self.scenario_name = params.scenario_name
        self.run_index = int(run_index)
        self.run_keys = draws.run_key(params.seed, [self.run_index])  # the run's random stream
        self.record = record
        self.state = initial_state(params, 1)
        self.pending_events: list | None = None
        self.event_log: list[dict] = []
        self.decisions: list[dict] = []  # every revision of every actor: its values, open actions, choice
        # why actors moved, and the moves the PM weighed and declined (`sim.model.reasons`), for the story
        self.reasons: list[dict] = []
        self._last_step = 0

        FactionAgent.create_agents(self, params.factions.size, list(range(params.factions.size)))
        self.factions = self.agents_by_type[FactionAgent]
        self.actors: dict[str, ActorAgent] = {
            name: cls(self) for name, cls in AGENT_CLASSES.items() if issubclass(cls, ActorAgent)
        }
        if record:
            views.warm(self.state, params)
            for date, text in story.opening(params.case):
                self.event_log.append({"week": 0, "day": 0, "date": date, "kind": "context", "text": text})
            self.datacollector = mesa.DataCollector(
                model_reporters=self._reporters(),
                agenttype_reporters={FactionAgent: {"position": attrgetter("position")}},  # picklable
            )
            self.datacollector.collect(self)

    @classmethod
    def from_scenario(cls, scenario: str = "baseline", seed: int | None = 0, overrides: Sequence[str] = (), *,
                      run_index: int = 0, record: bool = True) -> "NegotiationModel":
        """The model of a scenario of configs/scenario/ with a root seed and Hydra overrides
        (`["scenario.sanctions.credibility=0.9"]`), validated as on the command line."""
        from ..config import model_params, run_config

        cfg = run_config(scenario, seed, overrides)
        model = cls(model_params(cfg), run_index=run_index, record=record)
        model.config = cfg
        return model

    def __getattr__(self, name: str):
        # each actor's agent by the actor's name: model.government, model.washington, ...
        actors = self.__dict__.get("actors") or {}
        if name in actors:
            return actors[name]
        raise AttributeError(name)

    @property
    def step_index(self) -> int:
        """The current step: Mesa's step counter while the run goes on, its last step after."""
        return self.steps if self.running else self._last_step

    @property
    def step_keys(self) -> np.ndarray:
        """The run's key for the current step (`draws.step_keys`), computed once a step for
        the stages its agents run one at a time."""
        step, run_keys, cached = self.__dict__.get("_step_keys_of", (None, None, None))
        if cached is None or step != self.step_index or run_keys is not self.run_keys:
            cached = draws.step_keys(self.run_keys, self.step_index)
            self._step_keys_of = (self.step_index, self.run_keys, cached)
        return cached

    @property
    def day(self) -> int:
        """Days since the start date (6 January 2020) at the end of the current step."""
        return self.params.day(self.step_index)

    @property
    def week(self) -> int:
        """Calendar weeks since the start date (day // 7), whatever the step length."""
        return self.day // 7

    @property
    def start_date(self) -> dt.date:
        return self.params.start_date

    @property
    def step_days(self) -> int:
        return self.params.step_days

    @property
    def date(self) -> dt.date:
        """The calendar date at the end of the current step."""
        return self.params.date_of_day(self.day)

    def date_of_day(self, day: int) -> dt.date:
        """The calendar date of a day since the start date."""
        return self.params.date_of_day(day)

    # ------------------------------------------------------------------ stepping
    def _perform(self, stage: Stage) -> None:
        """Run one stage of the step through the agents whose decision it is; when recording,
        explain the decision of an actor whose values have named terms from the state it saw."""
        watch = self.record and stage.actor in reasons.EXPLAINED
        if watch:
            before, first = self.state.take(np.array([0])), len(self.pending_events)
        self._run_stage(stage)
        if watch:
            for kind, mask, data in self.pending_events[first:]:
                if kind == "decision" and mask[0] and data["actor"] == stage.actor:
                    self._explain(stage.actor, before, data)

    def _explain(self, actor: str, before, data: dict) -> None:
        """Record why `actor` changed course (the terms of its new course against its old
        one), or, for an actor whose status quo is waiting (the PM) that reconsidered and
        waited, the move it weighed and declined: its best open move, with its value, the
        model's chance of making it and its terms."""
        spec, step = ACTORS[actor], self.steps
        chosen = int(data["chosen"][0])
        old = int(getattr(before, spec.posture_field)[0]) if spec.posture_field else 0
        day = self.params.day(step)
        entry = {"day": day, "date": self.params.date_of_day(day).isoformat(), "actor": actor}
        if chosen != old:
            terms = reasons.change_terms(actor, before, self.params, step, chosen, old)
            closed = old >= 0 and not bool(data["open"][0][old])  # its old course was no longer open
            self.reasons.append({**entry, "kind": "change", "action": spec.action_names[chosen],
                                 "old": spec.action_name(old), "closed": closed, "terms": terms})
        elif spec.posture_field is None:
            values, avail = data["values"][0], data["open"][0].copy()
            avail[0] = False
            if avail.any():
                best = int(np.argmax(np.where(avail, values, -np.inf)))
                chance = logit_probabilities(data["values"][:1], views.rationality(actor, self.params)[:1],
                                             data["open"][:1])[0, best]
                terms = reasons.change_terms(actor, before, self.params, step, best, old)
                self.reasons.append({**entry, "kind": "declined", "action": spec.action_names[best],
                                     "value": float(values[best]), "chance": float(chance), "terms": terms})

    def _run_stage(self, stage: Stage) -> None:
        if stage.actor is None:
            run_stage(stage, self.state, self.params, self.step_index, self.run_keys, self.pending_events,
                      step_keys=self.step_keys)
        elif stage.has_members:  # an actor with several members: each steps, then what follows
            self.agents_by_type[AGENT_CLASSES[stage.actor]].do("step")
            run_then(stage, self.state, self.params, self.step_index, self.run_keys, self.pending_events)
        else:
            self.actors[stage.actor].step()

    def step(self) -> None:
        if not self.running:
            return
        step = self.steps
        self.pending_events = [] if self.record else None
        if self.record:
            run_week(self.state, self.params, step, self.run_keys, self.pending_events, perform=self._perform)
        elif compiled_step(self.params):  # nothing to tell: one compiled call of the same stage kernels
            fast = self.__dict__.get("_stepper")
            if fast is None or fast[0] is not self.state or fast[1] is not self.params:
                fast = self._stepper = (self.state, self.params, stepper(self.state, self.params, self.run_keys))
            fast[2](step)
        else:
            run_week(self.state, self.params, step, self.run_keys)
        if self.record:
            day = self.params.day(step)
            date = self.params.date_of_day(day).isoformat()
            for kind, mask, data in self.pending_events:
                if mask[0] and kind in story.TEMPLATES:
                    text = story.describe(kind, data, 0, self.params.date_of_day, self.params.case)
                    self.event_log.append({"week": day // 7, "day": day, "date": date, "kind": kind, "text": text})
                elif mask[0] and kind == "decision":
                    self.decisions.append({"day": day, "date": date, **{k: (v[0] if k != "actor" else v)
                                                                        for k, v in data.items()}})
        self._last_step = step
        s = self.state
        # the kernel's own Python function: one run's check costs less than a compiled call
        if not running_of.py_func(self.params.day(step), self.params.horizon_days, int(s.request_state[0]),
                                  int(s.outcome[0])):
            finish(self.state)
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
    def days_left(self) -> int | None:
        """Days left on the one-year clock while a formal request stands and its outcome is
        open (F4); None otherwise (no request, taken back, or decided)."""
        d = int(self.state.deadline_day[0])
        if d < 0 or self.state.request_state[0] != RequestState.ACTIVE or self.state.outcome[0] != outcomes.UNDECIDED:
            return None
        return d - self.day

    def summary(self) -> dict:
        """The fields of summary.json (the same numbers the batch engine gives this run)."""
        cols = summary_columns(self.state, [self.day])
        return summary_row(cols, 0, seed=self.params.seed, scenario=self.scenario_name, run_index=self.run_index)

    def _reporters(self) -> dict:
        """Columns of the trajectory, one value per step. Module-level functions (partials), so a model pickles."""
        rep = {"step": _step, "day": _day, "week": _week, "date": _date}
        for name, kind in _STATE_COLUMNS.items():
            rep[name] = partial(_state_value, name, kind)
        rep["request_state"] = _request_state
        rep["days_left"] = _days_left
        for name, actor in ACTORS.items():
            if actor.posture_field and actor.posture_field != actor.action_field:
                rep[actor.posture_field] = partial(_posture, name)
        for name in self.actors:
            rep[f"{name}_action"] = partial(_last_action, name)
        return rep

    def trajectory(self) -> pd.DataFrame:
        """The data of every step as a pandas DataFrame (one row per step, step 0 first), with
        each faction's position (an agent reporter) as a column `position_<faction>`."""
        steps = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        positions = self.datacollector.get_agenttype_vars_dataframe(FactionAgent)["position"].unstack("AgentID")
        names = {agent.unique_id: f"position_{agent.name}" for agent in self.factions}
        positions = positions[[agent.unique_id for agent in self.factions]].rename(columns=names)
        positions.columns.name = None
        return pd.concat([steps, positions.reset_index(drop=True)], axis=1)


# ---------------------------------------------------------------------- trajectory reporters
#: the state's fields recorded in the trajectory, one value per step (declared with the field)
_STATE_COLUMNS = {f.name: {np.float64: float, np.bool_: bool, np.int64: int, np.int8: int}[f.dtype]
                  for f in FIELDS if f.trajectory}


def _step(m: NegotiationModel) -> int:
    return m.step_index


def _day(m: NegotiationModel) -> int:
    return m.day


def _week(m: NegotiationModel) -> int:
    return m.week


def _date(m: NegotiationModel) -> str:
    return m.date.isoformat()


def _state_value(name: str, kind: type, m: NegotiationModel) -> object:
    return kind(getattr(m.state, name)[0])


def _request_state(m: NegotiationModel) -> str:
    return outcomes.REQUEST_STATES[int(m.state.request_state[0])]


def _days_left(m: NegotiationModel) -> int | None:
    return m.days_left


def _posture(actor: str, m: NegotiationModel) -> str | None:
    spec = ACTORS[actor]
    assert spec.posture_field is not None
    return spec.action_name(int(getattr(m.state, spec.posture_field)[0]))


def _last_action(actor: str, m: NegotiationModel) -> str | None:
    return m.actors[actor].last_action
