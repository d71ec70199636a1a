"""Briefing cards docs/exercises/NAME.md: one per scenario, with the parts the issue asks
for, and generated blocks that match a fresh computation (same seed, same run count), so
their numbers cannot go stale. After a model change: python -m sim.teach facilitator."""

from __future__ import annotations

import re

import pytest

from sim.config import available_scenarios
from sim.ensembles import run_ensemble
from sim.teach import cards

SCENARIOS = available_scenarios()
REQUIRED = ["baseline", "anti_american_pm", "max_pressure", "sanctions_bluff", "amicable_dialogue",
            "isis_resurgence", "tehran_escalates", "permanent_caretaker"]


def _section(text: str, title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert m, f"section '## {title}' missing"
    return m.group(1)


def test_the_eight_exercises_exist():
    assert set(REQUIRED) <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
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


@pytest.fixture(scope="module")
def reference():
    return run_ensemble(cards.REFERENCE, cards.FACILITATOR_RUNS, cards.FACILITATOR_SEED)


@pytest.mark.parametrize("name", SCENARIOS)
def test_generated_blocks_are_current(name, reference):
    """The card's numbers equal a fresh computation with the same seed and run count."""
    text = cards.read_card(name)
    e = reference if name == cards.REFERENCE else run_ensemble(name, cards.FACILITATOR_RUNS, cards.FACILITATOR_SEED)
    expected = cards.facilitator_block(e, None if name == cards.REFERENCE else reference)
    hint = "stale: run `python -m sim.teach facilitator`"
    assert cards.block(text, "facilitator") == expected, hint
    assert cards.block(text, "differences") == cards.differences_block(name), hint


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
