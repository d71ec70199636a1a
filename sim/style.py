"""How figures look, on paper and on a projector: one colour-blind-safe palette (Okabe &
Ito 2008, distinguishable with every common colour-vision deficiency), readable names in
legends, a sequential colour map for probabilities, and every figure written as PNG at
150 dpi or more, SVG and PDF."""

from __future__ import annotations

from pathlib import Path

import matplotlib

#: Okabe & Ito (2008): black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = OKABE_ITO
GREY = "#7F7F7F"

#: an outcome's colour wherever outcomes are drawn
OUTCOME_COLOURS = {
    "no_request": GREY, "negotiated_drawdown": BLUE, "request_withdrawn": ORANGE,
    "withdrawal_completed": GREEN, "occupation": VERMILLION,
}
#: an outcome's name in a legend or on an axis
OUTCOME_LABELS = {
    "no_request": "no request", "negotiated_drawdown": "negotiated drawdown", "request_withdrawn": "request withdrawn",
    "withdrawal_completed": "withdrawal completed", "occupation": "occupation",
}
#: series colours: troops, Iranian influence, ISIS threat, tension, street, protests, sanctions threat
SERIES_COLOURS = {"troops": BLUE, "iran_influence": GREEN, "isis_threat": VERMILLION, "tension": ORANGE,
                  "mobilisation": PURPLE, "protests": SKY, "threat_level": BLACK}
#: colours of the factions, in the order of the scenario's factions
FACTION_COLOURS = (GREEN, ORANGE, SKY, BLUE, PURPLE, YELLOW, VERMILLION)
#: marker colours on time charts: the formal request, its deadline, a change of PM
MARK_COLOURS = {"request": VERMILLION, "deadline": BLACK, "pm": PURPLE}
#: a sequential colour map for probabilities and shares (perceptually uniform, readable in grey)
SEQUENTIAL = "viridis"
#: PNG resolution
DPI = 150
SAVE_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "sim", "pdf.fonttype": 42}


def faction_label(label: str) -> str:
    """A faction's name for a legend: its label without the seat counts in brackets
    ("Sadrists (Sairoon 54)" -> "Sadrists")."""
    return label.split(" (")[0].strip()


def save_figure(fig, stem: Path | str, formats: tuple[str, ...] = ("png", "svg", "pdf")) -> list[Path]:
    """Write `fig` as stem.png (150 dpi), stem.svg and stem.pdf, with no date or software
    stamp (the same figure gives the same files); returns the paths."""
    stem = Path(stem)
    paths = []
    for ext in formats:
        path = stem.with_suffix(f".{ext}")
        save_figure_as(fig, path, ext)
        paths.append(path)
    return paths


def save_figure_as(fig, path: Path | str, ext: str) -> None:
    """Write `fig` to `path` in format `ext` (png at 150 dpi, svg or pdf), with no date or
    software stamp."""
    meta = {"Software": None} if ext == "png" else {"Date": None, "Creator": None} if ext == "svg" else \
        {"CreationDate": None, "Creator": None, "Producer": None}
    with matplotlib.rc_context(SAVE_SETTINGS):
        fig.savefig(path, dpi=DPI, format=ext, metadata=meta)
