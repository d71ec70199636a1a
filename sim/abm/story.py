"""Event texts: each event kind the stages emit, as a dated line a student can read.
Fact ids in brackets point to docs/facts.md."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from ..model import legal, parliament, world
from ..model.actors import ACTORS
from ..model.case import IRAQ_SHEET, CaseConfig, has_rival, render

#: context of week 0, from the article: Iraq 2020's opening (a case gives its own, `case.opening`)
OPENING = tuple((line.date, line.text) for line in CaseConfig().opening)


def opening(case: object | None) -> tuple[tuple[str, str], ...]:
    """The lines a run's story opens with: its case's, in the case's words (`case.render`)."""
    if case is None:
        return OPENING
    return tuple((line.date, render(line.text, case)) for line in case.opening)  # type: ignore[attr-defined]


#: every event's text, as the module that reports it declares it (fact ids in brackets)
TEMPLATES: dict[str, str] = {**world.CONSEQUENCES_TEXTS, **parliament.TEXTS, **legal.TEXTS,
                             **{k: v for actor in ACTORS.values() for k, v in actor.texts.items()}}


def describe(kind: str, data: dict, row: int, date_of_day: Callable[[int], dt.date], case: object | None = None) -> str:
    """The text of one event in run `row`; `date_of_day(day)` gives a day's date; in the
    words of `case` (`sim.model.case.render`; None: Iraq 2020's)."""
    values = {k: (v[row] if hasattr(v, "__len__") and not isinstance(v, str) else v) for k, v in data.items()}
    if kind == "pm_confirmed":
        values["kind"] = (
            "a very anti-American PM with a parliamentary majority"
            if values.pop("anti_american") else "a consensus PM chosen by the coalition"
        )
    if kind == "formal_request":
        values["deadline"] = date_of_day(int(values.pop("deadline_day"))).isoformat()
    if kind == "request_withdrawn":
        package = float(values.pop("package"))
        values["package"] = (f" in exchange for Washington's package (about {package:,.0f} troops out)"
                             if package > 0 else "")
    return render(TEMPLATES[kind].format(**values), case)


# ====================================================================== the run as a story
#: a posture change counts in the story when it stood at least this many days (or still stands)
SUSTAINED_DAYS = 56
#: event kinds that start an actor's posture (listed only when sustained): kind -> (actor, action),
#: from each actor's declared events (`declare.Events.postures`)
POSTURE_KINDS = {kind: (name, action) for name, actor in ACTORS.items() for kind, action in actor.events.postures}
#: events that may repeat within a phase: the first is told, the others counted on its line
REPEATING = {"resolution_passed", "resolution_failed", "ask_negotiations", "proposal_rejected", "drawdown_offered",
             "offer_rejected", "retraction_offered", "package_rejected"}
#: events that open a phase, and the phase's title
PHASE_OPENERS = {
    "pm_confirmed": "A new government", "government_fell": "Caretaker again", "formal_request": "The request year",
    "request_withdrawn": "After the request was taken back", "deadline_passed": "After the deadline",
    "troops_gone": "After the last troops left",
}
#: the turning points an opening names, most consequential first (at most three, told in date order)
TURNING = ("formal_request", "deadline_passed", "troops_gone", "request_withdrawn", "withdrawal_decided",
           "drawdown_agreed", "sanctions_imposed", "pm_confirmed", "government_fell")
#: how a player's actor is named in "the choice of the player of ..." (its declared title)
PLAYER_OF = {name: actor.title for name, actor in ACTORS.items() if actor.role is not None}
#: event kinds that are an actor's own move (a player's choice when a player holds the actor):
#: its declared moves and the postures it takes
EVENT_ACTORS = {kind: name for name, actor in ACTORS.items()
                for kind in (*actor.events.moves, *(k for k, _ in actor.events.postures))}
MOVE_WORDS = {
    "ask_negotiations": "asking Washington for talks on a drawdown", "formal_request": "the formal request",
    "withdraw_request": "taking the request back", "accept_offer": "accepting Washington's offer",
}


