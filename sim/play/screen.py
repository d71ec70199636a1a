"""What a player reads: the situation at the start of a month, the options with the model's
values, and the closing report. Plain text for a plain terminal; fact ids refer to
docs/facts.md."""

from __future__ import annotations

import re

from ..model import actors
from ..model.action_texts import action_text
from ..model.case import has_rival
from ..output import OUTCOME_MEANING
from .game import ROLES, Game, Option

RULE = (
    "Each turn is a month (or the turn length chosen). A posture you choose stands until you change it; a move (asking for "
    "talks, the formal request or taking it back, an offer, sanctions) is made at once. The model "
    "plays every other actor and never yours. Type the number or the name of an option; 0 keeps "
    "your course this month; q quits."
)


def _bar(x: float, width: int = 20) -> str:
    n = int(round(max(0.0, min(1.0, x)) * width))
    return "#" * n + "." * (width - n)


def intro(game: Game) -> str:
    m = game.model
    players = " and ".join(game.title(r) for r in game.roles)
    over = f" with {', '.join(game.overrides)}" if game.overrides else ""
    return "\n".join([
        f"You play {players} in scenario '{game.scenario}'{over} (root seed {game.seed}, run {game.run_index}).",
        m.config.scenario.title if m.config else "",
        RULE,
        "Before the model starts:",
        *[f"  {e['date']}  {e['text']}" for e in m.event_log if e["kind"] == "context"],
    ])


def tension_label(game: Game) -> str:
    """The tension's name: "US-Iran tension" in Iraq 2020, the case's rival's name elsewhere,
    plain "tension" in a case without a rival."""
    rival = getattr(game.case, "rival", "Iran") if game.case is not None else "Iran"
    return f"US-{rival} tension" if rival else "tension"


def situation(game: Game, recent: list[dict]) -> str:
    m, s = game.model, game.model.state
    p = m.params
    pm = "caretaker (F11, F13)" if bool(s.caretaker[0]) else (
        "confirmed, with a parliamentary majority (F15)" if bool(s.pm_majority[0]) else "confirmed")
    rival = has_rival(game.case)  # a case without a rival: no rival's influence or pressure to show
    pm_title = game.words("prime minister")
    lines = [
        f"=== Turn {game.turn + 1}: {m.date.isoformat()} ({game.week_line()}) ===",
        f"US troops {float(s.troops[0]):,.0f}   "
        + (game.words(f"Iranian influence {float(s.iran_influence[0]):.2f}   ") if rival else "")
        + game.words(f"ISIS threat {float(s.isis_threat[0]):.2f}   ")
        + f"{tension_label(game)} {float(s.tension[0]):.2f}",
        f"Street mobilisation {float(s.mobilisation[0]):.2f}   protests {float(s.protests[0]):.2f}   "
        f"sanctions threat {float(s.threat_level[0]):.2f}   linkage {float(s.linkage_level[0]):.2f}"
        + (game.words(f"   Tehran's pressure {float(s.tehran_pressure[0]):.2f}") if rival else "")
        + ("   SANCTIONS IMPOSED" if bool(s.sanctions_imposed[0]) else ""),
        game.words(f"Request: {game.clock()} (F4)"),
        game.words(f"{pm_title[:1].upper() + pm_title[1:]}: {pm}, stance {float(s.pm_position[0]):.2f}; "
                   f"PM changes so far {int(s.pm_changes[0])}"),
        "Positions (0 = US forces stay, 1 = leave now):",
    ]
    for j, label in enumerate(p.factions.labels):
        lines.append(f"  {label[:22]:22s} {_bar(float(s.position[0, j]))} {float(s.position[0, j]):.2f}")
    lines.append(f"  {'collective':22s} {_bar(float(s.collective_stance[0]))} {float(s.collective_stance[0]):.2f}")
    shown = [e for e in recent if e["kind"] != "context"][-8:]
    lines.append("Last month:" if shown else "Last month: nothing of note")
    lines += [f"  {e['date']}  {e['text']}" for e in shown]
    return "\n".join(lines)


def is_move(game: Game, role: str, o: Option) -> bool:
    return o.text.kind == "move"


def choosable(game: Game, role: str) -> list[Option]:
    """The options a player picks by number: the open ones other than keeping its course
    (waiting, or the standing posture), which is option 0."""
    return [o for o in game.options(role) if not game.keeps(role, o)]


def options_text(game: Game, options: list[Option], role: str | None = None, show_payoffs: bool = True) -> str:
    """A player's menu in plain words: what is on the table, each open option with what it
    does and its facts (and the model's values, unless hidden), keeping one's course as 0,
    and the moves not open now. `options` are the numbered ones (`choosable`)."""
    role = role or game.role
    menu = {i.value: i for i in game.menu(role)}
    head = f"Your options as {game.title(role)}"
    head += (" (the model's value of each, in weeks of payoff, higher is better for you; and how likely the "
             "model's own actor would choose it):" if show_payoffs else ":")
    lines = [f"On the table: {x}" for x in game.on_the_table(role)] + [head]

    def numbers(item) -> str:
        return (f"   [payoff {item.payoff:+.3f}, model's chance {100 * item.model_chance:5.1f} %"
                + (", highest payoff" if "highest payoff" in item.tags else "") + "]") \
            if show_payoffs and item.payoff == item.payoff else ""

    keep = menu.get("keep")
    if keep is not None:
        lines.append(f"  0. {keep.label}{numbers(keep)}")
        lines.append(game.words(f"       {keep.does} [{keep.facts}]"))
    else:
        lines.append("  0. keep your course (your standing posture is no longer open: it stands until you choose "
                     "a new one)")
    for k, o in enumerate(options, 1):
        item = menu[o.name]
        kind = "a move, made at once" if "a move" in item.tags else "a posture, it stands until you change it"
        lines.append(f"  {k}. {item.label} ({o.name}; {kind}){numbers(item)}")
        lines.append(game.words(f"       {item.does} [{item.facts}]"))
    closed = game.not_open(role)
    if closed:
        lines.append(game.words("  Not open now: " + "; ".join(f"{t.label} (when {t.open_when})" for t in closed)
                                + "."))
    return "\n".join(lines)


