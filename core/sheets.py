"""The spreadsheet kit: every xlsx file the desk writes goes through here, so whatever text is stored
(a channel's control character, a sender called ``=HYPERLINK(…)``) comes out as inert text.

- Text cells: characters XML 1.0 cannot hold (C0 controls but tab/LF/CR) become U+FFFD; a text cell is always
  a string cell (never a formula, whatever it starts with).
- Typed cells: datetimes in Beijing time as Excel dates (``yyyy-mm-dd hh:mm``), dates as dates, numbers
  (int, Decimal, float) as numbers; ``None`` as an empty cell.
- The sheet: a name (Excel's 31 characters, no ``[]:*?/\\``), a bold frozen header row with an autofilter, each
  column as wide as its widest cell among the header and the first ``SAMPLE`` rows (CJK characters count double, a
  date as its ``yyyy-mm-dd hh:mm``), or as given.
- Streamed in openpyxl's write-only mode, row by row (the sample is held to size the columns first).
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import partialmethod
from io import BytesIO
from itertools import chain, islice

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.translation import gettext as _
from django_tables2.columns.base import Column
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import A, signature
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# what an XML 1.0 document (an xlsx part) cannot hold, and DEL
ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
SHEET_NAME_RE = re.compile(r"[\[\]:*?/\\]")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60
SAMPLE = 1000  # rows read ahead to size the columns; the rest is streamed
HTML_TEXTS = 10_000  # rendered cells whose text one export keeps (a badge's few variants, not every sender)
# the arguments django-tables2 offers a cell's value function (``BoundRow._optional_cell_arguments``)
CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


def clean_text(value: str) -> str:
    """The text with every character a spreadsheet cannot hold replaced by U+FFFD (visible, not lost silently)."""
    return ILLEGAL_RE.sub("\ufffd", value)


def sheet_name(name: str) -> str:
    name = SHEET_NAME_RE.sub("_", clean_text(str(name))).strip("'") or "Sheet"
    return name[:31]


def display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def cell_width(value) -> int:
    """The characters a value shows in its cell (as ``xlsx_cell`` writes it)."""
    value = _plain(value)
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return len(str(value))
    return max((display_width(line) for line in str(value).splitlines()), default=0)


def _plain(value):
    """A cell's value as a spreadsheet type: local naive datetimes, dates, numbers, text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (date, time, bool, int, float, Decimal)):
        return value
    return str(value)


