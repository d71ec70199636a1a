"""Handouts of the briefing cards (`python -m sim.teach handout NAME`).

A student's handout is the card without the facilitator's note (the model's answers) and
without the markers of the generated blocks, with the brief of the student's role (the
prime minister, Washington, Tehran, or all three) from the actor registry. The
facilitator's handout is the whole card. Formats: Markdown; HTML (one self-contained
page, large type, printable); PDF (A4 pages drawn with matplotlib, no other tool needed).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from ..briefs import ROLES, student_markdown, to_html
from .cards import read_card

FORMATS = ("md", "html", "pdf")
ROLE_CHOICES = (*ROLES, "all")
_MARKER = re.compile(r"^\s*<!--.*?-->\s*$")


def facilitator_markdown(name: str) -> str:
    """The whole card, markers left out."""
    lines = [line for line in read_card(name).splitlines() if not _MARKER.match(line)]
    return "\n".join(lines).strip() + "\n"


# ------------------------------------------------------------------ PDF (matplotlib, A4)
def write_pdf(markdown: str, path: Path, title: str) -> None:
    """The handout as A4 pages of wrapped text (headings larger and bold; tables in a fixed
    font), drawn with matplotlib's PDF backend."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    width_in, height_in, margin = 8.27, 11.69, 0.8
    blocks: list[tuple[str, str]] = []  # (style, text line)
    for line in markdown.splitlines():
        plain = re.sub(r"\*\*([^*]+)\*\*", r"\1", line).replace("`", "")
        plain = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", plain)
        if plain.startswith("#"):
            level = len(plain) - len(plain.lstrip("#"))
            blocks += [("gap", ""), (f"h{min(level, 3)}", plain.lstrip("# ").strip())]
        elif plain.startswith("|"):
            if set(plain.replace("|", "").strip()) <= set("-: "):
                continue
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", plain.strip().strip("|"))]
            for k, chunk in enumerate(textwrap.wrap(" | ".join(cells), 100) or [""]):
                blocks.append(("table", ("  " if k else "") + chunk))
        elif not plain.strip():
            blocks.append(("gap", ""))
        else:
            indent = "    " if re.match(r"^\s+\S", plain) else ""
            for k, chunk in enumerate(textwrap.wrap(plain.strip(), 84) or [""]):
                blocks.append(("text", (indent if k or indent else "") + chunk))
    sizes = {"h1": (15, "bold", 0.34), "h2": (12.5, "bold", 0.28), "h3": (11, "bold", 0.24),
             "text": (10, "normal", 0.19), "table": (7.5, "normal", 0.15), "gap": (10, "normal", 0.09)}
    with PdfPages(path, metadata={"Title": title, "Creator": None, "Producer": None, "CreationDate": None}) as pdf:
        fig, y = None, 0.0
        for style, text in blocks:
            size, weight, step = sizes[style]
            if fig is None or y - step < margin:
                if fig is not None:
                    pdf.savefig(fig)
                fig = Figure(figsize=(width_in, height_in))
                y = height_in - margin
                if style == "gap":
                    continue
            if text:
                fig.text(margin / width_in, y / height_in, text, fontsize=size, weight=weight, va="top",
                         family="monospace" if style == "table" else "sans-serif")
            y -= step
        if fig is not None:
            pdf.savefig(fig)


def write_handout(name: str, role: str, fmt: str, out: Path, *, facilitator: bool = False) -> Path:
    """Write a handout; returns its path."""
    text = facilitator_markdown(name) if facilitator else student_markdown(name, role, read_card(name))
    title = f"{name}: {'facilitator' if facilitator else 'student handout, ' + role}"
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        out.write_text(text, encoding="utf-8")
    elif fmt == "html":
        out.write_text(to_html(text, title), encoding="utf-8")
    elif fmt == "pdf":
        write_pdf(text, out, title)
    else:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    return out
