"""The export's cell reader (``core.sheets.table_values``) works each column out once per export instead of cell by
cell; it must give exactly the cells django-tables2's own ``Table.as_values()`` gives, for every list export, every
role that uses it, on the small data set of ``test_every_export`` (values and their types: a time stays a time),
and the very cells django-tables2's ``BoundRow.get_cell_value`` gives before ``as_values()`` makes them text."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.encoding import force_str

from core import sheets

from .test_every_export import CASES, PAGES, lists  # noqa: F401  (``lists`` is the data set's fixture)

TABLE_CASES = [case for case in CASES if case[0] != "finance:statement_export"]  # the statement is no table


def _typed(rows):
    return [[(type(value).__name__, value) for value in row] for row in rows]


@pytest.mark.parametrize(("export", "role"), TABLE_CASES)
def test_the_fast_cells_are_django_tables2s(lists, login, monkeypatch, export, role):  # noqa: F811
    page, _testid, query, _roles = PAGES[export]
    query = {k: (lists.site_a.code if v == "site_a" else v) for k, v in query.items()}
    user = lists.clerk_b if role == "clerk_b" else lists.users()[role]
    seen = []
    table_values = sheets.table_values

    def recorded(table, **kwargs):
        headers, rows = table_values(table, **kwargs)
        rows = list(rows)
        seen.append((table, headers, rows))
        return headers, rows

    monkeypatch.setattr(sheets, "table_values", recorded)
    assert login(user).get(reverse(export), query).status_code == 200
    assert len(seen) == 1, "the export is built from its page's table"
    table, headers, rows = seen[0]
    assert rows, "the data set has rows on this list"
    values = list(table.as_values())
    assert headers == values[0]
    # as_values() passes each cell through force_str(strings_only=True): a model instance as its text
    as_values = [[sheets.export_cell(v) for v in row] for row in values[1:]]
    # each side reads the rows with its own query: rows whose sort keys tie (orders placed in the same instant) may
    # come back in either order, so the rows are compared as sets of equal rows, each cell with its type
    assert _same_rows([[force_str(v, strings_only=True) for v in row] for row in rows], as_values)
    # and before that, cell by cell, the very objects django-tables2's BoundRow gives
    names = [c.name for c in table.columns if not c.column.exclude_from_export]
    per_cell = [[sheets.export_cell(row.get_cell_value(name)) for name in names] for row in table.rows]
    assert _same_rows(rows, per_cell)


def _same_rows(a, b) -> bool:
    return sorted(map(repr, _typed(a))) == sorted(map(repr, _typed(b)))
