"""Figures for papers and screens (issue 14): PNG at 150 dpi plus SVG and PDF, the
colour-blind-safe palette, readable legend names (never a config key such as
`other_shia`), a sequential colour map for probabilities, and mark labels that never overlap."""

from __future__ import annotations

import struct

from matplotlib.figure import Figure

from sim import style
from sim.abm.model import NegotiationModel
from sim.plots import trajectory_figure


def _png_dpi(data: bytes) -> float:
    i = data.index(b"pHYs")
    x, _y, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1  # pixels per metre
    return x * 0.0254


def test_save_figure_writes_png_svg_pdf(tmp_path):
    fig = Figure(figsize=(4, 3))
    fig.subplots().plot([0, 1], [0, 1])
    paths = style.save_figure(fig, tmp_path / "f")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert round(_png_dpi(paths[0].read_bytes())) >= 150
    assert b"<svg" in paths[1].read_bytes()[:1000] and paths[2].read_bytes()[:5] == b"%PDF-"


def test_palette_and_colour_map():
    assert len(set(style.OKABE_ITO)) == 8
    assert set(style.OUTCOME_COLOURS.values()) <= {*style.OKABE_ITO, style.GREY}
    assert style.SEQUENTIAL == "viridis"
    assert style.faction_label("Sadrists (Sairoon 54)") == "Sadrists"


def test_run_figure_legends_are_readable_and_labels_do_not_overlap():
    m = NegotiationModel.from_scenario("anti_american_pm", 1)
    m.run()
    fig = trajectory_figure(m.trajectory(), m)
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert "Other Shia parties" in labels and "Kurdish parties" in labels
    assert not [x for x in labels if "_" in x]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    marks = [t for t in fig.axes[0].texts if t.get_text() in ("formal request", "new PM", "deadline")]
    # the first request, each new PM, and a deadline only where the last request still stands
    standing = int(m.state.request_state[0]) != 2
    assert len(marks) == 1 + int(m.state.pm_changes[0]) + (1 if standing else 0) + (
        1 if standing and int(m.state.request_day[0]) != m.summary()["formal_request_day"] else 0)
    boxes = [t.get_window_extent(renderer) for t in marks]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j])
