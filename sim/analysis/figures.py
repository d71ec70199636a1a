"""Writing figures: each as PNG (for screens), SVG and PDF (for print), beside the report.

Figures are `matplotlib.figure.Figure` objects made without pyplot, so the analysis sets
no global backend or state; the SVG settings apply only while saving."""

from __future__ import annotations

from pathlib import Path

from ..style import save_figure


def save(fig, out_dir: Path, name: str) -> str:
    """Write `name`.png (150 dpi), `name`.svg and `name`.pdf into out_dir (`sim.style.save_figure`);
    return the PNG's file name."""
    save_figure(fig, Path(out_dir) / name)
    return f"{name}.png"
