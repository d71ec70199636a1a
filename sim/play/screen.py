"""What a player reads: the situation at the start of a month, the options with the model's
values, and the closing report. Plain text for a plain terminal; fact ids refer to
docs/facts.md."""

from __future__ import annotations

from ..model.actions import WASHINGTON_POSTURES
from ..model.outcomes import REQUEST_STATES
from ..model.valuation import YEAR_DAYS
from ..output import OUTCOME_MEANING
from .game import ROLE_TITLES, Game, Option

RULE = (
    "Each turn is a month. A posture you choose stands until you change it; a move (asking for "
    "talks, the formal request or taking it back, an offer, sanctions) is made at once. The model "
    "never moves for you. Type the number or the name of an option; 0 keeps your course this "
    "month; q quits."
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
    date = m.date.isoformat()
    rs = REQUEST_STATES[int(s.request_state[0])]
    if rs == "active" and m.days_left is not None:
        clock = (f"formal request on {m.date_of_day(int(s.request_day[0])).isoformat()}; "
                 f"{m.days_left} days left on the one-year clock (F4)")
    elif rs == "active":
        clock = (f"formal request on {m.date_of_day(int(s.request_day[0])).isoformat()}; "
                 f"its year ran out on {m.date_of_day(int(s.request_day[0]) + YEAR_DAYS).isoformat()}"
                 if s.outcome[0] == 4 else f"formal request on {m.date_of_day(int(s.request_day[0])).isoformat()}; settled")
    elif rs == "withdrawn":
        clock = "the formal request was taken back"
    else:
        clock = "no formal request; the clock is not running" + (
            " (talks requested, F5)" if bool(s.talks_requested[0]) else "")
    pm = "caretaker (F11, F13)" if bool(s.caretaker[0]) else (
        "confirmed, with a parliamentary majority (F15)" if bool(s.pm_majority[0]) else "confirmed")
    lines = [
        f"=== Turn {game.turn + 1}: {date} (week {m.week} of {p.horizon_days // 7}) ===",
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
    lines = [f"Your options as {ROLE_TITLES[game.role]} (the model's value of each, in weeks of payoff; "
             "higher is better for you; and how likely the model's own actor would choose it):"]
    for k, o in enumerate(options, 1):
        tags = []
        if o is best:
            tags.append("highest payoff")
        if game.actor == "government" and o.index > 0 or (
                game.actor == "washington" and o.index not in {int(a) for a in WASHINGTON_POSTURES}):
            tags.append("a move")
        tag = f"  [{', '.join(tags)}]" if tags else ""
        lines.append(f"  {k}. {o.name:22s} payoff {o.payoff:+.3f}   model's chance {100 * o.model_chance:5.1f} %{tag}")
    lines.append("  0. keep your course this month")
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


def closing(game: Game, comparison: str) -> str:
    m = game.model
    s = m.summary()
    lines = ["", "=== The run is over ===", "Event log:"]
    lines += [f"  {e['date']}  {e['text']}" for e in m.event_log]
    req = s["formal_request_day"]
    lines += [
        "",
        f"Outcome: {s['outcome']}: {OUTCOME_MEANING[s['outcome']]}",
        f"Formal request: {m.date_of_day(req).isoformat() if req is not None else 'none'}; "
        f"final troops {s['final_troops']:,.0f}; final Iranian influence {s['final_iran_influence']:.2f}; "
        f"sanctions imposed: {'yes' if s['sanctions_imposed'] else 'no'}.",
        "",
        comparison,
    ]
    return "\n".join(lines)
