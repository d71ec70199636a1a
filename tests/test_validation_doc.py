"""docs/validation.md is current (issue 6): its generated blocks are what
`python -m experiments.validation` writes now, with the same root seed and run counts, and
every test it names exists."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import REPO

if str(REPO) not in sys.path:  # experiments/ lives at the repo root, beside sim/
    sys.path.insert(0, str(REPO))

from experiments import validation

DOC = Path(REPO) / "docs" / "validation.md"


def test_the_document_has_every_generated_block():
    text = DOC.read_text(encoding="utf-8")
    for name in validation.BLOCKS:
        assert validation.current_block(text, name) is not None, f"no generated block {name!r} in {DOC}"


def test_ec_block_is_current():
    """The EC car-emissions block (rules, BDM risk values, moves, outcome by round,
    sensitivity) is what the code gives now; regenerate with `python -m experiments.validation`."""
    assert validation.stale_blocks(["ec"]) == [], "docs/validation.md is stale: run python -m experiments.validation"


def test_every_test_named_in_the_document_exists():
    """Each `test_...` name in the document is a test function in tests/."""
    names = set(re.findall(r"\b(test_[a-z0-9_]+)\b", DOC.read_text(encoding="utf-8")))
    files = list((Path(REPO) / "tests").glob("test_*.py"))
    names = {n for n in names if not n.endswith("_")} - {f.stem for f in files}  # file names and globs, not tests
    defined = set()
    for f in files:
        defined |= set(re.findall(r"^def (test_[a-z0-9_]+)\(", f.read_text(encoding="utf-8"), re.M))
    missing = sorted(names - defined)
    assert not missing, f"docs/validation.md names tests that do not exist: {missing}"


def test_every_known_answer_test_is_referenced():
    """Every test of tests/test_known_answers.py appears in the document's known-answer table."""
    text = DOC.read_text(encoding="utf-8")
    tests = re.findall(r"^def (test_[a-z0-9_]+)\(", (Path(REPO) / "tests" / "test_known_answers.py").read_text(), re.M)
    assert tests
    assert [t for t in tests if t not in text] == []


@pytest.mark.slow
def test_all_generated_blocks_are_current():
    """Every number of the document (known answers, experts, rules) re-measured with the
    same root seed and run counts equals the text; about two minutes."""
    assert validation.stale_blocks(list(validation.BLOCKS)) == [], (
        "docs/validation.md is stale: run python -m experiments.validation"
    )
