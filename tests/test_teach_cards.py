"""Briefing cards docs/exercises/NAME.md: one per scenario, with the parts the issue asks
for, and generated blocks that match a fresh computation (same seed, same run count), so
their numbers cannot go stale. After a model change: python -m sim.teach facilitator.

Every card has something to find: on each measure its questions ask about, the scenario
differs from the baseline on the cards' own runs (the paired difference's 95 % interval
excludes 0). Every scenario has three discussion questions for after a game, each citing
the article's facts."""

from __future__ import annotations

import re

import pytest

from sim.briefs import discussion_questions, facts
from sim.config import available_scenarios
from sim.ensembles import run_ensemble
from sim.teach import cards, questions

SCENARIOS = available_scenarios()
#: the exercises: the scenarios with a briefing card (Iraq 2020's); a case beside it (docs/cases/)
#: is listed and handed out with a card made from its case (test_cases.py)
EXERCISES = [n for n in SCENARIOS if cards.card_path(n).exists()]
REQUIRED = ["baseline", "anti_american_pm", "max_pressure", "sanctions_bluff", "amicable_dialogue",
            "isis_resurgence", "tehran_escalates", "permanent_caretaker"]


def _section(text: str, title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert m, f"section '## {title}' missing"
    return m.group(1)


def test_the_eight_exercises_exist():
    assert set(REQUIRED) <= set(SCENARIOS)


@pytest.mark.parametrize("name", EXERCISES)
def test_card_has_every_part(name):
    text = cards.read_card(name)
    situation = _section(text, "The situation")
    assert re.search(r"\b20(14|19|20)\b", situation), "the situation gives dates"
    assert re.search(r"\bF\d+\b", situation), "the situation cites fact ids"
    questions = re.findall(r"^\d+\. ", _section(text, "Questions for students"), flags=re.M)
    assert 3 <= len(questions) <= 5
    assert _section(text, "What to look for in the results").strip()
    for tag in ("differences", "facilitator"):
        assert cards.block(text, tag).strip(), f"{tag} block is empty: run python -m sim.teach facilitator"


_ENSEMBLES: dict = {}


def _ensemble(name: str):
    """The cards' own runs of a scenario (FACILITATOR_RUNS under FACILITATOR_SEED), computed once."""
    if name not in _ENSEMBLES:
        _ENSEMBLES[name] = run_ensemble(name, cards.FACILITATOR_RUNS, cards.FACILITATOR_SEED)
    return _ENSEMBLES[name]


@pytest.fixture(scope="module")
def reference():
    return _ensemble(cards.REFERENCE)


@pytest.mark.parametrize("name", EXERCISES)
def test_generated_blocks_are_current(name, reference):
    """The card's numbers and questions equal a fresh computation with the same seed and run
    count, and the questions of sim/teach/questions.py."""
    text = cards.read_card(name)
    e = _ensemble(name)
    expected = cards.facilitator_block(e, None if name == cards.REFERENCE else reference)
    hint = "stale: run `python -m sim.teach facilitator`"
    assert cards.block(text, "facilitator") == expected, hint
    assert cards.block(text, "differences") == cards.differences_block(name), hint
    assert cards.block(text, "questions") == questions.questions_markdown(name), hint


def test_the_questions_have_one_source():
    """Every scenario's questions live in sim/teach/questions.py (and only there: the card's
    block is written from it); each names measures the module defines."""
    assert set(questions.QUESTIONS) == set(EXERCISES)
    for name, qs in questions.QUESTIONS.items():
        assert 3 <= len(qs) <= 5, name
        for q in qs:
            assert set(q.measures) <= set(questions.MEASURES), (name, q.measures)


@pytest.mark.parametrize("name", [n for n in EXERCISES if n != cards.REFERENCE])
def test_every_card_has_something_to_find(name, reference):
    """On every measure its questions ask about, the scenario differs from the baseline over
    the cards' own runs, paired by run: the 95 % interval of the difference excludes 0."""
    found = questions.findings(_ensemble(name), reference)
    assert found, f"{name}: no question of the card asks about something the model measures"
    for f in found:
        assert f.excludes_zero, (f"{name}, question {f.question}: on {f.measure} the scenario does not differ from "
                                 f"the baseline ({f.mean:.4g} against {f.reference:.4g}, difference {f.estimate:+.4g}, "
                                 f"95 % interval {f.low:+.4g} to {f.high:+.4g}): ask about something it changes")


def test_a_question_with_nothing_to_find_is_caught(reference, monkeypatch):
    """The audit's case: tehran_escalates asking whether escalation brings the request closer
    (9.1 % against 8.9 % of runs with a formal request) finds nothing."""
    monkeypatch.setitem(questions.QUESTIONS, "tehran_escalates",
                        (questions.Question("Does escalation bring the formal request closer?", ("request",)),))
    (f,) = questions.findings(_ensemble("tehran_escalates"), reference)
    assert not f.excludes_zero and f.low <= 0 <= f.high


def test_a_paired_comparison_needs_the_same_runs(reference):
    other = run_ensemble("tehran_escalates", 50, cards.FACILITATOR_SEED, first_run=7)
    with pytest.raises(ValueError, match="same root seed and run ids"):
        questions.findings(other, reference)


@pytest.mark.parametrize("name", EXERCISES)
def test_three_discussion_questions_each_citing_the_article(name):
    """The game's debrief shows the card's discussion questions: exactly three, each citing at
    least one fact id of docs/facts.md."""
    qs = discussion_questions(name)
    assert len(qs) == 3, (name, qs)
    known = facts()
    for q in qs:
        ids = re.findall(r"\bF\d{1,2}\b", q)
        assert ids and set(ids) <= set(known), (name, q)


def test_differences_come_from_the_scenario_file():
    block = cards.differences_block("max_pressure")
    assert "`sanctions.credibility`" in block and "| 0.5 | 0.9 |" in block
    assert "F22" in block  # the scenario file's comment travels into the card
    assert "`government.formation_rate`" in cards.differences_block("permanent_caretaker")


def test_replace_block_only_touches_the_block():
    text = "intro\n<!-- facilitator:begin -->\nold\n<!-- facilitator:end -->\noutro\n"
    new = cards.replace_block(text, "facilitator", "new")
    assert new == "intro\n<!-- facilitator:begin -->\nnew\n<!-- facilitator:end -->\noutro\n"
    with pytest.raises(cards.CardError):
        cards.replace_block("no markers", "facilitator", "x")
