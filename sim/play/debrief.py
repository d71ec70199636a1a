"""The class game's debrief as HTML (`sim.play.classroom`): what a class discusses after a game.

- The outcome in words, against the model's distribution in the same random world
  (`compare.comparison_parts`: runs 0..N-1 under the game's seed).
- Each student decision against what the model's own actor would most likely have done
  there, and why: the largest terms of its values, in words (`Game.advice`).
- A fork: the same random world replayed with the class's choices up to a turn, then the
  model playing every actor from there, side by side with the class's game (`Game.fork`).
- The groups of a class side by side (every group plays the same world), set against the
  model's distribution, and the memos grouped by the choice they explain.
- Three discussion questions tied to the article's statements (the scenario's card,
  section "Discussion after the game": `sim.briefs.discussion_questions`).
"""

from __future__ import annotations

import html

from ..briefs import discussion_questions
from ..model.action_texts import action_text
from ..model.case import has_rival
from ..model.outcomes import OUTCOMES
from ..output import OUTCOME_MEANING
from ..style import OUTCOME_LABELS
from .game import ROLES, Game

#: forks computed, by (room code, group, turn): a fork replays the whole run
_FORKS: dict[tuple[str, int, int], Game] = {}


def _e(x: object) -> str:
    return html.escape(str(x))


def _label(role: str, choice: str, game: Game | None = None) -> str:
    """A choice in words (in the words of `game`'s case, if given)."""
    label = "keep its course" if choice == "keep" else action_text(ROLES[role], choice).label
    return game.words(label) if game is not None else label


def _request(game: Game) -> str:
    s = game.model.summary()
    day = s["formal_request_day"]
    return game.model.date_of_day(day).isoformat() if day is not None else "none"


def _facts(game: Game) -> dict[str, str]:
    s = game.model.summary()
    out = s["outcome"] or "undecided"
    facts = {"outcome": f"{OUTCOME_LABELS.get(out, out)}", "formal request": _request(game),
             "US troops at the end": f"{s['final_troops']:,.0f}"}
    if has_rival(game.case):  # a case without a rival: no rival's influence to show
        facts[game.words("Iranian influence at the end")] = f"{s['final_iran_influence']:.2f}"
    facts.update({"sanctions imposed": "yes" if s["sanctions_imposed"] else "no",
                  "drawdowns agreed": str(s["drawdowns_agreed"])})
    return facts


def decisions_html(game: Game, roles: list[str] | None = None) -> str:
    """Each player decision, what the model's own actor would most likely have done there, and why."""
    rows = []
    for t in game.turns:
        for role, a in t.advice.items():
            if roles is not None and role not in roles:
                continue
            same = "same" if a.agrees else "different"
            model = "keep its course" if a.model == "keep" else game.words(a.model_label)
            rows.append(f"<tr class='{same}'><td>{t.number} ({_e(t.date)})</td><td>{_e(game.title(role))}</td>"
                        f"<td>{_e(_label(role, a.chosen, game))}</td><td>{_e(model)} ({100 * a.chance:.0f} %)</td>"
                        f"<td>{_e(game.words(a.why) if not a.agrees else 'the same choice')}</td></tr>")
    if not rows:
        return "<p>No player had a decision to take.</p>"
    return ("<table class='decisions'><tr><th>turn</th><th>player</th><th>the player chose</th>"
            "<th>the model's actor would most likely have chosen (its chance)</th><th>why, in the model's own "
            "terms (for the model's choice, against the player's)</th></tr>" + "".join(rows) + "</table>")


def first_difference(game: Game) -> int:
    """The first turn in which a player chose otherwise than the model's most likely choice (1 if none)."""
    for t in game.turns:
        if any(not a.agrees for a in t.advice.values()):
            return t.number
    return 1


def fork_of(code: str, group: int, game: Game, turn: int) -> Game:
    key = (code, group, turn)
    if key not in _FORKS:
        if len(_FORKS) > 64:
            _FORKS.clear()
        _FORKS[key] = game.fork(turn)
    return _FORKS[key]


def fork_form(code: str, game: Game, turn: int, action: str, group: int = 1) -> str:
    """A form to fork at any turn (GET `action?fork=N&g=GROUP`)."""
    options = "".join(f"<option value='{t.number}'{' selected' if t.number == turn else ''}>turn {t.number} "
                      f"({_e(t.date)})</option>" for t in game.turns)
    return (f"<form method='get' action='{_e(action)}' id='forkform'><input type='hidden' name='g' value='{group}'>"
            f"Fork at <select name='fork' id='forkturn'>"
            f"{options}</select> <button class='quiet'>Replay from there with the model</button></form>")


