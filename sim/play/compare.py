"""Where a played game sits in the model's own distribution, compared fairly: the same
scenario and overrides, the same root seed and the same random world (run index) for the
model's own play of that world, and runs 0..N-1 under the same seed for the distribution.
Uses the batch engine, which reproduces a Mesa run of the same index exactly.

Each role's debrief speaks of that role's own moves: the PM of its formal request (F4,
F10), Washington of its postures, offers and sanctions (F17, F19, F22), Tehran of its
postures and the influence it won (F12, F16, F24)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import run_config, run_params
from ..engines.batch import simulate, summaries
from ..model.action_texts import ROLE_ACTORS
from ..model.actors import ACTORS
from ..model.case import render
from ..model.outcomes import OUTCOMES
from ..style import OUTCOME_LABELS


@dataclass(frozen=True)
class Distribution:
    """The model's own play: its run in the game's world and the columns of runs 0..N-1."""

    own: dict
    cols: dict[str, np.ndarray]
    runs: int

    def share(self, mask: np.ndarray) -> float:
        return float(np.mean(mask))


def model_distribution(scenario: str, seed: int, run_index: int, runs: int = 1000,
                       overrides: Sequence[str] = ()) -> Distribution:
    p = run_params(scenario, seed, tuple(overrides))
    own = summaries(p, [run_index])[0]
    cols = simulate(p, np.arange(runs, dtype=np.int64))
    return Distribution(own, {k: np.asarray(v) for k, v in cols.items()}, runs)


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _label(outcome: str | None) -> str:
    """An outcome in plain words (`sim.style.OUTCOME_LABELS`): what a student reads."""
    return "not decided yet" if outcome is None else OUTCOME_LABELS.get(outcome, outcome)


def outcome_lines(played: dict, d: Distribution, scenario: str, seed: int, run_index: int) -> list[str]:
    """The outcome against the model's, in plain words: the outcomes' labels, the
    scenario's title (the code names are for the command line, not for students)."""
    own = d.own
    outcome = played["outcome"]
    own_req = own["formal_request_week"]
    title = run_config(scenario).scenario.title
    lines = [
        f"The model in this same world (\"{title}\", seed {seed}, run {run_index}), with no player: "
        f"{_label(own['outcome'])}"
        + (f", formal request in week {own_req}" if own_req is not None else ", no formal request") + ".",
        ("You reached the same outcome as the model." if own["outcome"] == outcome
         else f"You reached {_label(outcome)}; the model reached {_label(own['outcome'])}."),
        f"The model's distribution over runs 0 to {d.runs - 1} (seed {seed}):",
    ]
    codes = d.cols["outcome"].astype(np.int64)
    for k, name in enumerate(OUTCOMES):
        mark = "   <- your outcome" if name == outcome else ""
        lines.append(f"  {_label(name):22s} {100 * float(np.mean(codes == k)):5.1f} %{mark}")
    if outcome in OUTCOMES:
        rare = float(np.mean(codes == OUTCOMES.index(outcome)))
        lines.append(f"Your outcome happens in {_pct(rare)} of the model's runs" + (": a rare result." if rare < 0.05
                                                                                     else "."))
    return lines


def role_lines(role: str, played: dict, d: Distribution, moves: list[str], case: object | None = None) -> list[str]:
    """The debrief of one role: its own moves, set against the model's play of the same role,
    in the words of `case` (`sim.model.case.CaseConfig`; None: Iraq 2020's)."""
    return [render(line, case) for line in _role_lines(role, played, d, moves, getattr(case, "rival", None) or "Iran")]


