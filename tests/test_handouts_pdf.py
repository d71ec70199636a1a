"""Handouts printed to PDF by headless Chromium (issue 27), rendered back with PDFium
(pypdfium2, the engine of Chromium's own PDF viewer): A4 and Letter pages of the right
size; every character inside the page with its margins (no title cut at the right edge);
the text at 9 pt or more; tables as tables (no rows of pipes); the student's version without
the answers and the facilitator's with them; both with their glossary and licence. With
UPDATE_SCREENSHOT=1 the first page of each is written to docs/img/ (the README's pictures)."""

from __future__ import annotations

import os

import pytest
from browsertools import CHROMIUM
from conftest import REPO

from sim.teach import handouts

pdfium = pytest.importorskip("pypdfium2")
import pypdfium2.raw as pdfium_c  # noqa: E402

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (bash scripts/install_browser.sh)")

#: page sizes in points, and the least margin every character keeps from the page's edge
SIZES = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
MARGIN_PT = 28  # 10 mm; the print style asks for 15 to 16 mm


def _pages(path):
    pdf = pdfium.PdfDocument(str(path))
    out = []
    for page in pdf:
        text = page.get_textpage()
        n = text.count_chars()
        boxes = [text.get_charbox(i) for i in range(n)]
        sizes = [pdfium_c.FPDFText_GetFontSize(text.raw, i) for i in range(n)]
        chars = text.get_text_range()
        out.append((page, page.get_size(), chars, boxes, sizes))
    return pdf, out


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("who", ["student", "facilitator"])
def test_a_handout_pdf_is_typeset_inside_its_pages(tmp_path, paper, who):
    path = handouts.write_handout("anti_american_pm", "pm", "pdf", tmp_path / f"{who}.pdf",
                                  facilitator=who == "facilitator", paper=paper)
    pdf, pages = _pages(path)
    assert 1 <= len(pages) <= 6
    text = "".join(p[2] for p in pages)
    flat = " ".join(text.split())
    for _page, (w, h), chars, boxes, sizes in pages:
        assert abs(w - SIZES[paper][0]) < 1.5 and abs(h - SIZES[paper][1]) < 1.5, (w, h)
        for ch, (left, bottom, right, top) in zip(chars, boxes):
            if ch.isspace() or right <= left:
                continue
            assert MARGIN_PT <= left and right <= w - MARGIN_PT, (ch, left, right, w)
            assert MARGIN_PT <= bottom and top <= h - MARGIN_PT, (ch, bottom, top, h)
        assert min(s for s, ch in zip(sizes, chars) if not ch.isspace()) >= 9.0
    assert "Exercise: a very anti-American PM with a majority" in flat  # the title, whole
    assert "The facts cited on this handout" in flat and "CC BY 4.0" in flat
    assert "<!--" not in text and " | " not in text  # no markers, no rows of pipes
    assert ("Facilitator" in flat) == (who == "facilitator")
    assert ("share of runs" in flat) == (who == "facilitator")  # the model's answers
    if paper == "a4" and os.environ.get("UPDATE_SCREENSHOT") == "1":
        pages[0][0].render(scale=1.4).to_pil().save(REPO / "docs" / "img" / f"handout_{who}.png")
    image = pages[0][0].render(scale=1.0).to_pil()
    assert image.size == (round(pages[0][1][0]), round(pages[0][1][1]))
    pdf.close()


def test_no_browser_is_one_clear_line(tmp_path, monkeypatch, capsys):
    from sim.teach.__main__ import main

    monkeypatch.setattr(handouts, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(handouts.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit) as exc:
        main(["handout", "baseline", "--format", "pdf", "--out", str(tmp_path / "x.pdf")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "headless Chromium" in err[0] and "install_browser.sh" in err[0]
    assert not (tmp_path / "x.pdf").exists()