def parse_choice(text: str, options: list[Option]):
    """An option, "model", "quit" or None (not valid)."""
    t = text.strip().lower()
    if t in ("q", "quit", "exit"):
        return "quit"
    if t in ("0", "model"):
        return "model"
    if re.fullmatch(r"[0-9]+", t) and 1 <= int(t) <= len(options):  # not isdigit: '\xb2' passes it, int refuses
        return options[int(t) - 1]
    for o in options:
        if t == o.name:
            return o
    return None


def hint(text: str, options: list[Option]) -> str:
    names = ", ".join(o.name for o in options)
    return (f"'{text.strip()}' is not one of the options. Type a number from 1 to {len(options)} "
            f"or a name ({names}); 0 keeps your course, q quits.")


def moves_of(game: Game, role: str) -> list[str]:
    """A player's moves in plain words (each action's label): each choice other than keeping
    its course, with its turn and date (and a note if the model could not carry it out)."""
    out = []
    for t in game.turns:
        choice = t.choices.get(role, "keep")
        if choice == "keep":
            continue
        void = (" (not carried out: it was no longer open when its turn came, another actor's move came first)"
                if role in t.void else "")
        label = game.words(action_text(ROLES[role], choice).label)
        out.append(f"{label[:1].lower() + label[1:]} (turn {t.number}, {t.date}){void}")
    return out


def closing(game: Game, comparison: str) -> str:
    m = game.model
    s = m.summary()
    lines = ["", "=== The game is over ===" if m.running else "=== The run is over ===", "The story of your game:"]
    lines += [f"  {e['date']}  {e['text']}" for e in game.story() if e["kind"] != "context"]
    req = s["formal_request_day"]
    lines += [
        "",
        f"Outcome: {s['outcome']}: {game.words(OUTCOME_MEANING.get(s['outcome'], ''))}",
        f"Formal request: {m.date_of_day(req).isoformat() if req is not None else 'none'}; "
        f"final troops {s['final_troops']:,.0f}; "
        + (game.words(f"final Iranian influence {s['final_iran_influence']:.2f}; ") if has_rival(game.case) else "")
        + f"sanctions imposed: {'yes' if s['sanctions_imposed'] else 'no'}.",
        "",
        comparison,
    ]
    return "\n".join(lines)


def record_markdown(game: Game, comparison: str, numbers: bool = True) -> str:
    """The game's record as Markdown: settings, every turn's choices and memos, what the
    model's own actor would have chosen at each decision, the story and the debrief (what a
    facilitator keeps or hands back). `numbers=False` leaves the model's payoffs out."""
    m = game.model
    players = ", ".join(game.title(r) for r in game.roles)
    lines = [f"# Game record: scenario `{game.scenario}`, seed {game.seed}, run {game.run_index}", "",
             f"Players: {players}. Overrides: {', '.join(game.overrides) or 'none'}. "
             f"Turns played: {len(game.turns)} ({game.days_per_turn} days each).", "",
             f"**Outcome: {game.outcome or 'not decided yet'}** ({m.date.isoformat()}).", "", "## Turns", "",
             "Each player's choice (the action's name; `keep` keeps the course) and memo.", "",
             "| turn | date | " + " | ".join(game.title(r) for r in game.roles) + " |",
             "|---|---|" + "---|" * len(game.roles)]
    for t in game.turns:
        cells = []
        for r in game.roles:
            memo = t.memos.get(r, "")
            choice = t.choices.get(r, "keep")
            cell = choice + (f": \"{memo}\"" if memo else "") + (" (not carried out)" if r in t.void else "")
            cells.append(cell.replace("|", "/"))
        lines.append(f"| {t.number} | {t.date} | " + " | ".join(cells) + " |")
    advice = [(t, a) for t in game.turns for a in t.advice.values()]
    if advice:
        lines += ["", "## What the model's own actor would have done", "",
                  "At each decision, the model's most likely choice there (the logit choice of its own actor) and "
                  "the largest terms of its values against the player's choice.", "",
                  "| turn | player | chose | the model's most likely choice | why |", "|---|---|---|---|---|"]
        for t, a in advice:
            model = "keep its course" if a.model == "keep" else f"{game.words(a.model_label)} ({a.model})"
            why = game.words(a.why_numbers if numbers else a.why)
            lines.append(f"| {t.number} | {game.title(a.role)} | {a.chosen} | {model} ({100 * a.chance:.0f} %) "
                         f"| {why} |".replace("\n", " "))
    lines += ["", "## What happened", ""]
    lines += [f"- **{e['date']}**: {e['text']}" for e in game.story(numbers=numbers) if e["kind"] != "context"]
    lines += ["", "## Debrief", ""]
    lines += [f"- {line.strip()}" if line.strip() else "" for line in comparison.splitlines()]
    return "\n".join(lines) + "\n"


#: what each player reads before the first turn: their role, their aims and their tools, in Iraq
#: 2020's words (a game's own, in its case's words: `Game.brief`)
ROLE_BRIEFS = {role: actors.ROLES[role].brief for role in ROLES}
