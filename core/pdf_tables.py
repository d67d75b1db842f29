"""Long tables in PDF, drawn with ReportLab (no app's models here: callers hand rows of strings).

Long tables (``long_table_pdf``): WeasyPrint lays a long table out at ~3 pages a second and keeps ~5 MB a page until
the process ends, so a province's weekly detail of 20,000 rows (~430 pages) took minutes and gigabytes. The long
table is drawn with ReportLab instead, in the same font (the vendored TrueType, embedded and subset), the same page
box, running header, generated time and 第 N 页 / 共 M 页 footer, its header row repeated on every page. Rows are
streamed twice from an iterator factory: once to count the pages (so 共 M 页 is right on every page, the WeasyPrint
part included), once to draw; nothing but the rows-per-page list is kept, so memory does not grow with the rows.
``pdf_join`` appends the parts (pypdf). ``tables_pdf`` draws a whole document of tables (a title, its lines, then
each table after the last on the same page, its heading kept with its first rows), for documents that are only
tables (对账单)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from core import cjk_font


@dataclass
class Pdf:
    content: bytes
    pages: int


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


class _Sheet:
    """A ReportLab canvas with the house's page decoration and table rows."""

    def __init__(self, *, running: str, generated_at: datetime, pages_total: int, font: str):
        # bold, as the font has no bold face: the text filled and stroked (render mode 2), drawn once, so copying,
        # pdftotext and screen readers read each bold word once
        self.buf = io.BytesIO()
        self.font = font
        self.running = running
        self.pages_total = pages_total
        self.stamp = timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")
        self.c = canvas.Canvas(self.buf, pagesize=A4, pageCompression=1, invariant=1, initialFontName=font)
        self.c.setTitle(running)

    def decorate(self, number: int) -> None:
        c, font = self.c, self.font
        c.setFillColor(GREY)
        c.setFont(font, SMALL)
        c.drawString(LEFT, PAGE_H - TOP / 2 - SMALL * 0.35, f"Q9 电商订单系统 · {self.running}")
        c.drawString(LEFT, BOTTOM / 2 - SMALL * 0.35, f"生成时间 {self.stamp}")
        c.drawRightString(PAGE_W - RIGHT, BOTTOM / 2 - SMALL * 0.35, f"第 {number} 页 / 共 {self.pages_total} 页")

    def heading(self, y: float, table: LongTable) -> float:
        c, font = self.c, self.font
        self.bold_string(LEFT, y - 12 - H2, table.heading, H2, INK)
        c.setFillColor(INK)
        c.setFont(font, SIZE)
        for k, line in enumerate(table.lead_lines(font)):
            c.drawString(LEFT, y - 12 - H2 * 1.4 - 4 - (k + 1) * LEADING + (LEADING - SIZE) / 2, line)
        return y - table._heading_height(font)

    def row(
        self,
        lay: _Layout,
        columns: Sequence[Column],
        y: float,
        cells: Sequence[str],
        *,
        bold: bool = False,
        fill=None,
        span: int = 1,
    ) -> float:
        c, font = self.c, self.font
        xs = [LEFT]
        for w in lay.widths:
            xs.append(xs[-1] + w)
        x0, x_end = xs[0], xs[-1]
        lines = [lay.lines(text, i) for i, text in enumerate(cells)]
        h = max(len(ls) for ls in lines) * LEADING + 2 * PAD_V
        if fill is not None:
            c.setFillColor(fill)
            c.rect(x0, y - h, x_end - x0, h, stroke=0, fill=1)
        c.setFillColor(INK)
        c.setFont(font, SIZE)
        text = c.beginText()
        text.setFont(font, SIZE)
        if bold:
            c.saveState()
            c.setStrokeColor(INK)
            c.setLineWidth(0.3)
            text.setTextRenderMode(2)
        for i, cell_lines in enumerate(lines):
            if bold and span > 1 and 0 < i < span:
                continue
            column = columns[i]
            for k, line in enumerate(cell_lines):
                if not line:
                    continue
                baseline = y - PAD_V - (k + 1) * LEADING + (LEADING - SIZE) / 2 + SIZE * 0.18
                x = xs[i + 1] - PAD_H - stringWidth(line, font, SIZE) if column.right else xs[i] + PAD_H
                text.setTextOrigin(x, baseline)
                text.textOut(line)
        c.drawText(text)
        if bold:
            c.restoreState()
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(x0, y - h, x_end, y - h)
        return y - h

    def bold_string(self, x: float, y: float, line: str, size: float, color) -> None:
        c = self.c
        c.saveState()
        c.setFillColor(color)
        c.setStrokeColor(color)
        c.setLineWidth(size / 30)
        text = c.beginText()
        text.setFont(self.font, size)
        text.setTextRenderMode(2)  # filled and stroked
        text.setTextOrigin(x, y)
        text.textOut(line)
        c.drawText(text)
        c.restoreState()

    def done(self) -> bytes:
        self.c.save()
        return self.buf.getvalue()


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
    sheet = _Sheet(running=running, generated_at=generated_at, pages_total=pages_total, font=lay.font)
    bold_total = table._total_cells()
    header = [col.title for col in table.columns]
    rows = _chain(iter(table.rows()), [bold_total] if bold_total else [])
    left_on_last = sum(per_page)
    for index, count in enumerate(per_page):
        sheet.decorate(first_page + index)
        y = PAGE_H - TOP
        if index == 0 and table.heading:
            y = sheet.heading(y, table)
        y = sheet.row(lay, table.columns, y, header, bold=True, fill=HEAD_BG)
        for _ in range(count):
            cells = next(rows)
            left_on_last -= 1
            if bold_total and left_on_last == 0:
                y = sheet.row(lay, table.columns, y, cells, bold=True, fill=TOTAL_BG, span=table.total_span)
            else:
                y = sheet.row(lay, table.columns, y, cells)
        sheet.c.showPage()
    return Pdf(content=sheet.done(), pages=len(per_page))


