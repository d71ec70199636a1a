"""One role-played game: a student plays the prime minister, Washington or Tehran against
the model, a month (four weekly steps) per turn; the other actors follow the model.

The student's choice is imposed through the model's role-play hook (`State.forced_*_action`,
honoured by the stages of `sim.model.stages`), and everything else, including every
random draw, is the model's own: draws are keyed by (seed, run index, week, purpose), so
the game is played in exactly the random world of run `run_index` (docs/architecture.md).

The rule for a month:
- A lasting action holds every week of the month: the PM's `wait`; Washington's
  `reassure`, `threaten_sanctions` (F22), `link_issues` (F17), `negotiate_retraction`,
  `stay` (F21); all of Tehran's (`restrain`, `press_factions` F16, `escalate` F12).
- A one-shot action is taken once, in the month's first week: the PM's `ask_negotiations`
  (F5), `formal_request` (F4, F10) and `withdraw_request` (the PM then waits for the rest
  of the month); Washington's `offer_drawdown` (F19) and `withdraw_on_schedule` (F4) (the
  model then decides Washington's other weeks).
- A choice that closes during the month (Baghdad's formal request ends Washington's
  pre-request options, F4) is dropped; the model decides the weeks that remain.
- A player acts whatever the institutions allow: the PM's choice is not held back by
  caretaker deference or protests (F13, F14, F15), as the stages define it.
- With a single option open (for example the PM after the request's outcome is fixed, or
  Washington once its troops are leaving), the month passes without a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..abm.model import NegotiationModel
from ..model import actors
from ..model.actions import GovernmentAction, WashingtonAction
from ..model.choice import logit_probabilities

#: role name -> the actor of the registry a player takes on
ROLES = {role: actor.name for role, actor in actors.ROLES.items()}
ROLE_TITLES = {role: actor.title for role, actor in actors.ROLES.items()}
WEEKS_PER_TURN = 4
#: each actor's actions taken once, in a month's first week (its other actions last all month);
#: keyed by actor because IntEnum members of different action sets compare equal by code
ONE_SHOT = {
    "government": {GovernmentAction.ASK_NEGOTIATIONS, GovernmentAction.FORMAL_REQUEST,
                   GovernmentAction.WITHDRAW_REQUEST},
    "washington": {WashingtonAction.OFFER_DRAWDOWN, WashingtonAction.WITHDRAW_ON_SCHEDULE},
    "tehran": set(),
}


@dataclass(frozen=True)
class Option:
    index: int            # the action's code in the model
    name: str
    payoff: float         # the model's expected payoff for the actor this week
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
        self.turn = 0
        self.choices: list[tuple[int, str]] = []  # (first week of the month, action or "model")

    @property
    def over(self) -> bool:
        return not self.model.running

    def options(self) -> list[Option]:
        """The actor's open options for the coming week, with the model's payoffs."""
        m = self.model
        names, u, avail = actors.actor_options(m.state, m.params, self.actor, m.week + 1)
        chance = logit_probabilities(u, m.params.behaviour.rationality, avail)[0]
        return [Option(i, names[i], float(u[0, i]), float(chance[i])) for i in range(len(names)) if avail[0, i]]

    def can_decide(self) -> bool:
        """Whether the actor has a choice to make this month."""
        s = self.model.state
        if self.actor == "washington" and (bool(s.us_withdrawing[0]) or float(s.troops[0]) <= 0.0):
            return False  # the stages give Washington no decision once its troops are leaving
        return len(self.options()) > 1

    def _forced_for_week(self, action: int | None, k: int) -> int:
        if action is None:
            return -1
        if self.spec.actions(action) in ONE_SHOT[self.actor] and k > 0:
            return GovernmentAction.WAIT if self.actor == "government" else -1
        return action

    def play_month(self, action: int | None) -> list[dict]:
        """Step up to four weeks with `action` imposed by the month's rule (None: the model
        decides); return the events of the month."""
        m = self.model
        first = len(m.event_log)
        self.turn += 1
        self.choices.append((m.week + 1, self.spec.action_names[action] if action is not None else "model"))
        forced = getattr(m.state, self.spec.forced_field)
        for k in range(WEEKS_PER_TURN):
            if not m.running:
                break
            forced[0] = self._forced_for_week(action, k)
            try:
                m.step()
            finally:
                forced[0] = -1
        return m.event_log[first:]

