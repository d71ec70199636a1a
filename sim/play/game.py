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
`run_index` (docs/odd.md, "Randomness"), and the model's own play of that world is the fair
comparison (`compare`).

- Keeping one's course (choice None) changes nothing; choosing the standing posture (or
  `wait`) is the same, and a player's menu (`menu`) shows it once, as keeping one's course.
- Every option carries its plain words (`sim.model.action_texts`): a label, what it does and
  the facts it comes from; a proposal that can be accepted is shown with it (`on_the_table`).
- Each turn records, for each player with a choice, what the model's own actor would most
  likely have chosen there and why (`Advice`, for the debrief), and whether the player's
  move was carried out (a move can close within the step before it is made: Washington's
  pre-request postures once the PM's request comes first).
- `fork(k)` replays the same random world with the players' choices up to turn k and lets
  the model play their actors from there.
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
from ..model import actors, reasons, views
from ..model.action_texts import action_text
from ..model.actors.government import GovernmentAction
from ..model.case import brief as case_brief
from ..model.case import has_rival, render
from ..model.choice import logit_probabilities
from ..model.legal import Proposal
from ..model.outcomes import RequestState

#: role name -> the actor of the registry a player takes on
ROLES = {role: actor.name for role, actor in actors.ROLES.items()}
#: role name -> how texts name it, in Iraq 2020's words (a game's own: `Game.title`)
ROLE_TITLES = {role: actor.title for role, actor in actors.ROLES.items()}
#: a turn is a month of calendar time, by default
DAYS_PER_TURN = 28


@dataclass(frozen=True)
class Option:
    index: int            # the action's code in the model
    name: str
    payoff: float         # the model's value of the action for the actor now (weeks of payoff)
    model_chance: float   # the chance the model's own actor would choose it (logit choice)
    actor: str = ""       # the registry name of the actor whose option it is

    @property
    def text(self):
        """Its plain words (`sim.model.action_texts`): label, does, facts, open_when, kind."""
        return action_text(self.actor, self.name)

    @property
    def label(self) -> str:
        return self.text.label


@dataclass(frozen=True)
class MenuItem:
    """One line of a player's menu: `value` is "keep" (keep one's course) or an action's name."""

    value: str
    label: str
    does: str
    facts: str
    tags: tuple[str, ...]
    payoff: float
    model_chance: float


@dataclass(frozen=True)
class Advice:
    """What the model's own actor would most likely have chosen at a player's decision, and why."""

    role: str
    chosen: str          # the player's choice: an action's name, or "keep"
    model: str           # the model's most likely choice there: an action's name, or "keep"
    model_label: str
    chance: float        # the logit chance of the model's choice
    why: str             # its largest terms against the player's choice, in words
    why_numbers: str     # the same with their values (weeks of payoff)

    @property
    def agrees(self) -> bool:
        return self.chosen == self.model


@dataclass
class Turn:
    """One turn's record: when it started, each player's choice (an action name, or "keep")
    and memo, what the model would have done there, moves that could not be carried out,
    and the story's entries of the turn."""

    number: int
    date: str
    week: int
    day: int = 0
    choices: dict[str, str] = field(default_factory=dict)
    memos: dict[str, str] = field(default_factory=dict)
    advice: dict[str, Advice] = field(default_factory=dict)
    void: dict[str, str] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    steps: int = 0       # model steps the turn took (fewer than a turn's when the outcome was decided)


def case_roles(case: object | None) -> tuple[str, ...]:
    """The roles a player can take in `case` (a CaseConfig; None: Iraq 2020): all but the
    rival's (`tehran`) for a case without a rival."""
    return tuple(r for r in ROLES if r != "tehran" or has_rival(case))


def role_title(role: str, case: object | None) -> str:
    """How texts name a role in `case`'s words (`ROLE_TITLES`, rendered; None: Iraq 2020's)."""
    return render(ROLE_TITLES[role], case)


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
        case = self.model.config.scenario.case
        if case.rival is None and "tehran" in self.roles:
            raise ValueError(f"role 'tehran' is not in scenario {scenario}: {case.country} has no rival (case.rival: "
                             f"null); choose from {', '.join(r for r in ROLES if r != 'tehran')}")
        for role in self.roles:
            getattr(self.model.state, self.spec(role).human_field)[0] = True
        self.turns: list[Turn] = []
        self.playing_on = False

    # ------------------------------------------------------------------ the case's words
    @property
    def case(self):
        """The game's case (`sim.model.case.CaseConfig`): its actors and words."""
        config = self.model.config
        return config.scenario.case if config is not None else getattr(self.model.params, "case", None)

    def words(self, text: str) -> str:
        """`text` (in Iraq 2020's words) in the words of the game's case."""
        return render(text, self.case)

    def title(self, role: str) -> str:
        """How texts name a role in this game's case ("the Iraqi prime minister", "the Kyrgyz president")."""
        return role_title(role, self.case)

    def brief(self, role: str) -> str:
        """A role's brief in this game's case: the case's own, else the actor's in its words."""
        return case_brief(role, actors.ROLES[role].brief, self.case)

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

    def _view(self, role: str):
        """The role's values and open actions now, as the model's own actor sees them."""
        m = self.model
        return views.view(ROLES[role], m.state, m.params, m.step_index + 1)

    def open_names(self, role: str) -> set[str]:
        """The names of the role's actions the model has open now (an acceptance that would
        agree nothing included)."""
        _u, avail = self._view(role)
        names = actors.ACTORS[ROLES[role]].action_names
        return {names[i] for i in range(len(names)) if avail[0, i]}

    def options(self, role: str | None = None) -> list[Option]:
        """A role's open options now, with the model's values and the chance the model's own
        actor would choose each at a revision (logit choice)."""
        role = role or self.role
        m = self.model
        actor = ROLES[role]
        names = actors.ACTORS[actor].action_names
        u, avail = self._view(role)
        section = getattr(m.params, actor)
        own = getattr(section, "rationality", None)
        lam = own if own is not None else m.params.behaviour.rationality
        chance = logit_probabilities(u, lam, avail)[0]
        idle = self._idle_answer(actor)
        return [Option(i, names[i], float(u[0, i]), float(chance[i]), actor) for i in range(len(names))
                if avail[0, i] and names[i] != idle]

    def proposal_size(self) -> float:
        """The size of the proposal waiting (a share of the January 2020 force): Baghdad's
        first request for talks has none yet, and is settled at the drawdown both sides
        could accept now (as the model settles it when Washington answers)."""
        s, m = self.model.state, self.model
        size = float(s.proposal_size[0])
        if size < 0:
            size = float(views.outlook_now(s, m.params, m.step_index + 1)["deal_size"][0])
        return size

    def _idle_answer(self, actor: str) -> str | None:
        """An acceptance that would agree nothing: accepting Baghdad's proposal while no
        drawdown both sides could accept exists (the model turns it down, as any other answer)."""
        s = self.model.state
        if actor == "washington" and int(s.proposal[0]) == Proposal.BAGHDAD_DRAWDOWN and self.proposal_size() <= 0:
            return "accept_proposal"
        return None

    def standing(self, role: str) -> int:
        """The code of a role's standing posture (Washington, Tehran) or -1 (the PM, none yet)."""
        field = actors.ACTORS[ROLES[role]].posture_field
        return int(getattr(self.model.state, field)[0]) if field else -1

    def keeps(self, role: str, option: Option) -> bool:
        """Whether choosing `option` is keeping one's course: the standing posture, or waiting."""
        return option.index == self.standing(role) or (ROLES[role] == "government" and
                                                       option.index == GovernmentAction.WAIT)

    def standing_closed(self, role: str) -> bool:
        """Whether a role's standing posture is no longer open while another posture is (it
        must choose a new course: after a formal request, Washington's earlier postures). A
        posture that goes on with no other posture open (withdrawing on schedule while the
        troops leave) is not closed: keeping it is keeping one's course."""
        posture = self.standing(role)
        opts = self.options(role)
        return (posture >= 0 and posture not in {o.index for o in opts}
                and any(o.text.kind == "posture" for o in opts))

    def needs_choice(self, role: str) -> bool:
        """Whether a role has a choice to make this turn: more than one course in its menu
        (keeping its course counts), or its standing posture closed."""
        return len(self.menu(role)) > 1 or self.standing_closed(role)

    def menu(self, role: str) -> list[MenuItem]:
        """What a player chooses between now, each once: keeping one's course first (the
        standing posture or waiting, when it is open), then the other open options; only
        options that can be taken now."""
        opts = self.options(role)
        best = max(opts, key=lambda o: o.payoff) if opts else None
        items = []
        posture = self.standing(role)
        if posture >= 0 and posture not in {o.index for o in opts} and not self.standing_closed(role):
            t = action_text(ROLES[role], self.spec(role).action_names[posture])
            items.append(MenuItem("keep", self.words(f"Keep your course: {t.label[0].lower() + t.label[1:]}"),
                                  self.words(f"It goes on: no other course is open now. {t.does}"), t.facts,
                                  ("your standing posture",), float("nan"), float("nan")))
        for o in opts:
            t = o.text
            tags = ["a move" if t.kind == "move" else "a posture" if t.kind == "posture" else "no move"]
            if o is best:
                tags.append("highest payoff")
            if self.keeps(role, o):
                standing = ROLES[role] != "government"
                label = (f"Keep your course: {t.label[0].lower() + t.label[1:]}" if standing else t.label)
                items.append(MenuItem("keep", self.words(label), self.words(t.does), t.facts,
                                      ("your standing posture",) if standing else ("keep your course",),
                                      o.payoff, o.model_chance))
            else:
                items.append(MenuItem(o.name, self.words(t.label), self.words(t.does), t.facts, tuple(tags), o.payoff,
                                      o.model_chance))
        return sorted(items, key=lambda i: i.value != "keep")

    def not_open(self, role: str) -> list:
        """The role's actions that cannot be taken now, with when they open (`action_text`)."""
        open_ = {o.index for o in self.options(role)}
        spec = self.spec(role)
        return [action_text(spec.name, n) for i, n in enumerate(spec.action_names)
                if i not in open_ and action_text(spec.name, n).kind != "wait"]

    def on_the_table(self, role: str) -> list[str]:
        """The proposals waiting for this role's answer, in words with their size (F5, F19):
        only while the role can still take it up. Baghdad's request for talks is on the table
        only while no formal request has been made (after one, Washington can no longer accept
        it: the formal request has superseded the talks), an offer of Washington's likewise,
        and a package for taking the request back while the request stands."""
        s, m = self.model.state, self.model
        proposal = int(s.proposal[0])
        actor = ROLES[role]
        answers = {("washington", Proposal.BAGHDAD_DRAWDOWN): "accept_proposal",
                   ("government", Proposal.WASHINGTON_DRAWDOWN): "accept_offer",
                   ("government", Proposal.RETRACTION_PACKAGE): "withdraw_request"}
        answer = answers.get((actor, proposal))
        if answer is None or answer not in self.open_names(role):
            return []
        size = self.proposal_size()
        initial = float(m.params.world.initial_troops)
        troops = f"about {size * initial:,.0f}"
        return [self.words(x) for x in self._on_the_table(actor, proposal, troops, size)]

    @staticmethod
    def _on_the_table(actor: str, proposal: int, troops: str, size: float) -> list[str]:
        if actor == "washington" and proposal == Proposal.BAGHDAD_DRAWDOWN:
            if size <= 0:
                return ["Baghdad has asked for talks on a drawdown (F5), but no drawdown exists now that both sides "
                        "could accept: whatever you choose turns the request down."]
            return [f"Baghdad has asked for talks on a drawdown (F5): accepting agrees to take {troops} troops "
                    "out now; no clock starts."]
        if actor == "government" and proposal == Proposal.WASHINGTON_DRAWDOWN:
            return [f"Washington offers to take {troops} troops out (F19); accepting agrees to it."]
        if actor == "government" and proposal == Proposal.RETRACTION_PACKAGE:
            return [f"Washington's package: {troops} troops out if you take the formal request back (F19)."]
        return []

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

    def turns_left(self) -> tuple[int, int]:
        """(turns to the end of the three-year horizon, turns at most) from now, the turn
        being decided included. A run stops at the horizon unless a formal request stands
        then; one that stands runs on to its deadline (F4), so the most is reached when a
        request is made at the horizon (or stands with its deadline later): its year past
        the horizon, to the end of the step that holds the deadline. The game stops earlier
        when the outcome is decided."""
        m, p = self.model, self.model.params
        s = m.state
        per, step = self.days_per_turn, p.step_days
        to_horizon = -(-max(0, p.horizon_days - m.day) // per)
        if int(s.outcome[0]) >= 0 or not m.running:
            return 0, 0
        state = int(s.request_state[0])
        can_ask = state == RequestState.NONE or (state == RequestState.WITHDRAWN and not p.legal.retraction_final)
        if state == RequestState.ACTIVE:
            last = max(p.horizon_days, int(s.deadline_day[0]))
        elif can_ask and m.day < p.horizon_days:
            last = p.horizon_days + int(round(p.legal.notice_days))
        else:
            last = p.horizon_days
        last = -(-last // step) * step
        return to_horizon, max(to_horizon, -(-max(0, last - m.day) // per))

    # ------------------------------------------------------------------ playing
    @property
    def turn_number(self) -> int:
        """The number of the turn being decided now (1 before the first)."""
        return len(self.turns) + 1

    def advice(self, role: str, chosen: int | None) -> Advice | None:
        """What the model's own actor would most likely choose now if it reconsidered its
        course (the logit choice's most likely open option), and its largest terms against
        the player's choice `chosen` (None: keeping the course). None if the role has no choice."""
        if not self.needs_choice(role):
            return None
        m, actor = self.model, ROLES[role]
        opts = self.options(role)
        best = max(opts, key=lambda o: o.model_chance)
        keep = int(GovernmentAction.WAIT) if actor == "government" else self.standing(role)
        mine = keep if chosen is None else chosen
        name = "keep" if self.keeps(role, best) else best.name
        mine_name = "keep" if (chosen is None or any(self.keeps(role, o) and o.index == chosen for o in opts)) \
            else self.spec(role).action_names[chosen]
        if mine < 0 or best.index == mine:
            terms: dict[str, float] = {}
        else:
            terms = reasons.change_terms(actor, m.state, m.params, m.step_index + 1, best.index, mine)
        return Advice(role, mine_name, name, best.label, best.model_chance,
                      story.because(terms, made=False, numbers=False) if terms else "the same choice",
                      story.because(terms, made=False) if terms else "the same choice")

    def play_turn(self, choices: dict[str, int | None] | None = None, memos: dict[str, str] | None = None,
                  steps: int | None = None) -> list[dict]:
        """Step through a turn with each player's choice imposed in its first step (None or
        missing: the player keeps its course); stop early when the outcome is decided (unless
        playing on; `steps` replays a recorded turn's exact length). Returns the story's
        entries of the turn."""
        choices = dict(choices or {})
        for role in choices:
            if role not in self.roles:
                raise ValueError(f"role {role!r} is not a player's in this game ({', '.join(self.roles)})")
        m = self.model
        start_day = m.day
        turn = Turn(len(self.turns) + 1, m.date.isoformat(), m.week, start_day)
        for role in self.roles:
            a = choices.get(role)
            advice = self.advice(role, a)
            if advice is not None:
                turn.advice[role] = advice
            if a is not None and (a == self.standing(role) or (ROLES[role] == "government" and a == 0)):
                a = choices[role] = None  # the standing posture, or waiting: the course is kept
            turn.choices[role] = self.spec(role).action_names[a] if a is not None else "keep"
            memo = (memos or {}).get(role, "").strip().replace("\n", " ")
            if memo:
                turn.memos[role] = memo[:200]
        replay = steps is not None
        steps = max(1, round(self.days_per_turn / m.params.step_days)) if steps is None else steps
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
            turn.steps += 1
            if k == 0:
                self._check_carried_out(turn, choices)
            if not replay and not decided_before and not self.playing_on and int(m.state.outcome[0]) >= 0:
                break
        turn.events = [e for e in self.story() if e["kind"] != "context" and e["day"] > start_day]
        self.turns.append(turn)
        return turn.events

    def _check_carried_out(self, turn: Turn, choices: dict[str, int | None]) -> None:
        """Note each player's move that the model could not carry out (it closed within the
        step before the player's stage came: the stage order is the model's)."""
        m = self.model
        for role in self.roles:
            a = choices.get(role)
            spec = self.spec(role)
            if a is None or spec.action_field is None:
                continue
            done = int(getattr(m.state, spec.action_field)[0]) == a
            if ROLES[role] == "washington":
                done = done or int(m.state.washington_posture[0]) == a
            if not done:
                turn.void[role] = (f"{action_text(spec.name, spec.action_names[a]).label} could not be carried out: "
                                   "it was no longer open when its turn in the step came (another actor's move came "
                                   "first); the course is kept")

    def story(self, numbers: bool = True) -> list[dict]:
        """The story of the game (`story.chronicle`) with a line for every player's choice
        (and for a move that could not be carried out), dated at the start of its turn."""
        entries = story.chronicle(self.model, numbers=numbers)
        for t in self.turns:
            for role, choice in t.choices.items():
                if choice == "keep" and role not in t.memos:
                    continue
                what = ("kept its course" if choice == "keep"
                        else f"chose: {self.words(action_text(ROLES[role], choice).label)}")
                memo = f' Memo: "{t.memos[role]}"' if role in t.memos else ""
                void = f" ({t.void[role]})" if role in t.void else ""
                entries.append({"day": t.day, "date": t.date, "week": t.week, "kind": "player_choice", "role": role,
                                "choice": choice, "turn": t.number,
                                "text": f"Turn {t.number}: {self.title(role)[:1].upper() + self.title(role)[1:]} "
                                        f"(a player) {what}.{void}{memo}"})
        head = [e for e in entries if e["kind"] == "context"]
        rest = sorted((e for e in entries if e["kind"] != "context"),
                      key=lambda e: (e["day"], e["kind"] != "player_choice"))
        return head + rest

    def fork(self, turn: int) -> "Game":
        """The same random world replayed with the players' choices of turns 1..turn-1; from
        turn `turn` on the model plays every actor (the players' too), to the run's end."""
        if not 1 <= turn <= len(self.turns) + 1:
            raise ValueError(f"turn = {turn} is not allowed: a turn from 1 to {len(self.turns) + 1}")
        g = Game(self.roles, self.scenario, self.seed, self.run_index, self.overrides, self.days_per_turn)
        g.playing_on = True
        for t in self.turns[:turn - 1]:
            picks = {r: (None if c == "keep" else self.spec(r).action_names.index(c)) for r, c in t.choices.items()}
            g.play_turn(picks, steps=t.steps)
        for role in g.roles:
            getattr(g.model.state, g.spec(role).human_field)[0] = False
        while g.model.running:
            g.model.step()
        return g

    def play_month(self, action: int | None) -> list[dict]:
        """One turn of a one-player game (the first role's choice)."""
        return self.play_turn({self.role: action})

    @property
    def turn(self) -> int:
        return len(self.turns)