def long_table_layout(table: LongTable) -> tuple[_Layout, list[int]]:
    """The first pass: how many rows go on each page (so the whole document's page count is known)."""
    lay = _Layout(table.columns, cjk_font.reportlab_font())
    return lay, table.paginate(lay)


H1 = 16
TITLE_INK, META_INK = HexColor("#b3001b"), HexColor("#555555")


@dataclass(frozen=True)
class Segment:
    """Part of a table on one page: ``count`` rows of table ``table`` (its heading drawn above when ``first``)."""

    table: int
    count: int
    first: bool


def _title_height(title: str, meta: Sequence[tuple[str, bool]], font: str) -> float:
    lines = sum(len(wrap(text, font, PAGE_W - LEFT - RIGHT)) for text, _bold in meta)
    return H1 * 1.4 + 4 + lines * LEADING + 8 if title else 0


def tables_layout(
    tables: Sequence[LongTable], *, title: str = "", meta: Sequence[tuple[str, bool]] = ()
) -> tuple[list[_Layout], list[list[Segment]]]:
    """The first pass of ``tables_pdf``: each page's segments. A table's heading, its header row and its first row
    stay together (a table that does not start on a page's remaining room starts on the next page)."""
    font = cjk_font.reportlab_font()
    layouts = [_Layout(t.columns, font) for t in tables]
    room = PAGE_H - TOP - BOTTOM
    free = room - _title_height(title, meta, font)
    pages: list[list[Segment]] = [[]]
    for index, (table, lay) in enumerate(zip(tables, layouts, strict=True)):
        head = lay.height([c.title for c in table.columns])
        heading = table._heading_height(font) if table.heading else 0
        total = table._total_cells()
        n, started = 0, False
        for cells in _chain(iter(table.rows()), [total] if total else []):
            h = lay.height(cells)
            if not started:
                if heading + head + h > free and pages[-1]:
                    pages.append([])
                    free = room
                free -= heading + head
                started = True
            elif h > free and n:
                pages[-1].append(Segment(index, n, not any(s.table == index for p in pages for s in p)))
                pages.append([])
                free, n = room - head, 0
            n += 1
            free -= h
        if n:
            pages[-1].append(Segment(index, n, not any(s.table == index for p in pages for s in p)))
    return layouts, pages


def tables_pdf(
    tables: Sequence[LongTable],
    *,
    running: str,
    generated_at: datetime,
    title: str = "",
    meta: Sequence[tuple[str, bool]] = (),
) -> Pdf:
    """A document of tables, one after another: ``title`` (as the WeasyPrint documents' h1) and ``meta`` (paragraphs
    under it: text and whether it is bold) on the first page, then each table with its heading, its header row
    repeated on every page it runs onto, its total row bold. Rows stream twice (``tables_layout``, then drawn)."""
    layouts, pages = tables_layout(tables, title=title, meta=meta)
    font = layouts[0].font if layouts else cjk_font.reportlab_font()
    sheet = _Sheet(running=running, generated_at=generated_at, pages_total=len(pages), font=font)
    c = sheet.c
    streams: dict[int, Iterator[Sequence[str]]] = {}
    left = {}
    for segments in pages:
        for s in segments:
            left[s.table] = left.get(s.table, 0) + s.count
    for number, segments in enumerate(pages, 1):
        sheet.decorate(number)
        y = PAGE_H - TOP
        if number == 1 and title:
            sheet.bold_string(LEFT, y - H1, title, H1, TITLE_INK)
            y -= H1 * 1.4 + 4
            for text, bold in meta:
                for line in wrap(text, font, PAGE_W - LEFT - RIGHT):
                    baseline = y - LEADING + (LEADING - SIZE) / 2 + SIZE * 0.18
                    if bold:
                        sheet.bold_string(LEFT, baseline, line, SIZE, INK)
                    else:
                        c.setFillColor(META_INK)
                        c.setFont(font, SIZE)
                        c.drawString(LEFT, baseline, line)
                    y -= LEADING
            y -= 8
        for s in segments:
            table, lay = tables[s.table], layouts[s.table]
            total = table._total_cells()
            if s.table not in streams:
                streams[s.table] = _chain(iter(table.rows()), [total] if total else [])
            if s.first and table.heading:
                y = sheet.heading(y, table)
            y = sheet.row(lay, table.columns, y, [col.title for col in table.columns], bold=True, fill=HEAD_BG)
            for _ in range(s.count):
                cells = next(streams[s.table])
                left[s.table] -= 1
                if total and left[s.table] == 0:
                    y = sheet.row(lay, table.columns, y, cells, bold=True, fill=TOTAL_BG, span=table.total_span)
                else:
                    y = sheet.row(lay, table.columns, y, cells)
        c.showPage()
    return Pdf(content=sheet.done(), pages=len(pages))
