"""What a player reads: the situation at the start of a month, the options with the model's
values, and the closing report. Plain text for a plain terminal; fact ids refer to
docs/facts.md."""

from __future__ import annotations

from ..abm import story
from ..model import actors
from ..model.actors.washington import POSTURES as WASHINGTON_POSTURES
from ..output import OUTCOME_MEANING
from .game import ROLE_TITLES, ROLES, Game, Option

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
    players = " and ".join(ROLE_TITLES[r] for r in game.roles)
    over = f" with {', '.join(game.overrides)}" if game.overrides else ""
    return "\n".join([
        f"You play {players} in scenario '{game.scenario}'{over} (root seed {game.seed}, run {game.run_index}).",
        m.config.scenario.title if m.config else "",
        RULE,
        "Before the model starts:",
        *[f"  {e['date']}  {e['text']}" for e in m.event_log if e["kind"] == "context"],
    ])


def situation(game: Game, recent: list[dict]) -> str:
    m, s = game.model, game.model.state
    p = m.params
    pm = "caretaker (F11, F13)" if bool(s.caretaker[0]) else (
        "confirmed, with a parliamentary majority (F15)" if bool(s.pm_majority[0]) else "confirmed")
    lines = [
        f"=== Turn {game.turn + 1}: {m.date.isoformat()} ({game.week_line()}) ===",
        f"US troops {float(s.troops[0]):,.0f}   Iranian influence {float(s.iran_influence[0]):.2f}   "
        f"ISIS threat {float(s.isis_threat[0]):.2f}   US-Iran tension {float(s.tension[0]):.2f}",
        f"Street mobilisation {float(s.mobilisation[0]):.2f}   protests {float(s.protests[0]):.2f}   "
        f"sanctions threat {float(s.threat_level[0]):.2f}   linkage {float(s.linkage_level[0]):.2f}   "
        f"Tehran's pressure {float(s.tehran_pressure[0]):.2f}"
        + ("   SANCTIONS IMPOSED" if bool(s.sanctions_imposed[0]) else ""),
        f"Request: {game.clock()} (F4)",
        f"Prime minister: {pm}, stance {float(s.pm_position[0]):.2f}; PM changes so far {int(s.pm_changes[0])}",
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
    actor = ROLES[role]
    return (actor == "government" and o.index > 0) or (
        actor == "washington" and o.index not in {int(a) for a in WASHINGTON_POSTURES})


def options_text(game: Game, options: list[Option], role: str | None = None, show_payoffs: bool = True) -> str:
    role = role or game.role
    best = max(options, key=lambda o: o.payoff)
    standing = game.standing(role)
    head = f"Your options as {ROLE_TITLES[role]}"
    head += (" (the model's value of each, in weeks of payoff, higher is better for you; and how likely the "
             "model's own actor would choose it):" if show_payoffs else ":")
    lines = [head]
    for k, o in enumerate(options, 1):
        tags = []
        if show_payoffs and o is best:
            tags.append("highest payoff")
        if is_move(game, role, o):
            tags.append("a move")
        if o.index == standing:
            tags.append("your standing posture")
        tag = f"  [{', '.join(tags)}]" if tags else ""
        numbers = f"payoff {o.payoff:+.3f}   model's chance {100 * o.model_chance:5.1f} %" if show_payoffs else ""
        lines.append(f"  {k}. {o.name:22s} {numbers}{tag}")
    closed = standing >= 0 and standing not in {o.index for o in options}
    lines.append("  0. keep your course this month" + (" (your standing posture is no longer open: it stands "
                                                        "until you choose)" if closed else ""))
    return "\n".join(lines)


def parse_choice(text: str, options: list[Option]):
    """An option, "model", "quit" or None (not valid)."""
    t = text.strip().lower()
    if t in ("q", "quit", "exit"):
        return "quit"
    if t in ("0", "model"):
        return "model"
    if t.isdigit() and 1 <= int(t) <= len(options):
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
    """A player's moves in words: each choice other than keeping its course, with its week."""
    return [f"{t.choices[role]} (week {t.week})" for t in game.turns
            if t.choices.get(role, "keep") != "keep"]


def closing(game: Game, comparison: str) -> str:
    m = game.model
    s = m.summary()
    lines = ["", "=== The game is over ===" if m.running else "=== The run is over ===", "The story of your game:"]
    lines += [f"  {e['date']}  {e['text']}" for e in story.chronicle(m) if e["kind"] != "context"]
    req = s["formal_request_day"]
    lines += [
        "",
        f"Outcome: {s['outcome']}: {OUTCOME_MEANING.get(s['outcome'], '')}",
        f"Formal request: {m.date_of_day(req).isoformat() if req is not None else 'none'}; "
        f"final troops {s['final_troops']:,.0f}; final Iranian influence {s['final_iran_influence']:.2f}; "
        f"sanctions imposed: {'yes' if s['sanctions_imposed'] else 'no'}.",
        "",
        comparison,
    ]
    return "\n".join(lines)


def record_markdown(game: Game, comparison: str) -> str:
    """The game's record as Markdown: settings, every turn's choices and memos, the story and
    the debrief (what a facilitator keeps or hands back)."""
    m = game.model
    players = ", ".join(ROLE_TITLES[r] for r in game.roles)
    lines = [f"# Game record: scenario `{game.scenario}`, seed {game.seed}, run {game.run_index}", "",
             f"Players: {players}. Overrides: {', '.join(game.overrides) or 'none'}. "
             f"Turns played: {len(game.turns)} ({game.days_per_turn} days each).", "",
             f"**Outcome: {game.outcome or 'not decided yet'}** ({m.date.isoformat()}).", "", "## Turns", "",
             "| turn | date | " + " | ".join(ROLE_TITLES[r] for r in game.roles) + " |",
             "|---|---|" + "---|" * len(game.roles)]
    for t in game.turns:
        cells = []
        for r in game.roles:
            memo = t.memos.get(r, "")
            cell = t.choices.get(r, "keep") + (f": \"{memo}\"" if memo else "")
            cells.append(cell.replace("|", "/"))
        lines.append(f"| {t.number} | {t.date} | " + " | ".join(cells) + " |")
    lines += ["", "## What happened", ""]
    lines += [f"- **{e['date']}**: {e['text']}" for e in story.chronicle(m) if e["kind"] != "context"]
    lines += ["", "## Debrief", "", "```", comparison, "```"]
    return "\n".join(lines) + "\n"


#: what each player reads before the first turn: their role, their aims and their tools
ROLE_BRIEFS = {role: actors.ROLES[role].brief for role in ROLES}
