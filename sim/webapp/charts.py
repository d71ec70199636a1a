"""Charts of the browser app as inline SVG: sharp on a projector at any size, drawn in a
millisecond or two (a Step must stay under 0.3 s) and needing nothing from the internet.
Pure functions of numbers; colours from `sim.style` (Okabe-Ito)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

W, H = 560, 250
LEFT, RIGHT, TOP, BOTTOM = 66, 22, 50, 32
#: font sizes in the charts' own units; drawn 0.85 to 1.6 times as large on a 1280 to 1920 pixel
#: screen, so ticks and legends stay at 16 px or more (tests/test_app_browser.py measures them)
TITLE, TICK, LEGEND, MARK = 21, 19, 19, 18
CHAR = 0.56  # a character's width, as a share of the font size (generous for system-ui)
FONT = "font-family='system-ui,sans-serif'"


@dataclass(frozen=True)
class Series:
    label: str
    ys: Sequence[float | None]
    colour: str
    width: float = 2.5
    dash: str = ""


@dataclass(frozen=True)
class Mark:
    x: float          # in the x units (days since the start)
    label: str
    colour: str


def _e(s: object) -> str:
    return html.escape(str(s))


def _legend_places(series: Sequence[Series]) -> list[tuple[float, int]]:
    """Each legend entry's x and row: entries flow left to right and wrap, with their text's
    width estimated generously, so no two entries overlap."""
    places, x, row = [], 8.0, 0
    for s in series:
        w = 27 + CHAR * LEGEND * len(s.label) + 14
        if x + w > W and x > 8.0:
            x, row = 8.0, row + 1
        places.append((x, row))
        x += w
    return places


def line_chart(title: str, xs: Sequence[float], series: Sequence[Series], *, x_max: float, y_min: float,
               y_max: float, y_ticks: Sequence[float], y_format: str = "{:g}", x_ticks: Sequence[tuple[float, str]] = (),
               marks: Sequence[Mark] = (), note: str = "", css: str = "") -> str:
    """An SVG line chart: x in [0, x_max], y in [y_min, y_max]; None breaks a line; marks
    are dashed vertical lines labelled above the plot (labels closer than 70 px stacked)."""
    places = _legend_places(series)
    height = H + 12 + 26 * (1 + max((row for _x, row in places), default=0))
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + pw * (x / x_max if x_max > 0 else 0.0)

    def py(y: float) -> float:
        return TOP + ph * (1.0 - (min(max(y, y_min), y_max) - y_min) / (y_max - y_min))

    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {W} {height}' class='iw-svg {css}' "
           f"role='img' aria-label='{_e(title)}'>",
           f"<text x='4' y='22' font-size='{TITLE}' font-weight='600' {FONT}>{_e(title)}</text>"]
    for y in y_ticks:
        out.append(f"<line x1='{LEFT}' x2='{W - RIGHT}' y1='{py(y):.1f}' y2='{py(y):.1f}' stroke='#ddd'/>"
                   f"<text x='{LEFT - 6}' y='{py(y) + 6:.1f}' font-size='{TICK}' text-anchor='end' {FONT} class='iw-tick'>"
                   f"{_e(y_format.format(y))}</text>")
    for x, label in x_ticks:
        out.append(f"<text x='{px(x):.1f}' y='{TOP + ph + 24}' font-size='{TICK}' text-anchor='middle' {FONT} "
                   "class='iw-tick'>"
                   f"{_e(label)}</text>")
    out.append(f"<rect x='{LEFT}' y='{TOP}' width='{pw}' height='{ph}' fill='none' stroke='#888'/>")
    ends: list[float] = []  # the right end of the last label on each level
    for m in sorted(marks, key=lambda m: m.x):
        x = px(m.x)
        width = CHAR * MARK * len(m.label) + 6
        left = x + 3 if x + 3 + width <= W else x - 3 - width  # a label near the right edge goes left of its line
        level = next((k for k, end in enumerate(ends) if left > end + 4), len(ends))
        if level == len(ends):
            ends.append(left + width)
        else:
            ends[level] = left + width
        anchor = "start" if left > x else "end"
        tx = x + 3 if anchor == "start" else x - 3
        out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{TOP}' y2='{TOP + ph}' stroke='{m.colour}' "
                   f"stroke-dasharray='5,4' stroke-width='1.5'/>"
                   f"<text x='{tx:.1f}' y='{TOP + 18 + 20 * level}' font-size='{MARK}' fill='{m.colour}' "
                   f"font-weight='600' text-anchor='{anchor}' {FONT} class='iw-mark'>{_e(m.label)}</text>")
    for s in series:
        parts, current = [], []
        for x, y in zip(xs, s.ys):
            if y is None or y != y:
                if current:
                    parts.append(current)
                current = []
            else:
                current.append(f"{px(x):.1f},{py(y):.1f}")
        if current:
            parts.append(current)
        dash = f" stroke-dasharray='{s.dash}'" if s.dash else ""
        for pts in parts:
            if len(pts) == 1:
                cx, cy = pts[0].split(",")
                out.append(f"<circle cx='{cx}' cy='{cy}' r='3.5' fill='{s.colour}'/>")
            else:
                out.append(f"<polyline points='{' '.join(pts)}' fill='none' stroke='{s.colour}' "
                           f"stroke-width='{s.width}'{dash} stroke-linejoin='round'/>")
    if note:
        out.append(f"<text x='{LEFT + pw / 2}' y='{TOP + ph / 2}' font-size='{LEGEND}' fill='#444' text-anchor='middle' "
                   f"{FONT}>{_e(note)}</text>")
    for s, (lx, row) in zip(series, places):
        ly = H + 8 + 26 * row
        dash = f" stroke-dasharray='{s.dash}'" if s.dash else ""
        out.append(f"<line x1='{lx:.1f}' x2='{lx + 22:.1f}' y1='{ly:.1f}' y2='{ly:.1f}' stroke='{s.colour}' "
                   f"stroke-width='{max(s.width, 2.5)}'{dash}/><text x='{lx + 27:.1f}' y='{ly + 6:.1f}' font-size='{LEGEND}' "
                   f"{FONT}>{_e(s.label)}</text>")
    out.append("</svg>")
    return "".join(out)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], colours: Sequence[str], *,
              highlight: int | None = None, highlight_text: str = "", css: str = "") -> str:
    """Horizontal bars of shares in [0, 1]; the bar `highlight` outlined and labelled."""
    row, top, left, width, total = 38, 38, 230, 330, 760
    height = top + row * len(labels) + 10
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {total} {height}' class='iw-svg {css}' role='img' "
           f"aria-label='{_e(title)}'><text x='4' y='22' font-size='{TITLE}' font-weight='600' {FONT}>{_e(title)}</text>"]
    for k, (label, v, c) in enumerate(zip(labels, values, colours)):
        y = top + row * k
        w = width * max(0.0, min(1.0, v))
        stroke = " stroke='#000' stroke-width='3'" if k == highlight else ""
        out.append(f"<text x='{left - 8}' y='{y + 22}' font-size='{TICK}' text-anchor='end' {FONT}>{_e(label)}</text>"
                   f"<rect x='{left}' y='{y + 4}' width='{max(w, 1):.1f}' height='{row - 10}' fill='{c}'{stroke}/>"
                   f"<text x='{left + w + 6:.1f}' y='{y + 22}' font-size='{TICK}' {FONT}>{100 * v:.1f} %"
                   + (f" <tspan font-weight='700'>{_e(highlight_text)}</tspan>" if k == highlight else "")
                   + "</text>")
    out.append("</svg>")
    return "".join(out)
