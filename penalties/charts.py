"""Server-rendered SVG charts: the same markup goes into the pages and into the PDF reports. Every value axis starts
at zero and is marked at round numbers (1, 2 or 5 times a power of ten; 0–100 % by quarters); labels that would
not fit are shortened with …, never cut by the chart's edge."""

from __future__ import annotations

import math
import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "Q9 CJK, Noto Sans CJK SC, Microsoft YaHei, sans-serif"  # Q9 CJK: the PDFs' vendored font
COLORS = ["#b3001b", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997"]
MUTED = "#6c757d"


def nice_ticks(top: float, *, count: int = 4) -> list[float]:
    """Round ticks from 0 to at least ``top``: 0, 5, 10, 15, 20 for 17; 0, 1, 2, 3 for 3; 0, 1 for 0."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1.0  # counts: never a tick between two whole numbers
    n = math.ceil(top / step - 1e-9)
    return [round(k * step, 6) for k in range(n + 1)]


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` px, near enough: a CJK character is a square, a Latin one about half."""
    return sum(size if unicodedata.east_asian_width(c) in ("W", "F") else size * 0.58 for c in text)


def fitted(text: str, width: float, size: float) -> str:
    """``text`` shortened with … to fit ``width`` px."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def line_chart(
    *,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    width: int = 640,
    height: int = 240,
    percent: bool = True,
) -> str:
    """Lines over days or weeks; ``None`` points are gaps. Values 0–1 shown as percentages (axis 0–100 %), others on
    an axis from zero at round numbers."""
    size = 12
    left, right, top, bottom = 52, 16, 24, 30
    w, h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    values = [v for _name, vs in series for v in vs if v is not None]
    ticks = [0, 0.25, 0.5, 0.75, 1.0] if percent else nice_ticks(max(values + [0]))
    hi = ticks[-1]

    def x(i):
        return left + (w * i / max(n - 1, 1)) if n > 1 else left + w / 2

    def y(v):
        return top + h - h * v / (hi or 1)

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'font-family="{FONT}" font-size="{size}" role="img">'
        )
    ]
    for v in ticks:
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e9ecef"/>')
        label = f"{v * 100:.0f}%" if percent else _number(v)
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="{MUTED}">{label}</text>')
    parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#adb5bd"/>')
    widest = max([text_width(str(label), size) for label in labels] + [1])
    step = max(1, math.ceil(n / max(1, int(w // (widest + 12)))))
    for i, label in enumerate(labels):
        if i % step and i != n - 1:
            continue
        if i == n - 1 and i % step and n - 1 - (i - i % step) < step / 2 + 0.5:
            continue  # the last label would sit on the one before it
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="{anchor}" fill="{MUTED}">{escape(label)}</text>'
        )
    legend_x = left
    for s, (name, vs) in enumerate(series):
        color = COLORS[s % len(COLORS)]
        path, pen = [], False
        for i, v in enumerate(vs):
            if v is None:
                pen = False
                continue
            path.append(f"{'L' if pen else 'M'}{x(i):.1f},{y(v):.1f}")
            pen = True
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{color}"/>')
        if path:
            parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2"/>')
        parts.append(
            f'<rect x="{legend_x}" y="4" width="10" height="10" fill="{color}"/>'
            f'<text x="{legend_x + 14}" y="13">{escape(name)}</text>'
        )
        legend_x += 14 + text_width(str(name), size) + 18
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(*, items: list[tuple], width: int = 640, bar: int = 20, unit: str = "") -> str:
    """Horizontal bars from zero, one per item (label, value) or (label, value, link): a link makes the label and
    the bar open it. The value axis below is marked at round numbers."""
    size = 12
    label_w, right, axis = 190, 56, 22
    plot = width - label_w - right
    ticks = nice_ticks(max([float(item[1]) for item in items] + [0]))
    top = ticks[-1] or 1
    rows_h = max(len(items), 1) * (bar + 6) + 4
    height = rows_h + axis
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'font-family="{FONT}" font-size="{size}" role="img">'
        )
    ]
    for v in ticks:
        xx = label_w + plot * v / top
        parts.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="0" y2="{rows_h}" stroke="#e9ecef"/>')
        parts.append(
            f'<text x="{xx:.1f}" y="{rows_h + 15}" text-anchor="middle" fill="{MUTED}">{_number(v)}{escape(unit)}</text>'
        )
    for i, item in enumerate(items):
        label, value = str(item[0]), float(item[1])
        link = item[2] if len(item) > 2 else None
        yy = 4 + i * (bar + 6)
        length = plot * value / top
        shown = fitted(label, label_w - 10, size)
        fill = ' fill="#0d6efd"' if link else ""
        row = (
            f'<title>{escape(label)}</title><text x="{label_w - 6}" y="{yy + bar * 0.7:.1f}" text-anchor="end"'
            f"{fill}>{escape(shown)}</text>"
            f'<rect x="{label_w}" y="{yy}" width="{length:.1f}" height="{bar}" fill="{COLORS[0]}" rx="2"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{yy + bar * 0.7:.1f}">{_number(value)}{escape(unit)}</text>'
        )
        parts.append(f'<a href="{escape(link)}">{row}</a>' if link else f"<g>{row}</g>")
    parts.append(f'<line x1="{label_w}" x2="{label_w}" y1="0" y2="{rows_h}" stroke="#adb5bd"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
