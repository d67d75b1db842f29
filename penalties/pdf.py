"""PDF documents.

WeasyPrint documents (``pdf_render``): A4, the vendored CJK font (``core.cjk_font``, through ``@font-face``) first
in every font stack (page margin boxes included), page numbers, generated time, tables whose header repeats on
every page, SVG charts.

Long tables (``long_table_pdf``): WeasyPrint lays a long table out at ~3 pages a second and keeps ~5 MB a page until
the process ends, so a province's weekly detail of 20,000 rows (~430 pages) took minutes and gigabytes. The long
table is drawn with ReportLab instead, in the same font (the vendored TrueType, embedded and subset), the same page
box, running header, generated time and 第 N 页 / 共 M 页 footer, its header row repeated on every page. Rows are
streamed twice from an iterator factory: once to count the pages (so 共 M 页 is right on every page, the WeasyPrint
part included), once to draw; nothing but the rows-per-page list is kept, so memory does not grow with the rows.
``pdf_join`` appends the parts (pypdf)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from weasyprint import HTML

from core import cjk_font


@dataclass
class Pdf:
    content: bytes
    pages: int


def pdf_render(template: str, context: dict) -> Pdf:
    """A WeasyPrint document. ``pages_total`` in the context replaces the footer's own page count (a document
    that is the first part of a joined one)."""
    html = render_to_string(template, {"generated_at": timezone.localtime(), **context})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return Pdf(content=document.write_pdf(), pages=len(document.pages))


def pdf_join(parts: Sequence[bytes]) -> bytes:
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# the page box and type of templates/pdf/_base.html, in points
PAGE_W, PAGE_H = A4
TOP, RIGHT, BOTTOM, LEFT = 20 * mm, 14 * mm, 18 * mm, 14 * mm
SIZE, SMALL, H2 = 9, 8, 11
LEADING = 11.5  # WeasyPrint's normal line height for the font at 9 pt (47 rows a page)
PAD_V, PAD_H = 2, 4
INK, GREY, RULE = HexColor("#212529"), HexColor("#666666"), HexColor("#cccccc")
HEAD_BG, TOTAL_BG = HexColor("#f1f3f5"), HexColor("#fafafa")


@dataclass(frozen=True)
class Column:
    title: str
    width_mm: float
    right: bool = False


class _Layout:
    """Wrapping and row heights (a bounded cache: names and labels repeat, order numbers do not)."""

    def __init__(self, columns: Sequence[Column], font: str):
        self.font = font
        self.widths = [c.width_mm * mm for c in columns]
        self.inner = [w - 2 * PAD_H for w in self.widths]
        self._cache: dict[tuple[str, int], tuple[str, ...]] = {}

    def lines(self, text: str, i: int) -> tuple[str, ...]:
        if not text:
            return ("",)
        key = (text, i)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        width = self.inner[i]
        if stringWidth(text, self.font, SIZE) <= width:
            result: tuple[str, ...] = (text,)
        else:  # break anywhere (CJK), as the browser does in a narrow cell
            out, line = [], ""
            for ch in text:
                if line and stringWidth(line + ch, self.font, SIZE) > width:
                    out.append(line)
                    line = ch
                else:
                    line += ch
            out.append(line)
            result = tuple(out)
        if len(self._cache) > 8192:
            self._cache.clear()
        self._cache[key] = result
        return result

    def height(self, cells: Sequence[str]) -> float:
        return max(len(self.lines(text, i)) for i, text in enumerate(cells)) * LEADING + 2 * PAD_V


@dataclass
class LongTable:
    """A table of any length: ``rows()`` answers a fresh iterator of rows (tuples of strings) each time it is
    called; ``total`` is the last, bold row (its first cell spans ``total_span`` columns)."""

    columns: Sequence[Column]
    rows: Callable[[], Iterable[Sequence[str]]]
    heading: str = ""
    total: Sequence[str] = ()
    total_span: int = 1
    lead: Sequence[str] = ()  # paragraphs under the heading on the first page, wrapped at the page's width

    def lead_lines(self, font: str) -> list[str]:
        return [line for text in self.lead for line in wrap(text, font, PAGE_W - LEFT - RIGHT)]

    def _total_cells(self) -> list[str]:
        return [self.total[0], *[""] * (self.total_span - 1), *self.total[1:]] if self.total else []

    def paginate(self, layout: _Layout) -> list[int]:
        """Rows on each page (the total row counted as a row), first pass."""
        head = layout.height([c.title for c in self.columns])
        room = PAGE_H - TOP - BOTTOM
        free = room - (self._heading_height(layout.font) if self.heading else 0) - head
        pages, n = [], 0
        rows = iter(self.rows())
        total = self._total_cells()
        for cells in _chain(rows, [total] if total else []):
            h = layout.height(cells)
            if h > free and n:
                pages.append(n)
                n, free = 0, room - head
            n += 1
            free -= h
        pages.append(n)
        return pages

    def _heading_height(self, font: str) -> float:
        lead = self.lead_lines(font)
        return 12 + H2 * 1.4 + 4 + (len(lead) * LEADING + 6 if lead else 0)


def wrap(text: str, font: str, width: float, size: float = SIZE) -> list[str]:
    """Break anywhere (CJK), as the browser does."""
    out, line = [], ""
    for ch in text:
        if line and stringWidth(line + ch, font, size) > width:
            out.append(line)
            line = ch
        else:
            line += ch
    out.append(line)
    return out


def _chain(*iterables):
    for it in iterables:
        yield from it


def long_table_pdf(
    table: LongTable,
    *,
    running: str,
    generated_at: datetime,
    first_page: int = 1,
    pages_total: int | None = None,
    layout: tuple[_Layout, list[int]] | None = None,
) -> Pdf:
    """Draw ``table`` on A4 pages numbered from ``first_page`` of ``pages_total`` (default: this part alone).
    ``layout`` is what ``long_table_layout`` answered, when the caller counted the pages first."""
    lay, per_page = layout or long_table_layout(table)
    pages_total = pages_total or first_page - 1 + len(per_page)
    font = lay.font
    bold_total = table._total_cells()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1, invariant=1, initialFontName=font)
    c.setTitle(running)
    stamp = timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")
    x0 = LEFT
    xs = [x0]
    for w in lay.widths:
        xs.append(xs[-1] + w)
    x_end = xs[-1]

    def decorate(number: int) -> None:
        c.setFillColor(GREY)
        c.setFont(font, SMALL)
        c.drawString(LEFT, PAGE_H - TOP / 2 - SMALL * 0.35, f"Q9 电商订单系统 · {running}")
        c.drawString(LEFT, BOTTOM / 2 - SMALL * 0.35, f"生成时间 {stamp}")
        c.drawRightString(PAGE_W - RIGHT, BOTTOM / 2 - SMALL * 0.35, f"第 {number} 页 / 共 {pages_total} 页")

    def row(y: float, cells: Sequence[str], *, bold: bool = False, fill=None, span: int = 1) -> float:
        lines = [lay.lines(text, i) for i, text in enumerate(cells)]
        h = max(len(ls) for ls in lines) * LEADING + 2 * PAD_V
        if fill is not None:
            c.setFillColor(fill)
            c.rect(x0, y - h, x_end - x0, h, stroke=0, fill=1)
        c.setFillColor(INK)
        c.setFont(font, SIZE)
        text = c.beginText()
        text.setFont(font, SIZE)
        # the font has no bold face: WeasyPrint emboldens it, so do we (each line twice, a hair apart)
        offsets = (0, 0.25) if bold else (0,)
        for i, cell_lines in enumerate(lines):
            if bold and span > 1 and 0 < i < span:
                continue
            column = table.columns[i]
            for k, line in enumerate(cell_lines):
                if not line:
                    continue
                baseline = y - PAD_V - (k + 1) * LEADING + (LEADING - SIZE) / 2 + SIZE * 0.18
                x = xs[i + 1] - PAD_H - stringWidth(line, font, SIZE) if column.right else xs[i] + PAD_H
                for dx in offsets:
                    text.setTextOrigin(x + dx, baseline)
                    text.textOut(line)
        c.drawText(text)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(x0, y - h, x_end, y - h)
        return y - h

    header = [col.title for col in table.columns]
    rows = _chain(iter(table.rows()), [bold_total] if bold_total else [])
    left_on_last = sum(per_page)
    for index, count in enumerate(per_page):
        decorate(first_page + index)
        y = PAGE_H - TOP
        if index == 0 and table.heading:
            c.setFillColor(INK)
            c.setFont(font, H2)
            for dx in (0, 0.3):  # bold, as the h2 of the WeasyPrint part
                c.drawString(LEFT + dx, y - 12 - H2, table.heading)
            c.setFont(font, SIZE)
            for k, line in enumerate(table.lead_lines(font)):
                c.drawString(LEFT, y - 12 - H2 * 1.4 - 4 - (k + 1) * LEADING + (LEADING - SIZE) / 2, line)
            y -= table._heading_height(font)
        y = row(y, header, bold=True, fill=HEAD_BG)
        for _ in range(count):
            cells = next(rows)
            left_on_last -= 1
            if bold_total and left_on_last == 0:
                y = row(y, cells, bold=True, fill=TOTAL_BG, span=table.total_span)
            else:
                y = row(y, cells)
        c.showPage()
    c.save()
    return Pdf(content=buf.getvalue(), pages=len(per_page))


def long_table_layout(table: LongTable) -> tuple[_Layout, list[int]]:
    """The first pass: how many rows go on each page (so the whole document's page count is known)."""
    lay = _Layout(table.columns, cjk_font.reportlab_font())
    return lay, table.paginate(lay)
