"""Mesa agents. Each holds its identity and static attributes; its dynamic attributes are
its own entries of the model's `State` (a run axis of length 1), so the batch engine, which
runs the same stage functions over many runs, reproduces a Mesa run exactly. An agent's
`step` is its decision for the step; what it sees and how it decides are the pure
functions of `sim.model` named by its record in the actor registry (`sim.model.actors`)."""

from __future__ import annotations

import mesa
import numpy as np

from ..model import views
from ..model.actors import ACTORS, Actor


class ActorAgent(mesa.Agent):
    """An actor of the registry as a Mesa agent: the government, Washington or Tehran.
    Subclasses only name their registry record."""

    actor: Actor

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def last_action(self) -> str | None:
        """The printed name of its standing posture or last move (None before its first one)."""
        assert self.actor.action_field is not None
        return self.actor.action_name(int(getattr(self.model.state, self.actor.action_field)[0]))

    def options(self) -> tuple[np.ndarray, np.ndarray]:
        """The value of each action now and which are open, each of shape (A,)."""
        m = self.model
        u, avail = self.actor.view(m.state, m.params, m.step_index)
        return u[0], avail[0]

    def payoffs(self) -> np.ndarray:
        return self.options()[0]

    def step(self) -> None:
        m = self.model
        self.actor.decision_stage.run(m.state, m.params, m.step_index, m.run_keys, m.pending_events)


class GovernmentAgent(ActorAgent):
    """The prime minister (F5, F10, F11, F13, F15): the only actor who can make a formal
    request. Starts as caretaker; government formation can replace the PM."""

    actor = ACTORS["government"]

    @property
    def caretaker(self) -> bool:
        return bool(self.model.state.caretaker[0])

    @property
    def pm_position(self) -> float:
        return float(self.model.state.pm_position[0])

    @property
    def majority(self) -> bool:
        return bool(self.model.state.pm_majority[0])


class WashingtonAgent(ActorAgent):
    """The US administration (F7, F8, F17, F20, F21, F22)."""

    actor = ACTORS["washington"]


class TehranAgent(ActorAgent):
    """The Iranian leadership (F7, F12, F16, F23, F24)."""

    actor = ACTORS["tehran"]


class FactionAgent(mesa.Agent):
    """A bloc in the Council of Representatives (F12, F14, F16, F18): seats, a position on
    the withdrawal axis and a salience; at its revisions it states a position by logit choice over
    its values (`sim.model.views.faction_values`)."""

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
        """The value now of each stance on `sim.model.actions.POSITION_GRID`."""
        return views.faction_values(self.model.state, self.model.params, self.index)[0]

    def step(self) -> None:
        m = self.model
        stage = self.actor.decision_stage
        assert stage.each is not None
        stage.each(m.state, m.params, m.step_index, m.run_keys, self.index, m.pending_events)


#: the agent class of each actor of the registry
AGENT_CLASSES: dict[str, type[mesa.Agent]] = {
    "factions": FactionAgent, "government": GovernmentAgent, "washington": WashingtonAgent, "tehran": TehranAgent,
}
