"""One role-played game: a student plays the prime minister, Washington or Tehran against
the model, a month per turn; the other actors follow the model.

The student's actor is marked as a player's (`State.human_*`): the model never revises it,
so its posture stands until the student changes it, and a move (the PM's formal request,
Washington's offer) is made only when the student makes it. The student's choice is
imposed through the role-play hook (`State.forced_*_action`) in the month's first step;
everything else, including every random draw, is the model's own: draws are keyed by
(seed, run index, step, purpose), so the game is played in exactly the random world of run
`run_index` (docs/architecture.md).

- Choosing the standing posture (Washington, Tehran) or `wait` (the PM) changes nothing.
- A player acts whatever the institutions allow: the PM's choice is not held back by
  caretaker deference or protests (F13, F14, F15).
- With a single option open (for example the PM after the request's outcome is fixed, or
  Washington once its troops are leaving), the month passes without a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..abm.model import NegotiationModel
from ..model import actors
from ..model.choice import logit_probabilities

#: role name -> the actor of the registry a player takes on
ROLES = {role: actor.name for role, actor in actors.ROLES.items()}
ROLE_TITLES = {role: actor.title for role, actor in actors.ROLES.items()}
#: a turn is a month of calendar time
DAYS_PER_TURN = 28


@dataclass(frozen=True)
class Option:
    index: int            # the action's code in the model
    name: str
    payoff: float         # the model's value of the action for the actor now (weeks of payoff)
    model_chance: float   # the chance the model's own actor would choose it (logit choice)


class Game:
    def __init__(self, role: str, scenario: str = "baseline", seed: int = 0, run_index: int = 0):
        if role not in ROLES:
            raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
        self.role = role
        self.actor = ROLES[role]
        self.scenario = scenario
        self.seed = int(seed)
        self.run_index = int(run_index)
        self.spec = actors.ACTORS[self.actor]
        self.model = NegotiationModel.from_scenario(scenario, self.seed, run_index=self.run_index, record=True)
        getattr(self.model.state, self.spec.human_field)[0] = True
        self.turn = 0
        self.choices: list[tuple[int, str]] = []  # (first week of the month, action or "model")

    @property
    def over(self) -> bool:
        return not self.model.running

    def options(self) -> list[Option]:
        """The actor's open options now, with the model's values and the chance the model's
        own actor would choose each at a revision (logit choice)."""
        m = self.model
        names, u, avail = actors.actor_options(m.state, m.params, self.actor, m.step_index + 1)
        section = getattr(m.params, self.actor)
        lam = section.rationality if getattr(section, "rationality", None) is not None else m.params.behaviour.rationality
        chance = logit_probabilities(u, lam, avail)[0]
        return [Option(i, names[i], float(u[0, i]), float(chance[i])) for i in range(len(names)) if avail[0, i]]

    def can_decide(self) -> bool:
        """Whether the actor has a choice to make this month."""
        return len(self.options()) > 1

    def play_month(self, action: int | None) -> list[dict]:
        """Step through a month with `action` imposed in its first step (None: no move, the
        standing posture holds); return the events of the month."""
        m = self.model
        first = len(m.event_log)
        self.turn += 1
        self.choices.append((m.week + 1, self.spec.action_names[action] if action is not None else "keep"))
        forced = getattr(m.state, self.spec.forced_field)
        steps = max(1, round(DAYS_PER_TURN / m.params.step_days))
        for k in range(steps):
            if not m.running:
                break
            forced[0] = action if (action is not None and k == 0) else -1
            try:
                m.step()
            finally:
                forced[0] = -1
        return m.event_log[first:]