def xlsx_cell(ws, value) -> Cell:
    value = _plain(value)
    if isinstance(value, str):
        cell = Cell(ws, column=1, row=1, value=clean_text(value))
        cell.data_type = "s"  # a string, even when it starts with "=": never a formula
        return cell
    cell = Cell(ws, column=1, row=1, value=value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def xlsx_bytes(
    *, headers: Sequence, rows: Iterable[Sequence], sheet: str = "Sheet", widths: Sequence[int] | None = None
) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_name(sheet))
    headers = [str(h) for h in headers]
    rows = iter(rows)
    sample = list(islice(rows, SAMPLE))
    for i, header in enumerate(headers, start=1):
        if widths and i <= len(widths):
            width = widths[i - 1]
        else:
            seen = [cell_width(row[i - 1]) for row in sample if i <= len(row)]
            # the header gets room for the filter's arrow
            width = max([display_width(header) + 4, *(w + 2 for w in seen)])
        ws.column_dimensions[get_column_letter(i)].width = min(width, MAX_WIDTH)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = xlsx_cell(ws, h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    for row in chain(sample, rows):
        ws.append([xlsx_cell(ws, v) for v in row])
        count += 1
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _stamped(filename: str, ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    safe = re.sub(r"[^\w.-]", "_", filename, flags=re.ASCII) or "export"
    return f"{safe}-{stamp}.{ext}"


def xlsx_response(
    *,
    filename: str,
    headers: Sequence,
    rows: Iterable[Sequence],
    sheet: str | None = None,
    widths: Sequence[int] | None = None,
    stamp: bool = True,
) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(headers=headers, rows=rows, sheet=sheet or filename, widths=widths), content_type=XLSX_TYPE
    )
    name = _stamped(filename, "xlsx") if stamp else f"{filename}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _walk(current, bits):
    """``Accessor.resolve`` along ``bits`` (django-tables2's lookups: key, attribute, index; callables called; a
    ``None`` ends the walk), raising where it raises. A model instance without ``__getitem__`` goes straight to its
    attribute, where django-tables2 first tries and fails a key lookup."""
    for bit in bits:
        if isinstance(current, models.Model) and not hasattr(type(current), "__getitem__"):
            try:
                current = getattr(current, bit)
            except (TypeError, AttributeError):
                raise ValueError(f"no {bit!r} on {type(current).__name__}") from None
        else:
            try:
                current = current[bit]
            except (TypeError, AttributeError, KeyError):
                try:
                    current = getattr(current, bit)
                except (TypeError, AttributeError):
                    try:
                        current = current[int(bit)]
                    except (IndexError, ValueError, KeyError, TypeError):
                        raise ValueError(f"no {bit!r} on {type(current).__name__}") from None
        if callable(current):
            if getattr(current, "alters_data", False):
                raise ValueError(f"{bit!r} alters data")
            if not getattr(current, "do_not_call_in_templates", False):
                current = current()
        if current is None:
            break
    return current


class _Cells:
    """One export's cell reader: what django-tables2's ``BoundRow.get_cell_value`` returns for each exported column,
    with everything that does not change from row to row worked out once per export.

    Per column: its value function (``value_<name>``, else ``render_<name>``, else ``Column.value``; a column that
    keeps ``Column.value`` as it is gets its ``render`` called directly, as ``Column.value`` does) and the arguments it
    takes (``inspect.signature`` once, not per cell); its accessor's path; whether its model field has choices (then
    ``get_<field>_display()``, as django-tables2 does; Django's own display is worked out once per stored value).
    A row of a model instance walks the path with ``getattr``; any other row (dicts, lists) and any column
    django-tables2 treats specially (many-to-many, an accessor with call arguments) go through django-tables2's own
    ``BoundRow`` cell by cell. ``tests/test_fast_export.py`` holds every exported table's cells to django-tables2's
    ``as_values()``."""

    def __init__(self, table, columns):
        self.table = table
        self.columns = columns
        self.plans = [self._plan(bound) for bound in columns]
        self.needs_row = any(plan is None or plan[3] for plan in self.plans)
        self.choices = {}  # (model class, column name) -> whether the accessor's field has choices
        self.displays = {}  # (model class, field name) -> the field's attname when its display is Django's own
        self.shown = {}  # ((model class, field name), stored value) -> its display

    def _plan(self, bound):
        column = bound.column
        accessor = A(bound.accessor)
        if isinstance(column, ManyToManyColumn) or accessor.callable_args or accessor.callable_kwargs:
            return None
        fn = bound.value
        if getattr(fn, "__func__", None) is Column.value and getattr(fn, "__self__", None) is column:
            fn = column.render  # Column.value(**kwargs) is call_with_appropriate(self.render, kwargs)
        try:
            args, catch_all = signature(fn)
        except (TypeError, ValueError):
            return None
        if catch_all:
            wanted = None  # every argument
        elif any(arg not in CELL_ARGUMENTS for arg in args):
            wanted = ()  # call_with_appropriate does not call it: the cell is None
            fn = None
        else:
            wanted = tuple(args)
        needs_row = wanted is None or "bound_row" in (wanted or ())
        bits = accessor.bits
        link_text = isinstance(column, BaseLinkColumn) and column.text is not None
        return (fn, wanted, bits, needs_row, link_text)

    def _has_choices(self, record, bound, bits):
        key = (type(record), bound.name)
        if key not in self.choices:
            try:
                field = A("__".join(bits)).get_field(record)
            except FieldDoesNotExist:
                field = None
            self.choices[key] = bool(getattr(field, "choices", ()))
        return self.choices[key]

    def _display(self, instance, name, display):
        """``get_<name>_display()``: Django's own (``Model._get_FIELD_display``, which hashes the field's whole
        choices on each call) is looked up once per export and stored value; a model's own method is called."""
        key = (type(instance), name)
        if key not in self.displays:
            method = inspect.getattr_static(type(instance), f"get_{name}_display", None)
            generic = isinstance(method, partialmethod) and method.func is models.Model._get_FIELD_display
            self.displays[key] = method.keywords["field"].attname if generic else None
        attname = self.displays[key]
        if attname is None:
            return display()
        try:
            stored = (key, getattr(instance, attname))
            if stored not in self.shown:
                self.shown[stored] = display()
            return self.shown[stored]
        except TypeError:  # a value that cannot be a key
            return display()

    def row(self, record) -> list:
        if not isinstance(record, models.Model):
            row = BoundRow(record, table=self.table)
            return [row.get_cell_value(bound.name) for bound in self.columns]
        row = BoundRow(record, table=self.table) if self.needs_row else None
        return [
            self._cell(record, bound, plan, row) if plan is not None else row.get_cell_value(bound.name)
            for bound, plan in zip(self.columns, self.plans, strict=True)
        ]

    def _cell(self, record, bound, plan, row):
        fn, wanted, bits, _needs_row, link_text = plan
        value = None
        failed = False
        try:
            penultimate = _walk(record, bits[:-1])
        except Exception:  # django-tables2 resolves the penultimate quietly
            penultimate, failed = None, True
        remainder = True
        if isinstance(penultimate, models.Model) and self._has_choices(record, bound, bits):
            display = getattr(penultimate, f"get_{bits[-1]}_display", None)
            if display:
                value, remainder = self._display(penultimate, bits[-1], display), False
        if remainder:
            try:
                if failed:
                    _walk(record, bits)  # raises as django-tables2's full resolve does
                elif penultimate is not None or not bits[:-1]:
                    value = _walk(penultimate, bits[-1:])
            except Exception:  # a column that is not a field (django-tables2 issue #257)
                if link_text:
                    return self._call(fn, wanted, None, record, bound, row)
                value = None
        if value in bound.column.empty_values:
            return None
        return self._call(fn, wanted, value, record, bound, row)

    def _call(self, fn, wanted, value, record, bound, row):
        if fn is None:
            return None
        every = {
            "value": value,
            "record": record,
            "column": bound.column,
            "bound_column": bound,
            "bound_row": row,
            "table": self.table,
        }
        if wanted is None:
            return fn(**every)
        return fn(**{name: every[name] for name in wanted})


def export_cell(value, texts: dict | None = None):
    """A table cell's value as the export writes it: rendered HTML as its text, lazy text as text, the rest as is.
    ``texts`` (one export's) keeps the text of HTML already seen: a state's badge is parsed once, not per row."""
    if isinstance(value, SafeData):  # rendered HTML: its text
        if texts is not None and value in texts:
            return texts[value]
        text = " ".join(html.unescape(strip_tags(value)).split())
        if texts is not None and len(texts) < HTML_TEXTS:
            texts[value] = text
        return text
    if isinstance(value, Promise):
        return str(value)
    return value


def table_values(table, *, limit: int | None = None) -> tuple[list[str], Iterable[list]]:
    """The header and the rows of a django-tables2 table as the page shows it: its visible columns in its order
    (but those marked ``exclude_from_export``: a row's checkbox, its buttons), its rows in its sort. Each cell is
    the column's export value (``value_<name>`` on the table, else ``render_<name>``, else the column's
    ``value``: typed for times and numbers), text without its HTML. Past ``limit`` rows a last row says so."""
    columns = [c for c in table.columns if not c.column.exclude_from_export]
    records = table.data.data
    if limit is not None:
        records = records[: limit + 1]
    if hasattr(records, "iterator"):
        records = records.iterator(chunk_size=2000)

    cells = _Cells(table, columns)
    texts = {}

    def rows():
        for n, record in enumerate(records, start=1):
            if limit is not None and n > limit:
                yield [_("Only the first %(n)s rows were exported: narrow the filters.") % {"n": f"{limit:,}"}]
                return
            yield [export_cell(value, texts) for value in cells.row(record)]

    return [str(c.header) for c in columns], rows()


def table_export(table, *, filename: str, limit: int | None = None) -> HttpResponse:
    """Export this table: the page's django-tables2 table (configured with the request, unpaginated) as an xlsx
    file with exactly the page's columns, order and sort (``table_values``), sized to content, with autofilter."""
    headers, rows = table_values(table, limit=limit)
    return xlsx_response(filename=filename, headers=headers, rows=rows)
