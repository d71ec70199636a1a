"""One role-played game: one or more players take on the prime minister, Washington and
Tehran (one player per role, hot-seat in a terminal or each in their own browser); the
model plays every other actor, and never a player's.

Each player's actor is marked as a player's (`State.human_*`): the model never revises it,
so its posture stands until its player changes it, and a move (the PM's formal request,
Washington's offer, an answer to a proposal) is made only when its player makes it. A
turn is `days_per_turn` calendar days (a month, 28 days, by default); the players' choices
are imposed through the role-play hook (`State.forced_*_action`) in the turn's first step;
everything else, including every random draw, is the model's own: draws are keyed by
(seed, run index, step, purpose), so the game is played in exactly the random world of run
`run_index` (docs/architecture.md), and the model's own play of that world is the fair
comparison (`compare`).

- Keeping one's course (choice None) changes nothing; choosing the standing posture (or
  `wait`) is the same.
- A player acts whatever the institutions allow: the PM's choice is not held back by
  caretaker deference or protests (F13, F14, F15).
- A player has a choice to make when more than one option is open, or when its standing
  posture is no longer open (after a formal request Washington's earlier postures close).
- The game stops at the step in which the outcome is decided; the players may then play on
  to the run's end (`play_on`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..abm import story
from ..abm.model import NegotiationModel
from ..model import actors, views
from ..model.choice import logit_probabilities

#: role name -> the actor of the registry a player takes on
ROLES = {role: actor.name for role, actor in actors.ROLES.items()}
ROLE_TITLES = {role: actor.title for role, actor in actors.ROLES.items()}
#: a turn is a month of calendar time, by default
DAYS_PER_TURN = 28


@dataclass(frozen=True)
class Option:
    index: int            # the action's code in the model
    name: str
    payoff: float         # the model's value of the action for the actor now (weeks of payoff)
    model_chance: float   # the chance the model's own actor would choose it (logit choice)


@dataclass
class Turn:
    """One turn's record: when it started, each player's choice (an action name, or "keep")
    and memo, and the story's entries of the turn."""

    number: int
    date: str
    week: int
    choices: dict[str, str] = field(default_factory=dict)
    memos: dict[str, str] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)


def parse_roles(text: str | Iterable[str]) -> tuple[str, ...]:
    """Roles from "pm,washington" or a list of such strings: unique, in the registry's order.
    Raises ValueError naming an unknown role and the allowed ones."""
    items = [text] if isinstance(text, str) else list(text)
    wanted = [r.strip() for item in items for r in item.split(",") if r.strip()]
    for r in wanted:
        if r not in ROLES:
            raise ValueError(f"role {r!r} is not one of {', '.join(ROLES)}")
    if not wanted:
        raise ValueError(f"no role given; choose from {', '.join(ROLES)}")
    return tuple(r for r in ROLES if r in wanted)


