"""Mesa agents. Each holds its identity and static attributes; its dynamic attributes are
its own entries of the model's `State` (a run axis of length 1), so the batch engine, which
runs the same stage functions over many runs, reproduces a Mesa run exactly. An agent's
`step` is its decision for the week; the payoffs, choice rule and transitions it uses are
the pure functions of `sim.model`."""

from __future__ import annotations

import mesa

from ..model import payoffs, stages


class FactionAgent(mesa.Agent):
    """A bloc in the Council of Representatives (F12, F14, F16, F18): seats, a position on
    the withdrawal axis and a salience; each week it states a position by logit choice over
    `payoffs.faction_payoffs`."""

    def __init__(self, model, index: int):
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

    def payoffs(self):
        """This week's payoff of each position on `payoffs.POSITION_GRID`."""
        return stages.faction_payoffs_now(self.model.state, self.model.params, self.index)[0]

    def step(self) -> None:
        m = self.model
        stages.faction_step(m.state, m.params, m.week, m.run_keys, self.index, m.pending_events)


class GovernmentAgent(mesa.Agent):
    """The prime minister (F5, F10, F11, F13, F15): the only actor who can make a formal
    request. Starts as caretaker; government formation can replace the PM."""

    name = "government"

    @property
    def caretaker(self) -> bool:
        return bool(self.model.state.caretaker[0])

    @property
    def pm_position(self) -> float:
        return float(self.model.state.pm_position[0])

    @property
    def majority(self) -> bool:
        return bool(self.model.state.pm_majority[0])

    @property
    def last_action(self) -> str | None:
        a = int(self.model.state.government_action[0])
        return payoffs.GOVERNMENT_ACTIONS[a] if a >= 0 else None

    def payoffs(self):
        return stages.government_payoffs_now(self.model.state, self.model.params)[0]

    def step(self) -> None:
        m = self.model
        stages.stage_government(m.state, m.params, m.week, m.run_keys, m.pending_events)


class WashingtonAgent(mesa.Agent):
    """The US administration (F7, F8, F17, F20, F21, F22)."""

    name = "washington"

    @property
    def last_action(self) -> str | None:
        a = int(self.model.state.washington_action[0])
        return payoffs.WASHINGTON_ACTIONS[a] if a >= 0 else None

    def step(self) -> None:
        m = self.model
        stages.stage_washington(m.state, m.params, m.week, m.run_keys, m.pending_events)


class TehranAgent(mesa.Agent):
    """The Iranian leadership (F7, F12, F16, F23, F24)."""

    name = "tehran"

    @property
    def last_action(self) -> str | None:
        a = int(self.model.state.tehran_action[0])
        return payoffs.TEHRAN_ACTIONS[a] if a >= 0 else None

    def payoffs(self):
        return stages.tehran_payoffs_now(self.model.state, self.model.params)[0]

    def step(self) -> None:
        m = self.model
        stages.stage_tehran(m.state, m.params, m.week, m.run_keys, m.pending_events)
