"""Tiny server-drawn SVG charts: bars and a line, readable on a phone, no chart library.

Each chart is one inline <svg> with a viewBox (it scales to the screen's width), a
<title> and aria-label for screen readers, the largest value written on the axis, a
<title> per bar or point (a tooltip on long press), and a few x labels only, so the
text never crowds on a 320-pixel-wide screen. Colours come from CSS classes.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup, escape

Number = int | float | Decimal
WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 10, 22          # room for the axis numbers and x labels


def _fmt(value: Number) -> str:
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{float(value):,.2f}"


def _compact(value: Number) -> str:
    """The axis number, short enough for the narrow margin: 950, 1.2k, 15k, 2.5M."""
    v = float(value)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if v >= limit:
            scaled = v / limit
            return f"{scaled:.1f}{suffix}".replace(".0" + suffix, suffix) if scaled < 10 else f"{scaled:.0f}{suffix}"
    return f"{v:.0f}" if v >= 10 or v.is_integer() else f"{v:.1f}"


def _anchor(i: int, n: int) -> str:
    """Edge labels hang inwards so they are not cut off."""
    return "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"


def _label_indexes(n: int, most: int = 5) -> set[int]:
    """Which x labels to print: the first, the last and evenly spaced ones between."""
    if n <= 7:
        return set(range(n))
    step = (n - 1) / (most - 1)
    return {round(i * step) for i in range(most)}


def _frame(title: str, body: list[str], top_value: str, *, css: str) -> Markup:
    h = HEIGHT - BOTTOM
    parts = [
        f'<svg class="chart {escape(css)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{LEFT}" y1="{h}" x2="{WIDTH - RIGHT}" y2="{h}"/>',
        f'<line class="grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{escape(top_value)}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{h}" text-anchor="end">0</text>',
        *body, "</svg>"]
    return Markup("".join(parts))


def bar_chart(points: Sequence[tuple[str, Number]], *, title: str, css: str = "bars",
              fmt: Callable[[Number], str] = _fmt) -> Markup:
    """Vertical bars, one per (label, value); values must not be negative."""
    n = len(points)
    top = max((float(v) for _, v in points), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(n, 1)
    bar = max(1.0, slot * 0.75)
    shown = _label_indexes(n)
    body = []
    for i, (label, value) in enumerate(points):
        height = plot_h * float(value) / top
        x = LEFT + i * slot + (slot - bar) / 2
        y = TOP + plot_h - height
        body.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}">'
                    f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>")
        if i in shown:
            body.append(f'<text class="tick" x="{x + bar / 2:.1f}" y="{HEIGHT - 6}" text-anchor="{_anchor(i, n)}">'
                        f"{escape(label)}</text>")
    return _frame(title, body, _compact(max((v for _, v in points), default=0)), css=css)


def line_chart(points: Sequence[tuple[str, Number | None]], *, title: str, css: str = "line",
               top: Number | None = None, fmt: Callable[[Number], str] = _fmt) -> Markup:
    """A line through the (label, value) points; None leaves a gap (no data that period)."""
    n = len(points)
    values = [float(v) for _, v in points if v is not None]
    ceiling = float(top) if top is not None else (max(values, default=0) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(n - 1, 1)
    shown = _label_indexes(n)
    body, run = [], []
    for i, (label, value) in enumerate(points):
        x = LEFT + (i * step if n > 1 else plot_w / 2)
        if value is not None:
            y = TOP + plot_h - plot_h * float(value) / ceiling
            run.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                        f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>")
        if value is None or i == n - 1:
            if len(run) > 1:
                body.insert(0, f'<polyline class="stroke" fill="none" points="{" ".join(run)}"/>')
            run = []
        if i in shown:
            body.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{_anchor(i, n)}">'
                        f"{escape(label)}</text>")
    top_label = fmt(top) if top is not None else _compact(max(values, default=0))
    return _frame(title, body, top_label, css=css)