def _role_lines(role: str, played: dict, d: Distribution, moves: list[str], rival: str) -> list[str]:
    c, own = d.cols, d.own
    made = ", ".join(moves) if moves else "none: you kept your course every turn"
    if role == "pm":
        req = played["formal_request_week"]
        w = c["formal_request_week"]
        lines = [f"As the prime minister, your moves: {made}."]
        if req is not None:
            lines.append(f"Your formal request came in week {req}; {_pct(float(((w >= 0) & (w < req)).mean()))} of the "
                         f"model's runs made one earlier, {_pct(float((w >= 0).mean()))} made one at all "
                         f"(the model's PM in this world: "
                         f"{'week ' + str(own['formal_request_week']) if own['formal_request_week'] is not None else 'none'}).")
        else:
            lines.append(f"You made no formal request; {_pct(float((w < 0).mean()))} of the model's runs made none either.")
        lines.append(f"Drawdowns agreed: {played['drawdowns_agreed']} (the model's runs: {float(c['drawdowns_agreed'].mean()):.2f}"
                     " on average).")
        return lines
    if role == "washington":
        imposed = c["sanctions_imposed"].astype(bool)
        return [
            f"As Washington, your moves: {made}.",
            f"You changed posture {_times(played['washington_posture_changes'])}; the model's Washington "
            f"{float(c['washington_posture_changes'].mean()):.1f} times on average "
            f"({own['washington_posture_changes']} in this world).",
            f"Sanctions imposed: {'yes' if played['sanctions_imposed'] else 'no'}; the model imposed them in "
            f"{_pct(float(imposed.mean()))} of its runs ({'yes' if own['sanctions_imposed'] else 'no'} in this world).",
            f"US troops at the end: {played['final_troops']:,.0f}; the model's runs: median "
            f"{float(np.median(c['final_troops'])):,.0f}.",
        ]
    if role == "tehran":
        inf = c["final_iran_influence"]
        mine = played["final_iran_influence"]
        lower, higher = float((inf < mine).mean()), float((inf > mine).mean())
        return [
            f"As Tehran, your moves: {made}.",
            f"You changed posture {_times(played['tehran_posture_changes'])}; the model's Tehran "
            f"{float(c['tehran_posture_changes'].mean()):.1f} times on average ({own['tehran_posture_changes']} in this world).",
            f"Iranian influence in Baghdad at the end (0 = none, 1 = {rival} decides; F24): {mine:.2f}. The model's runs "
            f"ended lower in {_pct(lower)} of them and higher in {_pct(higher)} (median "
            f"{float(np.median(inf)):.2f}; {own['final_iran_influence']:.2f} when the model played this same world)"
            + (f": your Tehran did better for {rival} than the model's ever did." if higher == 0 and lower > 0 else
               f": your Tehran did worse for {rival} than the model's ever did." if lower == 0 and higher > 0 else "."),
        ]
    # any other playable actor: its moves and how often it changed course, against the model's
    if role not in ROLE_ACTORS:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLE_ACTORS)}")
    actor = ROLE_ACTORS[role]
    column = f"{actor}_posture_changes"
    lines = [f"As {ACTORS[actor].title}, your moves: {made}."]
    if column in c and column in played:
        lines.append(f"You changed course {_times(played[column])}; the model's {ACTORS[actor].title} "
                     f"{float(c[column].mean()):.1f} times on average ({own[column]} in this world).")
    return lines


def comparison(scenario: str, seed: int, run_index: int, played: dict, runs: int = 1000,
               roles: Sequence[str] = (), moves: dict[str, list[str]] | None = None,
               overrides: Sequence[str] = ()) -> str:
    """A report comparing the played summary `played` with the model: the outcome, then
    each role's own moves (`moves[role]`: the moves that player made, in words)."""
    d = model_distribution(scenario, seed, run_index, runs, overrides)
    lines = outcome_lines(played, d, scenario, seed, run_index)
    case = run_config(scenario).scenario.case
    for role in roles:
        lines.append("")
        lines += role_lines(role, played, d, (moves or {}).get(role, []), case)
    return "\n".join(lines)


def comparison_parts(scenario: str, seed: int, run_index: int, played: dict, runs: int = 1000,
                     roles: Sequence[str] = (), moves: dict[str, list[str]] | None = None,
                     overrides: Sequence[str] = ()) -> dict:
    """The comparison in parts, for a page: `text` (as `comparison`), `outcome_lines`,
    `role_lines` {role: lines}, `shares` {outcome: share of the model's runs}, `own` (the
    model's own run of the same world) and `runs`."""
    d = model_distribution(scenario, seed, run_index, runs, overrides)
    head = outcome_lines(played, d, scenario, seed, run_index)
    case = run_config(scenario).scenario.case
    per_role = {role: role_lines(role, played, d, (moves or {}).get(role, []), case) for role in roles}
    codes = d.cols["outcome"].astype(np.int64)
    shares = {name: float(np.mean(codes == k)) for k, name in enumerate(OUTCOMES)}
    text = "\n".join(head + [line for role in roles for line in ["", *per_role[role]]])
    return {"text": text, "outcome_lines": head, "role_lines": per_role, "shares": shares, "own": d.own,
            "runs": runs}
