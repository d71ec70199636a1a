"""Handouts of the briefing cards (`python -m sim.teach handout NAME`).

A student's handout is the card without the facilitator's note (the model's answers) and
without the markers of the generated blocks, with the brief of the student's role (the
prime minister, Washington, Tehran, or all three) from the actor registry. The
facilitator's handout is the whole card, markers left out. Both end with a glossary of the
fact ids they cite (what the article says, docs/facts.md) and state their licence (CC BY
4.0, LICENSE-docs.md).

Formats: Markdown; HTML (one self-contained page, large type, printable); PDF, typeset from
that HTML by headless Chromium (/usr/bin/chromium, as the browser tests use) on A4 or Letter
paper: the browser's own line breaking, fonts and tables.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..briefs import DOCS_LICENCE, ROLES, glossary_markdown, student_markdown, to_html
from .cards import read_card

FORMATS = ("md", "html", "pdf")
ROLE_CHOICES = (*ROLES, "all")
PAPERS = {"a4": "A4", "letter": "letter"}
_MARKER = re.compile(r"^\s*<!--.*?-->\s*$")
#: the browser that typesets the PDF (Debian's chromium: bash scripts/install_browser.sh)
CHROMIUM = Path("/usr/bin/chromium")


class HandoutError(RuntimeError):
    """A handout that cannot be made here (no browser to typeset the PDF, or it failed)."""


def facilitator_markdown(name: str) -> str:
    """The whole card, markers left out."""
    lines = [line.replace("; do not edit by hand.", ".") for line in read_card(name).splitlines()
             if not _MARKER.match(line)]
    return "\n".join(lines).strip() + "\n"


def handout_markdown(name: str, role: str = "all", facilitator: bool = False) -> str:
    """The handout's text: the student's card (no answers) or the facilitator's, a glossary
    of the fact ids it cites, and its licence."""
    if facilitator:
        text = facilitator_markdown(name)
        title_end = text.index("\n") + 1 if text.startswith("# ") else 0
        text = (text[:title_end] + "\n**Facilitator's handout**: with the model's answers; not for students.\n"
                + text[title_end:])
    else:
        text = student_markdown(name, role, read_card(name))
    glossary = glossary_markdown(text)
    return text.rstrip() + "\n\n" + (glossary + "\n" if glossary else "") + f"---\n\n{DOCS_LICENCE}\n"


def print_css(paper: str) -> str:
    size = PAPERS[paper]
    return (f"@page{{size:{size};margin:16mm 15mm 16mm 15mm}}"
            "@media print{body{font-size:11pt;line-height:1.35;max-width:none;margin:0;padding:0}"
            "h1{font-size:17pt;margin:0 0 6pt}h2{font-size:13.5pt;margin:12pt 0 4pt;break-after:avoid}"
            "table{font-size:9.5pt;width:100%;table-layout:auto}th,td{overflow-wrap:normal;word-break:normal}"
            "tr,li{break-inside:avoid}code{font-size:9.5pt;overflow-wrap:anywhere;word-break:break-all}}"
            "h1{overflow-wrap:anywhere;hyphens:auto}p,li{overflow-wrap:anywhere}")


def handout_html(text: str, title: str, paper: str = "a4") -> str:
    page = to_html(text, title)
    return page.replace("</style>", print_css(paper) + "</style>", 1)


def write_pdf(html_text: str, path: Path, *, chromium: Path | None = None, timeout: float = 120) -> None:
    """Print an HTML page to PDF with headless Chromium (its page size from the page's CSS)."""
    chromium = CHROMIUM if chromium is None else chromium
    found = shutil.which("chromium")
    browser = chromium if chromium.exists() else (Path(found) if found else None)
    if browser is None or not browser.exists():
        raise HandoutError(f"a PDF handout is typeset by headless Chromium, and {chromium} is missing "
                           "(bash scripts/install_browser.sh); --format html gives the same page to print")
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="handout-") as tmp:
        page = Path(tmp) / "handout.html"
        page.write_text(html_text, encoding="utf-8")
        out = Path(tmp) / "handout.pdf"
        cmd = [str(browser), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
               f"--print-to-pdf={out}", page.as_uri()]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise HandoutError(f"Chromium did not print the handout within {timeout:g} s") from None
        if r.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            raise HandoutError(f"Chromium could not print the handout (exit {r.returncode}): "
                               f"{(r.stderr or '').strip().splitlines()[-1:] or ''}")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), path)


def write_handout(name: str, role: str, fmt: str, out: Path, *, facilitator: bool = False,
                  paper: str = "a4") -> Path:
    """Write a handout; returns its path."""
    if paper not in PAPERS:
        raise ValueError(f"paper {paper!r} is not one of {', '.join(PAPERS)}")
    text = handout_markdown(name, role, facilitator)
    title = f"{name}: {'facilitator' if facilitator else 'student handout, ' + role}"
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        out.write_text(text, encoding="utf-8")
    elif fmt == "html":
        out.write_text(handout_html(text, title, paper), encoding="utf-8")
    elif fmt == "pdf":
        write_pdf(handout_html(text, title, paper), out)
    else:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    return out
