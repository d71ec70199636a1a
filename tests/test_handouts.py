"""Handouts (issue 14): a student's version of every card holds no answers (no
facilitator's note, no generated numbers of it, no markers) and the brief of the student's
role; the facilitator's holds the whole card; HTML and PDF are written; bad input exits 2."""

from __future__ import annotations

import pytest

from sim.model.actors import ROLES
from sim.teach import cards, handouts
from sim.teach.__main__ import main


@pytest.mark.parametrize("name", ["baseline", "anti_american_pm", "max_pressure"])
def test_the_student_version_has_no_answers(name):
    card = cards.read_card(name)
    note = cards.block(card, "facilitator")
    for role in (*ROLES, "all"):
        text = handouts.student_markdown(name, role)
        assert "Facilitator" not in text and "<!--" not in text and "do not edit by hand" not in text
        for line in note.splitlines():
            if "%" in line:
                assert line not in text  # none of the model's shares
        briefs = [r for r in ROLES if ROLES[r].brief in text]
        assert briefs == (list(ROLES) if role == "all" else [role])
        assert "## Questions for students" in text
    full = handouts.facilitator_markdown(name)
    assert "## Facilitator's note" in full and note.splitlines()[-1] in full and "<!--" not in full


def test_html_and_pdf(tmp_path):
    html_path = handouts.write_handout("anti_american_pm", "washington", "html", tmp_path / "h.html")
    page = html_path.read_text()
    assert page.startswith("<!doctype html>") and "<table>" in page and "<h2>Your role</h2>" in page
    assert "<ol><li>" in page and "Facilitator" not in page and "<!--" not in page
    assert "@page{size:A4" in page and "CC BY 4.0" in page and "The facts cited on this handout" in page
    letter = handouts.write_handout("anti_american_pm", "pm", "html", tmp_path / "l.html", paper="letter")
    assert "@page{size:letter" in letter.read_text()


def test_every_handout_defines_the_fact_ids_it_cites():
    """Issue 27: a glossary of the fact ids used on each handout, and its licence."""
    from sim.briefs import cited, facts

    known = facts()
    assert sorted(known, key=lambda k: int(k[1:])) == [f"F{i}" for i in range(1, 25)]
    for name in ("baseline", "max_pressure", "calibrated"):
        for text in (handouts.handout_markdown(name, "pm"), handouts.handout_markdown(name, facilitator=True)):
            body, glossary = text.split("## The facts cited on this handout")
            for fid in cited(body):
                assert f"| {fid} | {known[fid]}" in glossary, (name, fid)
            assert set(cited(glossary.split("|---|---|")[1])) == set(cited(body))
            assert text.rstrip().endswith("Middle East Eye, January 2020.") and "CC BY 4.0" in text


def test_brief_prints_the_students_card_and_facilitator_the_whole(capsys):
    assert main(["brief", "max_pressure"]) == 0
    student = capsys.readouterr().out
    assert "<!--" not in student and "Facilitator" not in student and "77.5 %" not in student
    assert "## Discussion after the game" in student
    assert main(["brief", "max_pressure", "--facilitator"]) == 0
    whole = capsys.readouterr().out
    assert "<!--" not in whole and "## Facilitator's note" in whole and "% |" in whole


@pytest.mark.parametrize("name", sorted(cards.EXERCISES_DIR.glob("*.md")))
def test_what_to_look_for_gives_no_answer(name):
    """Issue 27: 'What to look for' points at results, it does not state the model's answers."""
    if name.stem == "README":
        return
    text = name.read_text()
    look = text.split("## What to look for in the results")[1].split("\n## ")[0]
    assert "known answer" not in look.lower() and "%" not in look


def test_the_command(tmp_path, capsys):
    out = tmp_path / "pm.md"
    assert main(["handout", "baseline", "--role", "pm", "--out", str(out)]) == 0
    assert "## Your role" in out.read_text()
    fac = tmp_path / "f.html"
    assert main(["handout", "baseline", "--facilitator", "--format", "html", "--out", str(fac)]) == 0
    assert "Facilitator" in fac.read_text()


@pytest.mark.parametrize("args", [["handout", "atlantis"], ["handout", "baseline", "--role", "king"],
                                  ["handout", "baseline", "--format", "docx"]])
def test_bad_input_exits_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