def because(terms: dict[str, float], n: int = 2, made: bool = True, numbers: bool = True) -> str:
    """The largest terms of a change of course, in words: 'because of X (+1.2) against Y (-0.4)'
    (weeks of payoff; `sim.model.reasons`); `numbers=False` names the terms without their
    values (a game whose players do not see the model's payoffs)."""
    items = sorted(((k, v) for k, v in terms.items() if abs(v) >= 0.01 and k != "keeping its course"),
                   key=lambda kv: -abs(kv[1]))[:n]
    if not items:
        return "a close call (no term above 0.01 weeks of payoff)" if numbers else "a close call"

    def word(k: str, v: float) -> str:
        return f"{k} ({v:+.2f})" if numbers else k

    pro = [word(k, v) for k, v in items if v > 0]
    con = [word(k, v) for k, v in items if v < 0]
    text = (f"for it: {'; '.join(pro)}; against it: {'; '.join(con)}" if pro and con
            else ("for it: " + "; ".join(pro)) if pro else ("against it: " + "; ".join(con)))
    if made and sum(terms.values()) < 0 and not pro:
        text += " (a move against its own values, which the logit choice allows now and then)"
    return text


def players(model) -> set[str]:
    """The actors (registry names) a player has taken on in this run: the model never moves
    them, so each of their moves is a player's choice."""
    out = set()
    for name, actor in ACTORS.items():
        if actor.human_field is not None and bool(getattr(model.state, actor.human_field)[0]):
            out.add(name)
    return out


def _posture_spans(model, upto_day: int) -> dict[tuple[str, int], float]:
    """(actor, day of a posture change) -> days the new posture stood (infinite if it still stands)."""
    days: dict[str, list[int]] = {actor: [] for actor, _ in POSTURE_KINDS.values()}
    for e in model.event_log:
        if e["kind"] in POSTURE_KINDS and e["day"] <= upto_day:
            days[POSTURE_KINDS[e["kind"]][0]].append(e["day"])
    for r in model.reasons:  # one-off moves and postures not told as events also end a posture
        if r["actor"] in days and r["kind"] == "change" and r["day"] <= upto_day and r["day"] not in days[r["actor"]]:
            if r["action"] in ("withdraw_on_schedule", "negotiate_retraction"):
                days[r["actor"]].append(r["day"])
    spans: dict[tuple[str, int], float] = {}
    for actor, ds in days.items():
        ds = sorted(set(ds))
        for a, b in zip(ds, ds[1:] + [None]):
            spans[(actor, a)] = float("inf") if b is None else b - a  # still standing: it counts
    return spans


def _reason(model, actor: str, day: int, action: str | None = None) -> dict | None:
    for r in model.reasons:
        if r["actor"] == actor and r["day"] == day and r["kind"] == "change" and (action is None or r["action"] == action):
            return r
    return None


