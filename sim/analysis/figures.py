"""Writing figures: each as PNG (for screens) and SVG (for print), beside the report.

Figures are `matplotlib.figure.Figure` objects made without pyplot, so the analysis sets
no global backend or state; the SVG settings apply only while saving."""

from __future__ import annotations

from pathlib import Path

import matplotlib

SVG_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "sim.analysis"}  # text stays text; stable ids


def save(fig, out_dir: Path, name: str) -> str:
    """Write `name`.png and `name`.svg into out_dir; return the PNG's file name."""
    out_dir = Path(out_dir)
    with matplotlib.rc_context(SVG_SETTINGS):
        fig.savefig(out_dir / f"{name}.png", dpi=110, metadata={"Software": None})
        fig.savefig(out_dir / f"{name}.svg", metadata={"Date": None, "Creator": None})
    return f"{name}.png"