def fork_html(code: str, group: int, game: Game, turn: int, action: str | None = None) -> str:
    """The class's game and the fork from `turn` side by side (with a form to pick another
    turn when `action`, the page's address, is given)."""
    fork = fork_of(code, group, game, turn)
    mine, theirs = _facts(game), _facts(fork)
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td><td>{_e(theirs[k])}</td></tr>" for k, v in mine.items())
    start = game.turns[turn - 1].day if turn - 1 < len(game.turns) else game.model.day
    def later(g: Game) -> str:
        items = [e for e in g.story(numbers=False) if e["kind"] not in ("context", "declined", "pm_idle")
                 and e["day"] >= start][:6]
        return "".join(f"<li><b>{_e(e['date'])}</b> {_e(e['text'])}</li>" for e in items) or "<li>nothing of note</li>"
    return (f"<div class='card fork'><h3>Fork at turn {turn}: the same random world, with the model playing "
            f"{_e(' and '.join(game.title(r) for r in game.roles))} from turn {turn} on</h3>"
            "<table><tr><th></th><th>your game</th><th>the model from that turn</th></tr>" + rows + "</table>"
            f"<div class='side'><div><h3>Your game from turn {turn}</h3><ul class='events'>{later(game)}</ul></div>"
            f"<div><h3>The model's from turn {turn}</h3><ul class='events'>{later(fork)}</ul></div></div>"
            + (fork_form(code, game, turn, action, group) if action else "") + "</div>")


def questions_html(scenario: str) -> str:
    qs = discussion_questions(scenario)
    if not qs:
        return ""
    return ("<div class='card questions'><h2>Discuss</h2><ol>" + "".join(f"<li>{_e(q)}</li>" for q in qs)
            + "</ol></div>")


def group_html(room, group: int, role: str | None = None, fork: int | None = None, action: str | None = None) -> str:
    """One group's debrief: the outcome, each role's moves against the model's, every
    decision against the model's actor, a fork (at turn `fork`, by default the first where a
    player's choice differed from the model's; `action`: the page that may pick another) and
    the discussion questions."""
    g = room.group(group).game
    parts = room.debrief(group)
    outcome = g.outcome or "undecided"
    shares = parts["shares"]
    bars = "".join(f"<tr{' class=mine' if name == outcome else ''}><td>{_e(OUTCOME_LABELS[name])}</td>"
                   f"<td>{100 * shares[name]:.1f} %</td><td>{'&larr; your outcome' if name == outcome else ''}</td></tr>"
                   for name in OUTCOMES)
    roles = [role] if role else list(g.roles)
    role_lines = "".join(f"<li>{_e(line)}</li>" for r in roles for line in parts["role_lines"].get(r, []))
    turn = fork if fork is not None and 1 <= fork <= len(g.turns) else first_difference(g)
    return (f"<div class='card debrief'><h2>Debrief</h2><p><b>Outcome: {_e(OUTCOME_LABELS.get(outcome, outcome))}"
            f"</b>: {_e(g.words(OUTCOME_MEANING.get(outcome, '')))}</p>"
            + "".join(f"<p>{_e(line)}</p>" for line in parts["outcome_lines"][:2])
            + f"<table class='shares'><tr><th>outcome</th><th>share of the model's {parts['runs']:,} runs</th>"
            f"<th></th></tr>{bars}</table><ul>{role_lines}</ul>"
            "<h3>Each decision, and what the model's own actor would have done</h3>"
            f"{decisions_html(g, roles)}</div>"
            + fork_html(room.code, group, g, turn, action) + questions_html(g.scenario))


def class_html(room, fork: int | None = None, group: int | str | None = 1) -> str:
    """The facilitator's debrief: every group against the model's distribution, memos by the
    choice made, one group's decisions and fork (group `group`, chosen on the page: the
    first by default; the fork at turn `fork`), the discussion questions."""
    first = room.groups[0]
    shown = room.group(group)
    parts = room.debrief(first.number)
    shares = parts["shares"]
    counts = {name: sum(1 for g in room.groups if g.game.outcome == name) for name in OUTCOMES}
    n = len(room.groups)
    table = "".join(f"<tr><td>{_e(OUTCOME_LABELS[name])}</td><td>{counts[name]} of {n}</td>"
                    f"<td>{100 * shares[name]:.1f} %</td></tr>" for name in OUTCOMES)
    groups = "".join(
        "<tr><td>group {}</td>{}</tr>".format(g.number, "".join(f"<td>{_e(v)}</td>" for v in _facts(g.game).values()))
        for g in room.groups)
    own = parts["own"]
    memos = []
    for (role, choice), items in sorted(room.memos_by_choice().items()):
        lis = "".join(f"<li>group {grp}, turn {turn}: &ldquo;{_e(m)}&rdquo;</li>" for grp, turn, m in items)
        memos.append(f"<h3>{_e(cap(first.game.title(role)))}: {_e(_label(role, choice, first.game))}</h3><ul>{lis}</ul>")
    return (f"<div class='card classdebrief'><h2>Debrief of the class</h2>"
            f"<p>Every group played the same random world (scenario <code>{_e(first.game.scenario)}</code>, seed "
            f"{first.game.seed}, run {first.game.run_index}); the model, playing it alone, reached "
            f"<b>{_e(OUTCOME_LABELS.get(own['outcome'], own['outcome']))}</b>.</p>"
            f"<table class='groups'><tr><th>outcome</th><th>groups</th><th>the model's {parts['runs']:,} runs</th></tr>"
            f"{table}</table><table class='groupfacts'><tr><th></th>"
            + "".join(f"<th>{_e(k)}</th>" for k in _facts(first.game)) + f"</tr>{groups}</table>"
            + ("<h2>Memos, by the choice they explain</h2>" + "".join(memos) if memos else "<p>No memos were written.</p>")
            + "</div>" + (f"<h2 class='shown'>Group {shown.number}: its debrief, decisions and fork</h2>"
                          if len(room.groups) > 1 else "")
            + group_html(room, shown.number, fork=fork, action=f"/f/{room.code}"))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
