"""Briefing cards `docs/exercises/NAME.md`, one per scenario of `configs/scenario/`.

A card is hand-written (the situation with dates and fact ids of docs/facts.md, what to look
for, the discussion questions after a game) except for three blocks written between
markers, so no number in a card is ever typed by hand and its questions have one source:

    <!-- differences:begin --> ... <!-- differences:end -->   what the scenario file changes
    <!-- questions:begin --> ... <!-- questions:end -->       the questions for students
                                                               (`sim.teach.questions`)
    <!-- facilitator:begin --> ... <!-- facilitator:end -->   outcome shares and time to the
                                                               formal request (F4), and what
                                                               each question finds against the
                                                               baseline on the same runs, from
                                                               ensembles of FACILITATOR_RUNS runs

`python -m sim.teach facilitator` rewrites them; `--check` only reports stale cards, and
tests/test_teach_cards.py recomputes them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..config import CONFIG_DIR, run_config, schema
from ..ensembles import Ensemble, run_ensemble, statistics
from ..model.outcomes import OUTCOMES
from . import questions

EXERCISES_DIR = Path(CONFIG_DIR).parent / "docs" / "exercises"
FACILITATOR_RUNS = 2000
FACILITATOR_SEED = 0
REFERENCE = "baseline"
_SKIP = {"name", "title", "description"}

OUTCOME_WORDS = {
    "no_request": "no formal request, no drawdown",
    "negotiated_drawdown": "a negotiated drawdown, no formal request (F5, F19)",
    "request_withdrawn": "a formal request, later taken back",
    "withdrawal_completed": "a formal request and the troops gone within the year (F4)",
    "occupation": "a formal request and troops still there when the year ran out (F4, F11)",
}


class CardError(RuntimeError):
    """A card that is missing or lacks its markers."""


def card_path(name: str) -> Path:
    return EXERCISES_DIR / f"{name}.md"


def read_card(name: str) -> str:
    path = card_path(name)
    if not path.exists():
        raise CardError(f"no briefing card for scenario {name!r} (expected {path})")
    return path.read_text(encoding="utf-8")


def _markers(tag: str) -> tuple[str, str]:
    return f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"


def block(text: str, tag: str) -> str:
    """The text between a card's markers for `tag`."""
    begin, end = _markers(tag)
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        raise CardError(f"markers {begin} ... {end} not found")
    return text[i + len(begin):j].strip("\n")


def replace_block(text: str, tag: str, content: str) -> str:
    begin, end = _markers(tag)
    block(text, tag)  # raises if the markers are missing
    i, j = text.find(begin), text.find(end)
    return text[:i] + begin + "\n" + content.strip("\n") + "\n" + text[j:]


# ------------------------------------------------------------------ what differs from the baseline
def _flatten(obj, prefix="") -> dict:
    out = {}
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def yaml_comments(path: Path) -> dict[str, str]:
    """Trailing comments of a scenario file by dotted key (they carry the fact ids)."""
    line_re = re.compile(r"^(\s*)([\w-]+):\s*([^#]*?)\s*(?:#\s*(.*))?$")
    stack: list[tuple[int, str]] = []
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = line_re.match(line)
        if not m or line.lstrip().startswith("-"):
            continue
        indent = len(m.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, m.group(2)))
        if m.group(4):
            out[".".join(k for _, k in stack)] = m.group(4).strip()
    return out


