"""The import kit: every file import of the desk (orders, sites, tracking scans, service areas, accounts) reads its
file here and checks it here — every row, every problem listed (row, column, what is wrong, in Chinese), nothing
imported while any row is wrong. What differs per kind is one declared ``Importer`` in the app that owns the
kind's tables, registered from its ``AppConfig.ready()``; the job that runs an import (``orders.imports``) and the
pages only name the kind.

Reading: an .xlsx or .csv (UTF-8 or GBK) file, as a stream with its limits checked before anything is loaded
(20 MB, an xlsx's unpacked size, 50,000 rows, 60 columns, 2,000 characters a cell, no NUL in a CSV). Every row
present is read: an xlsx's declared size (its ``<dimension>``) is not trusted, so a sheet that says 3 rows and
holds 10 gives 10."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .exceptions import ImportFileError
from .textpolicy import control_char

logger = logging.getLogger(__name__)

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an xlsx is a zip: a small file can unpack to gigabytes
MAX_COLUMNS = 60
CELL_MAX = 2000  # characters read of a cell; longer ones are reported, never stored
# Python's csv refuses a field over 128 KB with an error; the file's own limit (20 MB) bounds a field instead, and
# a long cell is then reported in its row like any other (cells are cut to CELL_MAX + 1 characters when read)
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))

#: a problem of one row: (column key, message); of the file: (row number, column key, message)
Problem = tuple[str, str]
RowProblem = tuple[int, str, str]


# ---------------------------------------------------------------- reading


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_("At most %(n)s rows can be imported at once: split the file.") % {"n": f"{MAX_ROWS:,}"})


def _cell(value) -> str:
    if value is None:
        return ""
    text = value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else str(value)
    return text[: CELL_MAX + 1].strip()


def _unreadable_xlsx(exc: Exception) -> ImportFileError:
    logger.info("an uploaded workbook could not be read: %r", exc)
    return ImportFileError(
        _(
            "The Excel file cannot be read: it is damaged or not a workbook. Open it in Excel or "
            "WPS and save it again as .xlsx."
        )
    )


def _xlsx_sheet(content: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(_("The Excel file cannot be read (it is not an .xlsx workbook).")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The Excel file unpacks to more than %(mb)d MB: split it.") % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception as exc:  # noqa: BLE001 - a broken file is the user's error, reported as such
        raise _unreadable_xlsx(exc) from None
    sheet.reset_dimensions()  # the declared <dimension> is the writer's claim: every row present is read
    return sheet


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    sheet = _xlsx_sheet(content)
    try:
        for row in sheet.iter_rows(values_only=True):  # each row as long as its cells, cut to the columns read
            yield [_cell(c) for c in row[:MAX_COLUMNS]]
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _unreadable_xlsx(exc) from None


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    if b"\x00" in content:
        raise ImportFileError(_("The CSV file contains NUL bytes: save it again as CSV (UTF-8)."))
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file's encoding is not recognised (use UTF-8 or GBK)."))
    # strict: a quote never closed is an error, not a cell that swallows every line after it (rows lost unseen)
    reader = csv.reader(io.StringIO(text), strict=True)
    start = 1  # the line the row being read starts on (a quoted cell may span lines)
    try:
        for row in reader:
            yield [c[: CELL_MAX + 1].strip() for c in row[:MAX_COLUMNS]]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(n)d of the CSV file cannot be read (%(error)s).") % {"n": start, "error": _csv_error(exc)}
        ) from None


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "end of data" in text:
        return _("a quote opens a cell that is never closed")
    if "expected after" in text:
        return _("a closing quote must be followed by a comma")
    logger.info("a CSV line could not be read: %s", text[:80])
    return _("not valid CSV")


def read_rows(name: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of an .xlsx or .csv (UTF-8 or GBK) file, every cell as text, every non-empty row present
    (whatever the sheet declares), read as a stream: the limits stop the reading, nothing past them is loaded."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 20 MB: split it."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        stream = _xlsx_rows(content)
    elif lower.endswith(".csv"):
        stream = _csv_rows(content)
    else:
        raise ImportFileError(_("Only .xlsx or .csv files are accepted."))
    rows: list[list[str]] = []
    blank = 0
    for row in stream:
        if not any(row):
            blank += 1
            if blank > MAX_ROWS:  # a sheet of empty rows is read no further
                raise _too_many_rows()
            continue
        rows.append(row)
        if len(rows) - 1 > MAX_ROWS:
            raise _too_many_rows()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    return rows[0], rows[1:]


# ---------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class Importer:
    """One kind of import, declared by the app that owns its tables.

    - ``columns``: the file's column names (Chinese, as in the template) → record keys; ``required`` keys.
    - ``limits``: the longest text each key may hold (its column's length); other cells 2,000 characters.
    - ``prepare(records, context)``: what the checks look up once per file (codes, provinces…), into ``context``.
    - ``row(record, context)``: the problems of one record, parsing it in place.
    - ``rows(records, context)``: problems found across the file (repeats, one query per table), as
      (row number, key, message); the first record is row 2.
    - ``run(job, records, progress)``: imports the checked records inside the job's transaction, calling
      ``progress(n)`` now and then; returns the summary; raises ``Refused`` if the tables refuse a row after all.
    - ``example``: one example record for the template file.
    """

    kind: str
    columns: dict[str, str]
    required: tuple[str, ...]
    run: Callable | None = None
    limits: dict[str, int] = field(default_factory=dict)
    prepare: Callable[[list[dict], dict], None] | None = None
    row: Callable[[dict, dict], list[Problem]] | None = None
    rows: Callable[[list[dict], dict], Iterable[RowProblem]] | None = None
    example: dict[str, str] = field(default_factory=dict)
    max_rows: int = MAX_ROWS

    @property
    def labels(self) -> dict[str, str]:
        return {key: name for name, key in self.columns.items()}

    def template(self) -> tuple[list[str], list[list[str]]]:
        """The header of the kind's file and one example row (the template a user downloads)."""
        header = list(self.columns)
        return header, [[self.example.get(self.columns[name], "") for name in header]]


IMPORTERS: dict[str, Importer] = {}


def importer_register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


def importer_for(kind: str) -> Importer:
    return IMPORTERS[kind]


class Refused(Exception):
    """Rows the tables refused while importing (after the check passed): the whole import is undone."""

    def __init__(self, errors: list[dict]):
        super().__init__("refused")
        self.errors = errors


# ---------------------------------------------------------------- checking


@dataclass
class Checked:
    """A checked file: its records (parsed), every problem ({row, column, message}), and the counts."""

    records: list[dict]
    errors: list[dict]
    read: int  # data rows read from the file
    refused: int  # data rows with at least one problem

    @property
    def ok(self) -> bool:
        return not self.errors


def _column_index(importer: Importer, header: list[str]) -> dict[str, int]:
    keys = set(importer.columns.values())
    index = {}
    for i, name in enumerate(header):
        name = name.strip()
        key = importer.columns.get(name) or (name if name in keys else None)
        if key and key not in index:
            index[key] = i
    return index


def _text_problems(record: dict, limits: dict[str, int]) -> list[Problem]:
    """The text policy on every cell: no control character, no longer than its column (or 2,000 characters)."""
    problems = []
    for key, value in record.items():
        if not isinstance(value, str):
            continue
        bad = control_char(value)
        if bad:
            problems.append((key, _("contains a control character (%(char)s)") % {"char": bad}))
        elif len(value) > limits.get(key, CELL_MAX):
            problems.append((key, _("at most %(n)d characters") % {"n": limits.get(key, CELL_MAX)}))
    return problems


def _row_problems(importer: Importer, record: dict, context: dict, missing: list[str]) -> list[Problem]:
    problems = _text_problems(record, importer.limits)
    required = _("required")
    problems += [(key, required) for key in importer.required if key not in missing and not record.get(key)]
    if importer.row is not None:
        problems += importer.row(record, context)
    return problems


def repeats(records: list[dict], key: str) -> Iterator[RowProblem]:
    """A value of ``key`` that an earlier row already has (the first record is row 2)."""
    seen: dict[str, int] = {}
    for n, record in enumerate(records, start=2):
        value = record.get(key)
        if value and value in seen:
            yield n, key, _("repeats row %(n)d") % {"n": seen[value]}
        elif value:
            seen[value] = n


def check(importer: Importer, header: list[str], rows: list[list[str]], **context) -> Checked:
    """Every row of the file checked, nothing written: the parsed records, every problem with its row number as in
    the file (the header is row 1: a missing column; the rows are still checked, so one pass names every problem),
    and how many rows were read and refused."""
    labels = importer.labels
    index = _column_index(importer, header)
    if len(rows) > importer.max_rows:
        message = _("At most %(n)s rows can be imported at once: split the file.") % {"n": f"{importer.max_rows:,}"}
        return Checked([], [{"row": 0, "column": "", "message": message}], read=len(rows), refused=len(rows))
    records = [{key: (row[i] if i < len(row) else "") for key, i in index.items()} for row in rows]
    if importer.prepare is not None:
        importer.prepare(records, context)
    missing = [key for key in importer.required if key not in index]
    found: list[RowProblem] = [(1, key, _("Column “%(name)s” is missing") % {"name": labels[key]}) for key in missing]
    for n, record in enumerate(records, start=2):
        found += [(n, key, message) for key, message in _row_problems(importer, record, context, missing)]
    if importer.rows is not None:
        found += list(importer.rows(records, context))
    found.sort(key=lambda p: p[0])
    errors = [{"row": n, "column": labels.get(key, key), "message": message} for n, key, message in found]
    return Checked(records, errors, read=len(rows), refused=len({n for n, _key, _message in found if n >= 2}))
