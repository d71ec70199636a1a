"""Mesa agents, one class per actor of the registry (`sim.model.actors.ACTORS`). An agent
holds its identity; its dynamic attributes are its own entries of the model's `State` (a run
axis of length 1), which it exposes as attributes (`agent.caretaker`, `agent.tehran_pressure`),
so the batch engine, which runs the same stage kernels over many runs, reproduces a Mesa run
exactly. An agent's `step` is its decision for the step; what it sees and how it decides are
its actor module's kernels."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from ..model import views
from ..model.actors import ACTORS, Actor
from ..model.stages import STAGE_BY_NAME, run_member, run_stage


class ActorAgent(mesa.Agent):
    """An actor of the registry that decides alone (the government, Washington, Tehran, and any
    actor added beside them), as a Mesa agent."""

    actor: Actor

    def __getattr__(self, name: str) -> Any:
        # the actor's own state fields, as plain values of the model's one run
        if name in {f.name for f in type(self).actor.fields}:
            value = getattr(self.model.state, name)[0]
            return value.item() if isinstance(value, np.generic) else value
        raise AttributeError(name)

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def last_action(self) -> str | None:
        """The printed name of its standing posture or last move (None before its first one)."""
        return self.actor.action_name(int(getattr(self.model.state, self.actor.action_field)[0]))

    def options(self) -> tuple[np.ndarray, np.ndarray]:
        """The value of each action now and which are open, each of shape (A,)."""
        m = self.model
        u, avail = views.view(self.actor.name, m.state, m.params, m.step_index)
        return u[0], avail[0]

    def payoffs(self) -> np.ndarray:
        return self.options()[0]

    def step(self) -> None:
        m = self.model
        run_stage(STAGE_BY_NAME[self.actor.name], m.state, m.params, m.step_index, m.run_keys, m.pending_events,
                  step_keys=m.step_keys)


class FactionAgent(mesa.Agent):
    """A bloc in the Council of Representatives (F12, F14, F16, F18): seats, a position on
    the withdrawal axis and a salience; at its revisions it states a position by logit choice over
    its values (`sim.model.actors.factions`)."""

    actor = ACTORS["factions"]

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        fa = model.params.factions
        self.index = index
        self.name = fa.names[index]
        self.label = fa.labels[index]
        self.seats = float(fa.seats[..., index])
        self.ideal_position = float(fa.ideal_position[..., index])
        self.can_boycott = bool(fa.can_boycott[index])

    @property
    def position(self) -> float:
        return float(self.model.state.position[0, self.index])

    @property
    def salience(self) -> float:
        return float(self.model.state.salience[0, self.index])

    def payoffs(self) -> np.ndarray:
        """The value now of each stance on `sim.model.actors.factions.POSITION_GRID`."""
        return views.faction_values(self.model.state, self.model.params, self.index)[0]

    def step(self) -> None:
        m = self.model
        run_member(STAGE_BY_NAME["factions"], m.state, m.params, m.step_index, m.run_keys, self.index,
                   m.pending_events, step_keys=m.step_keys)


def _agent_class(actor: Actor) -> type[mesa.Agent]:
    if not actor.decides_alone:
        return FactionAgent
    name = "".join(part.capitalize() for part in actor.name.split("_")) + "Agent"
    cls = type(name, (ActorAgent,), {"actor": actor, "__doc__": f"{actor.title}: {actor.facts}",
                                     "__module__": __name__})
    globals()[name] = cls  # importable by name, so a model pickles
    return cls


#: the agent class of each actor of the registry
AGENT_CLASSES: dict[str, type[mesa.Agent]] = {name: _agent_class(a) for name, a in ACTORS.items()}
