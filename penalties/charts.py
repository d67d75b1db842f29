"""Server-rendered SVG charts: the same markup goes into the pages and, later, into the PDF reports."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "Q9 CJK, Noto Sans CJK SC, Microsoft YaHei, sans-serif"  # Q9 CJK: the PDFs' vendored font
COLORS = ["#b3001b", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997"]


def line_chart(
    *,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    width: int = 640,
    height: int = 220,
    percent: bool = True,
) -> str:
    """Lines over days; ``None`` points are gaps. Values 0–1 shown as percentages."""
    left, right, top, bottom = 44, 12, 16, 34
    w, h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    values = [v for _name, vs in series for v in vs if v is not None]
    lo = min(values + [0.8]) if percent else 0
    lo = max(0.0, min(lo, 0.9)) if percent else 0
    hi = 1.0 if percent else max(values + [1])

    def x(i):
        return left + (w * i / max(n - 1, 1))

    def y(v):
        return top + h - (h * (v - lo) / ((hi - lo) or 1))

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'font-family="{FONT}" font-size="11" role="img">'
        )
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e9ecef"/>')
        label = f"{v * 100:.0f}%" if percent else f"{v:.0f}"
        parts.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#6c757d">{label}</text>')
    step = max(1, n // 7)
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" fill="#6c757d">{escape(label)}</text>'
            )
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
            f'<rect x="{left + 8 + s * 110}" y="2" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + 22 + s * 110}" y="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(*, items: list[tuple[str, float]], width: int = 640, bar: int = 20, unit: str = "") -> str:
    """Horizontal bars, one per item (label, value)."""
    label_w, right = 190, 50
    height = max(len(items), 1) * (bar + 6) + 8
    top = max([v for _l, v in items] + [1])
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'font-family="{FONT}" font-size="12" role="img">'
        )
    ]
    for i, (label, value) in enumerate(items):
        yy = 4 + i * (bar + 6)
        length = (width - label_w - right) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{yy + bar * 0.7:.1f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{yy}" width="{length:.1f}" height="{bar}" fill="{COLORS[0]}" rx="2"/>')
        parts.append(f'<text x="{label_w + length + 4:.1f}" y="{yy + bar * 0.7:.1f}">{value:g}{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
