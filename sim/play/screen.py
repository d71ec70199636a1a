"""What a player reads: the situation at the start of a month, the options with the model's
payoffs, and the closing report. Plain text for a plain terminal; fact ids refer to
docs/facts.md."""

from __future__ import annotations

from ..model.outcomes import REQUEST_STATES
from ..output import OUTCOME_MEANING
from .game import ONE_SHOT, ROLE_TITLES, Game, Option

RULE = (
    "Each turn is a month (four weeks). A lasting choice holds all month; a one-shot choice "
    "(asking for negotiators, the formal request or taking it back, offering a drawdown, "
    "withdrawing on schedule) is made in the month's first week. Type the number or the name "
    "of an option; 0 lets the model decide this month; q quits."
)


def _bar(x: float, width: int = 20) -> str:
    n = int(round(max(0.0, min(1.0, x)) * width))
    return "#" * n + "." * (width - n)


def intro(game: Game) -> str:
    m = game.model
    return "\n".join([
        f"You play {ROLE_TITLES[game.role]} in scenario '{game.scenario}' "
        f"(root seed {game.seed}, run {game.run_index}).",
        m.config.scenario.title if m.config else "",
        RULE,
        "Before the model starts:",
        *[f"  {e['date']}  {e['text']}" for e in m.event_log if e["kind"] == "context"],
    ])


def situation(game: Game, recent: list[dict]) -> str:
    m, s = game.model, game.model.state
    p = m.params
    date = m.week_date(m.week).isoformat()
    rs = REQUEST_STATES[int(s.request_state[0])]
    if rs == "active":
        clock = f"formal request in week {int(s.request_week[0])}; {m.weeks_left} weeks left on the one-year clock (F4)"
    elif rs == "withdrawn":
        clock = "the formal request was taken back"
    else:
        clock = "no formal request; the clock is not running" + (
            " (negotiators requested, F5)" if bool(s.negotiations_open[0]) else "")
    pm = "caretaker (F11, F13)" if bool(s.caretaker[0]) else (
        "confirmed, with a parliamentary majority (F15)" if bool(s.pm_majority[0]) else "confirmed")
    lines = [
        f"=== Turn {game.turn + 1}: {date} (week {m.week} of {p.horizon_weeks}) ===",
        f"US troops {float(s.troops[0]):,.0f}   Iranian influence {float(s.iran_influence[0]):.2f}   "
        f"ISIS threat {float(s.isis_threat[0]):.2f}   US-Iran tension {float(s.tension[0]):.2f}",
        f"Street mobilisation {float(s.mobilisation[0]):.2f}   protests {float(s.protests[0]):.2f}   "
        f"sanctions threat {float(s.threat_level[0]):.2f}   linkage {float(s.linkage_level[0]):.2f}   "
        f"Tehran's pressure {float(s.tehran_pressure[0]):.2f}"
        + ("   SANCTIONS IMPOSED" if bool(s.sanctions_imposed[0]) else ""),
        f"Request: {clock}",
        f"Prime minister: {pm}, stance {float(s.pm_position[0]):.2f}; PM changes so far {int(s.pm_changes[0])}",
        "Positions (0 = US forces stay, 1 = leave now):",
    ]
    for j, name in enumerate(p.factions.names):
        lines.append(f"  {name:14s} {_bar(float(s.position[0, j]))} {float(s.position[0, j]):.2f}")
    lines.append(f"  {'collective':14s} {_bar(float(s.collective_stance[0]))} {float(s.collective_stance[0]):.2f}")
    shown = [e for e in recent if e["kind"] != "context"][-8:]
    lines.append("Last events:" if shown else "Last events: none this month")
    lines += [f"  {e['date']}  {e['text']}" for e in shown]
    return "\n".join(lines)


def options_text(game: Game, options: list[Option]) -> str:
    best = max(options, key=lambda o: o.payoff)
    lines = [f"Your options as {ROLE_TITLES[game.role]} (the model's expected payoff this week; "
             "higher is better for you; and how likely the model's own actor would choose it):"]
    for k, o in enumerate(options, 1):
        tags = []
        if o is best:
            tags.append("highest payoff")
        if game.spec.actions(o.index) in ONE_SHOT[game.actor]:
            tags.append("one-shot")
        tag = f"  [{', '.join(tags)}]" if tags else ""
        lines.append(f"  {k}. {o.name:22s} payoff {o.payoff:+.3f}   model's chance {100 * o.model_chance:5.1f} %{tag}")
    lines.append("  0. let the model decide this month")
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
            f"or a name ({names}); 0 lets the model decide, q quits.")


def closing(game: Game, comparison: str) -> str:
    m = game.model
    s = m.summary()
    lines = ["", "=== The run is over ===", "Event log:"]
    lines += [f"  {e['date']}  {e['text']}" for e in m.event_log]
    req = s["formal_request_week"]
    lines += [
        "",
        f"Outcome: {s['outcome']}: {OUTCOME_MEANING[s['outcome']]}",
        f"Formal request: {'week ' + str(req) + ' (' + m.week_date(req).isoformat() + ')' if req is not None else 'none'}; "
        f"final troops {s['final_troops']:,.0f}; final Iranian influence {s['final_iran_influence']:.2f}; "
        f"sanctions imposed: {'yes' if s['sanctions_imposed'] else 'no'}.",
        "",
        comparison,
    ]
    return "\n".join(lines)
