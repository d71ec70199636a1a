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
    pdf = handouts.write_handout("anti_american_pm", "all", "pdf", tmp_path / "h.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1


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