class Game:
    def __init__(self, roles: str | Sequence[str], scenario: str = "baseline", seed: int = 0, run_index: int = 0,
                 overrides: Sequence[str] = (), days_per_turn: int = DAYS_PER_TURN):
        self.roles = parse_roles(roles)
        self.scenario = scenario
        self.seed = int(seed)
        self.run_index = int(run_index)
        self.overrides = tuple(overrides)
        self.days_per_turn = int(days_per_turn)
        if self.days_per_turn < 1:
            raise ValueError(f"days_per_turn = {days_per_turn} is not allowed: a whole number of days >= 1")
        self.model = NegotiationModel.from_scenario(scenario, self.seed, self.overrides, run_index=self.run_index,
                                                    record=True)
        for role in self.roles:
            getattr(self.model.state, self.spec(role).human_field)[0] = True
        self.turns: list[Turn] = []
        self.playing_on = False

    # ------------------------------------------------------------------ compatibility: one role
    @property
    def role(self) -> str:
        return self.roles[0]

    @property
    def actor(self) -> str:
        return ROLES[self.roles[0]]

    @staticmethod
    def spec(role: str) -> actors.Actor:
        return actors.ACTORS[ROLES[role]]

    # ------------------------------------------------------------------ reading
    @property
    def decided(self) -> bool:
        """Whether the run's outcome is fixed (or the run is over)."""
        return int(self.model.state.outcome[0]) >= 0 or not self.model.running

    @property
    def outcome(self) -> str | None:
        return self.model.outcome

    @property
    def over(self) -> bool:
        """The run has ended, or its outcome is decided and the players did not choose to play on."""
        return not self.model.running or (int(self.model.state.outcome[0]) >= 0 and not self.playing_on)

    def play_on(self) -> None:
        """Keep playing after the outcome is decided, to the run's end."""
        self.playing_on = True

    def options(self, role: str | None = None) -> list[Option]:
        """A role's open options now, with the model's values and the chance the model's own
        actor would choose each at a revision (logit choice)."""
        role = role or self.role
        m = self.model
        actor = ROLES[role]
        names = actors.ACTORS[actor].action_names
        u, avail = views.view(actor, m.state, m.params, m.step_index + 1)
        section = getattr(m.params, actor)
        own = getattr(section, "rationality", None)
        lam = own if own is not None else m.params.behaviour.rationality
        chance = logit_probabilities(u, lam, avail)[0]
        return [Option(i, names[i], float(u[0, i]), float(chance[i])) for i in range(len(names)) if avail[0, i]]

    def standing(self, role: str) -> int:
        """The code of a role's standing posture (Washington, Tehran) or -1 (the PM, none yet)."""
        field = actors.ACTORS[ROLES[role]].posture_field
        return int(getattr(self.model.state, field)[0]) if field else -1

    def needs_choice(self, role: str) -> bool:
        """Whether a role has a choice to make this turn: more than one option open, or its
        standing posture no longer open."""
        opts = self.options(role)
        if not opts:
            return False
        posture = self.standing(role)
        closed = posture >= 0 and posture not in {o.index for o in opts}
        return len(opts) > 1 or closed

    def can_decide(self) -> bool:
        return self.needs_choice(self.role)

    def clock(self) -> str:
        """The one-year clock (F4) in words, right before, during and after the year."""
        return story.clock_text(self.model)

    def week_line(self) -> str:
        """Where the game is in the run's calendar, right also past the three-year horizon."""
        m = self.model
        horizon = m.params.horizon_days // 7
        if m.week <= horizon:
            return f"week {m.week} of {horizon}"
        return f"week {m.week} (past the {horizon}-week horizon: a request's year is still running)"

    # ------------------------------------------------------------------ playing
    def play_turn(self, choices: dict[str, int | None] | None = None, memos: dict[str, str] | None = None) -> list[dict]:
        """Step through a turn with each player's choice imposed in its first step (None or
        missing: the player keeps its course); stop early when the outcome is decided (unless
        playing on). Returns the story's entries of the turn."""
        choices = dict(choices or {})
        for role in choices:
            if role not in self.roles:
                raise ValueError(f"role {role!r} is not a player's in this game ({', '.join(self.roles)})")
        m = self.model
        start_day = m.day
        turn = Turn(len(self.turns) + 1, m.date.isoformat(), m.week)
        for role in self.roles:
            a = choices.get(role)
            if a is not None and (a == self.standing(role) or (ROLES[role] == "government" and a == 0)):
                a = choices[role] = None  # the standing posture, or waiting: the course is kept
            turn.choices[role] = self.spec(role).action_names[a] if a is not None else "keep"
            memo = (memos or {}).get(role, "").strip().replace("\n", " ")
            if memo:
                turn.memos[role] = memo[:200]
        steps = max(1, round(self.days_per_turn / m.params.step_days))
        decided_before = int(m.state.outcome[0]) >= 0
        fields = [getattr(m.state, self.spec(r).forced_field) for r in self.roles]
        for k in range(steps):
            if not m.running:
                break
            for role, forced in zip(self.roles, fields):
                a = choices.get(role)
                forced[0] = a if (a is not None and k == 0) else -1
            try:
                m.step()
            finally:
                for forced in fields:
                    forced[0] = -1
            if not decided_before and not self.playing_on and int(m.state.outcome[0]) >= 0:
                break
        turn.events = [e for e in story.chronicle(m) if e["kind"] != "context" and e["day"] > start_day]
        self.turns.append(turn)
        return turn.events

    def play_month(self, action: int | None) -> list[dict]:
        """One turn of a one-player game (the first role's choice)."""
        return self.play_turn({self.role: action})

    @property
    def turn(self) -> int:
        return len(self.turns)