def _doc(key: str) -> str:
    """The schema's description of a dotted scenario key (e.g. sanctions.credibility)."""
    parts = key.split(".")
    cls = {f.name: f for f in dataclasses.fields(schema.ScenarioConfig)}.get(parts[0])
    if parts[0] == "factions" and len(parts) == 3:
        fields = {f.name: f for f in dataclasses.fields(schema.FactionConfig)}
        return fields[parts[2]].metadata.get("doc", "") if parts[2] in fields else ""
    if cls is None or len(parts) != 2:
        return ""
    section = cls.default_factory
    fields = {f.name: f for f in dataclasses.fields(section)}
    return fields[parts[1]].metadata.get("doc", "") if parts[1] in fields else ""


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a '|' in it would end the cell."""
    return text.replace("|", "\\|")


def differences_block(name: str) -> str:
    """A table of every value the scenario file changes from the baseline, with its source."""
    if name == REFERENCE:
        return "This is the reference scenario: every other exercise is compared with it."
    base = _flatten(dataclasses.asdict(run_config(REFERENCE).scenario))
    mine = _flatten(dataclasses.asdict(run_config(name).scenario))
    comments = yaml_comments(Path(CONFIG_DIR) / "scenario" / f"{name}.yaml")
    rows = ["| parameter | meaning | baseline | this scenario | source (scenario file) |", "|---|---|---|---|---|"]
    for key in sorted(set(base) | set(mine)):
        if key.split(".")[0] in _SKIP or base.get(key) == mine.get(key):
            continue
        rows.append(f"| `{key}` | {_cell(_doc(key))} | {_cell(_fmt(base.get(key, '-')))} "
                    f"| {_cell(_fmt(mine.get(key, '-')))} | {_cell(comments.get(key, ''))} |")
    if len(rows) == 2:
        return "Nothing differs from the baseline."
    head = f"Generated from `configs/scenario/{name}.yaml` by `python -m sim.teach facilitator`; do not edit by hand."
    return head + "\n\n" + "\n".join(rows)


# ------------------------------------------------------------------ the facilitator's numbers
def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def facilitator_block(e: Ensemble, reference: Ensemble | None = None) -> str:
    s = statistics(e)
    lines = [
        f"Generated by `python -m sim.teach facilitator` from {s['runs']:,} runs of the batch engine "
        f"(root seed {s['seed']}, run indices 0 to {s['runs'] - 1}); do not edit by hand.",
        "",
        "| outcome | meaning | share of runs |",
        "|---|---|---|",
    ]
    for name in OUTCOMES:
        lines.append(f"| `{name}` | {OUTCOME_WORDS[name]} | {_pct(s['outcome_shares'][name])} |")
    lines.append("")
    lines.append(f"- Runs with a formal request (F4, F10): {_pct(s['share_with_request'])}; by the end of 2020: "
                 f"{_pct(s['share_request_by_end_2020'])}; by the end of 2021: {_pct(s['share_request_by_end_2021'])}.")
    if s["median_request_week"] is None:
        lines.append("- Median time to the formal request: no run made one.")
    else:
        lines.append(f"- Median time to the formal request, among the runs that made one: week "
                     f"{s['median_request_week']:g} (about {s['median_request_date']}).")
    mt = s["median_time_to_request_week"]
    lines.append(
        f"- Week by which half of all runs had made a formal request: {mt} ({e.week_date(mt).isoformat()})."
        if mt is not None else
        f"- Fewer than half of all runs made a formal request within the {e.horizon_weeks}-week horizon, "
        "so the median time to a request over all runs is not reached."
    )
    if reference is not None:
        r = statistics(reference)
        lines.append(f"- In the baseline (same seed, same runs): {_pct(r['share_with_request'])} with a formal "
                     f"request, {_pct(r['outcome_shares']['occupation'])} ending in occupation.")
    lines += ["", questions.findings_markdown(e, reference)]
    return "\n".join(lines)


def refresh(names, *, check: bool = False, runs: int = FACILITATOR_RUNS, seed: int = FACILITATOR_SEED) -> list[str]:
    """Rewrite the generated blocks of the named cards; with check=True write nothing.
    Returns the names whose cards were (or would be) changed."""
    reference = run_ensemble(REFERENCE, runs, seed)
    changed = []
    for name in names:
        text = read_card(name)
        e = reference if name == REFERENCE else run_ensemble(name, runs, seed)
        new = replace_block(text, "differences", differences_block(name))
        new = replace_block(new, "questions", questions.questions_markdown(name))
        new = replace_block(new, "facilitator", facilitator_block(e, None if name == REFERENCE else reference))
        if new != text:
            changed.append(name)
            if not check:
                card_path(name).write_text(new, encoding="utf-8")
    return changed