def chronicle(model, upto_day: int | None = None, numbers: bool = True) -> list[dict]:
    """The run's notable events to `upto_day` (default: now), in order: every move and
    agreement, posture changes of Washington and Tehran that stood at least
    `SUSTAINED_DAYS` (or stand now) with why, repeated events counted on their first
    line, and the moves the PM weighed and declined (one line per move and phase). Each
    entry: day, date, kind, text, and `phase` (the title of the phase it opens, if it opens one).
    The same entries make events.md, the app's event log and the role-play screens.

    An actor a player has taken on (`players`) moves only by its player's choice: every one
    of its posture changes is told, however short, as the player's choice, never with the
    model's reasons. `numbers=False` leaves out every payoff and chance (a game whose players
    do not see them)."""
    end = model.day if upto_day is None else upto_day
    played = players(model)
    spans = _posture_spans(model, end)
    out: list[dict] = []
    repeated: dict[str, dict] = {}
    declined: dict[str, dict] = {}
    for e in model.event_log:
        if e["day"] > end:
            break
        kind = e["kind"]
        if kind == "context":
            out.append(dict(e))
            continue
        if kind in PHASE_OPENERS:
            repeated, declined = {}, {}
        if kind in POSTURE_KINDS:
            actor, action = POSTURE_KINDS[kind]
            if actor in played:
                out.append({**e, "text": e["text"] + f" (the choice of the player of {PLAYER_OF[actor]})",
                            "player": actor})
                continue
            if spans.get((actor, e["day"]), 0) < SUSTAINED_DAYS:
                continue
            text = e["text"]
            r = _reason(model, actor, e["day"], action)
            if r is not None and r["closed"]:
                text += f" Its old course ({r['old'].replace('_', ' ')}) was no longer open."
            elif r is not None:
                text += f" Why{', in weeks of payoff' if numbers else ''} against its old course: " \
                        f"{because(r['terms'], numbers=numbers)}."
            out.append({**e, "text": text})
            continue
        mover = EVENT_ACTORS.get(kind)
        if kind in REPEATING and mover not in played:
            first = repeated.get(kind)
            if first is not None:
                first["count"] += 1
                first["text"] = f"{first['base']} (and {first['count'] - 1} more time{'s' if first['count'] > 2 else ''}" \
                                f" in this phase, the last on {e['date']})"
                continue
            entry = {**e, "base": e["text"], "count": 1}
            repeated[kind] = entry
            out.append(entry)
            continue
        text = e["text"]
        entry = {**e}
        if mover in played:
            text += f" (the choice of the player of {PLAYER_OF[mover]})"
            entry["player"] = mover
        elif kind in ("formal_request", "request_withdrawn", "ask_negotiations"):
            r = _reason(model, "government", e["day"])
            if r is not None:
                text += f" Why{', in weeks of payoff' if numbers else ''} against waiting: " \
                        f"{because(r['terms'], numbers=numbers)}."
        entry["text"] = text
        if kind in PHASE_OPENERS:
            entry["phase"] = PHASE_OPENERS[kind]
        out.append(entry)
    # the PM's declined moves, one line per move and phase, placed at their first date
    phase_starts = [0] + [e["day"] for e in out if "phase" in e]
    for r in model.reasons:
        if r["kind"] != "declined" or r["day"] > end:
            continue
        phase = max(d for d in phase_starts if d <= r["day"]) if any(d <= r["day"] for d in phase_starts) else 0
        key = f"{phase}:{r['action']}"
        d = declined.setdefault(key, {"first": r, "count": 0, "best": r})
        d["count"] += 1
        d["last"] = r
        if r["value"] > d["best"]["value"]:
            d["best"] = r
    for d in declined.values():
        r, best = d["first"], d["best"]
        times = "once" if d["count"] == 1 else f"{d['count']} times, the last on {d['last']['date']}"
        worth = (f": at best it was worth {best['value']:+.2f} weeks of payoff against waiting "
                 f"(the model's PM would have made it with a chance of {100 * best['chance']:.0f} %)" if numbers else "")
        text = (f"The PM reconsidered its course and weighed {MOVE_WORDS.get(r['action'], r['action'])} {times}, "
                f"and waited{worth}; {because(best['terms'], made=False, numbers=numbers)}.")
        out.append({"day": r["day"], "date": r["date"], "week": r["day"] // 7, "kind": "declined", "text": text})
    # a phase in which the PM made no move and (the model's PM) never reconsidered: why, in
    # the phase's own terms (F13, F14, F15); a player's PM simply kept its course
    bounds = sorted(set(phase_starts)) + [end + 1]
    caretaker_spans = _caretaker_spans(model, end)
    for a, b in zip(bounds, bounds[1:]):
        if b - a < 28 or any(r["actor"] == "government" and a <= r["day"] < b for r in model.reasons):
            continue
        weeks = (min(b, end + 1) - a) // 7
        if "government" in played:
            text = f"The PM, played by a student, made no move in these {weeks} weeks."
        elif caretaker_spans(a):
            text = (f"The PM did not reconsider its course in these {weeks} weeks: a caretaker lets most of its "
                    "chances to act pass (F13) and protests drain a government's (F14).")
        else:
            text = (f"The PM did not reconsider its course in these {weeks} weeks: a confirmed PM's chances to act "
                    "come now and then, and protests drain them (F14, F15).")
        out.append({"day": a, "date": model.date_of_day(a).isoformat(), "week": a // 7, "kind": "pm_idle",
                    "text": text})
    case = getattr(model.params, "case", None)
    for e in out:
        e["text"] = render(e["text"], case)
    head = [e for e in out if e["kind"] == "context"]
    rest = sorted((e for e in out if e["kind"] != "context"),
                  key=lambda e: (e["day"], e["kind"] in ("declined", "pm_idle"), "phase" not in e))
    return head + rest


def _caretaker_spans(model, end: int) -> Callable[[int], bool]:
    """Whether a caretaker governed on a given day: the run starts with the scenario's
    government; a new PM ends a caretaker's time, a fallen government starts one (F11, F13, F14)."""
    changes = [(0, bool(model.params.government.initially_caretaker))]
    for e in model.event_log:
        if e["day"] > end:
            break
        if e["kind"] == "pm_confirmed":
            changes.append((e["day"], False))
        elif e["kind"] == "government_fell":
            changes.append((e["day"], True))

    def at(day: int) -> bool:
        return [c for d, c in changes if d <= day][-1]
    return at


def turning_points(model) -> list[dict]:
    """Two or three of the run's most consequential events, in date order: moves and
    agreements first (`TURNING`); in a quiet run, then the sustained posture changes of
    Washington and Tehran and the first resolution passed."""
    firsts: dict[str, dict] = {}
    for e in model.event_log:
        firsts.setdefault(e["kind"], e)
    chosen = [firsts[k] for k in TURNING if k in firsts][:3]
    if len(chosen) < 2:
        sustained = [e for e in chronicle(model) if e["kind"] in POSTURE_KINDS]
        plain = {(e["kind"], e["day"]): e for e in model.event_log}
        extra = [plain[(e["kind"], e["day"])] for e in sustained]
        if "resolution_passed" in firsts:
            extra.append(firsts["resolution_passed"])
        chosen += extra[:3 - len(chosen)]
    return sorted(chosen, key=lambda e: e["day"])


def _final_numbers(model, s: dict) -> str:
    st = model.state
    initial = float(model.params.world.initial_troops)
    req = s["formal_request_day"]
    request = (f"made on {model.date_of_day(req).isoformat()} (week {req // 7})" if req is not None else "none")
    influence = (f"Iranian influence {s['final_iran_influence']:.2f}; "
                 if has_rival(getattr(model.params, "case", None)) else "")
    return (f"US troops {s['final_troops']:,.0f} (of {initial:,.0f}); {influence}formal request: {request}; drawdowns agreed: {s['drawdowns_agreed']}; "
            f"sanctions imposed: {'yes' if s['sanctions_imposed'] else 'no'}; resolutions passed: "
            f"{s['resolutions_passed']}; PM changes: {s['pm_changes']}; Baghdad's collective stance "
            f"{float(st.collective_stance[0]):.2f} (0 = US forces stay, 1 = leave now).")


def story_markdown(model, meaning: dict[str, str]) -> str:
    """events.md: the outcome, the turning points and the final numbers first; then the run
    in phases (`chronicle`); then a closing paragraph. `meaning` gives each outcome's words."""
    s = model.summary()
    outcome = s["outcome"] or "undecided"
    lines = [f"# Run of scenario `{model.scenario_name}` (seed {s['seed']}, run {s['run_index']})", "",
             f"**Outcome: {outcome}**: {meaning.get(outcome, 'the run is not over.')}", ""]
    points = turning_points(model)
    if points:
        lines.append("Turning points:")
        lines += [f"{k}. **{e['date']}**: {e['text']}" for k, e in enumerate(points, 1)]
    else:
        lines.append("Turning points: none; the PM never moved and nothing was agreed.")
    case = getattr(model.params, "case", None)
    sheet = getattr(case, "sheet", IRAQ_SHEET)
    facts = ("Fact ids in brackets refer to docs/facts.md" if sheet == IRAQ_SHEET else
             f"The case's facts and their sources: {sheet}")
    lines += ["", f"Final numbers ({model.date.isoformat()}, week {s['weeks_simulated']}): {_final_numbers(model, s)}", "",
              f"{facts}; numbers after 'for it' and 'against it' are the terms "
              "of the actor's own values, in weeks of payoff. The weekly record of every variable is in "
              "trajectory.parquet.", ""]
    entries = chronicle(model)
    lines.append("## Before the model starts")
    lines += [f"- **{e['date']}**: {e['text']}" for e in entries if e["kind"] == "context"]
    lines += ["", f"## {_first_phase(model)} (from {model.date_of_day(0).isoformat()})"]
    for e in entries:
        if e["kind"] == "context":
            continue
        if "phase" in e:
            lines += ["", f"## {e['phase']} (from {e['date']})"]
        lines.append(f"- **{e['date']}** (week {e['week']}): {e['text']}")
    lines += ["", "## How it ends", _closing(model, s)]
    return render("\n".join(lines) + "\n", case)


def _first_phase(model) -> str:
    return "Caretaker government" if bool(model.params.government.initially_caretaker) else "The government in office"


def _closing(model, s: dict) -> str:
    st = model.state
    rival = has_rival(getattr(model.params, "case", None))  # no rival: its actor never moved (`case.rival`)
    standing = [f"{ACTORS[name].title} {_standing(model, name)}" for name in POSTURED if rival or name != "tehran"]
    played = players(model)
    told = (f"only the model's changes that stood {SUSTAINED_DAYS // 7} weeks or more are told above"
            + ("; every change a player made is told" if played & set(POSTURED) else ""))
    tehran = f" and Tehran {_times(s['tehran_posture_changes'])}" if rival else ""
    changes = (f"Over the run Washington changed its posture {_times(s['washington_posture_changes'])}{tehran} "
               f"({told}); the PM made {s['government_posture_changes']} move"
               f"{'' if s['government_posture_changes'] == 1 else 's'}.")
    pm = ("a caretaker" if bool(st.caretaker[0]) else "a confirmed PM" + (" with a majority" if bool(st.pm_majority[0])
                                                                          else ""))
    return (f"The run ends on {model.date.isoformat()} (week {s['weeks_simulated']}) with the outcome "
            f"`{s['outcome']}`. Baghdad is led by {pm} (stance {float(st.pm_position[0]):.2f}); "
            f"{' and '.join(standing)}. {changes}")


def _times(n: int) -> str:
    return "never" if n == 0 else "once" if n == 1 else f"{n} times"


#: the actors whose standing posture the closing line names (those whose posture events are told)
POSTURED = tuple(dict.fromkeys(actor for actor, _ in POSTURE_KINDS.values()))


def _standing(model, actor: str) -> str:
    """'ends reassuring Baghdad': the posture the actor ends in, in its action's words."""
    spec = ACTORS[actor]
    name = spec.action_name(int(getattr(model.state, spec.posture_field)[0])) if spec.posture_field else None
    words = spec.action_texts.get(name or "", {}).get("standing")
    return f"ends {words}" if words else "ends with no posture"


def clock_text(model) -> str:
    """The one-year clock (F4) in words, right before, during and after the year, in the
    words of the run's case (`sim.model.case.render`)."""
    return render(_clock_text(model), getattr(model.params, "case", None))


def _clock_text(model) -> str:
    from ..model.outcomes import RequestState

    s = model.state
    req = int(s.request_day[0])
    if req < 0:
        return "no formal request; the one-year clock is not running"
    made = model.date_of_day(req).isoformat()
    deadline = model.date_of_day(int(s.deadline_day[0])).isoformat()
    if int(s.request_state[0]) == RequestState.WITHDRAWN:
        return f"the formal request of {made} was taken back; the clock stopped"
    gone = int(s.withdrawal_complete_day[0])
    if gone >= 0:
        return (f"formal request on {made}; the last US troops left on {model.date_of_day(gone).isoformat()}, "
                f"before the deadline of {deadline}")
    if model.days_left is not None:
        return f"formal request on {made}; {model.days_left} days left on the one-year clock (deadline {deadline})"
    if int(s.outcome[0]) >= 0:
        return f"formal request on {made}; the year ran out on {deadline} with US troops still in Iraq"
    return f"formal request on {made}; deadline {deadline}"
