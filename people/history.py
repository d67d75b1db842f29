"""Reading the master data's history (django-simple-history): "who changed what, when" for one object or a set of
them, and rows as they stood at a moment."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import ClosureDay, Courier, Province, ServiceArea, Site, User
from orders.models import ApiClient
from penalties.models import RuleVersion

KIND_LABELS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}
_SKIP = {"id", "password", "last_login"}


def _label(model, field: str) -> str:
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:  # noqa: BLE001 - a field the model no longer has keeps its name
        return field


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _fields(record) -> list:
    return [f for f in record._meta.fields if not f.name.startswith("history_") and f.name not in _SKIP]


def history_rows_of(records, model, *, limit: int = 200) -> list[dict]:
    """Rows of "who changed what, when", newest first, for history records of one or more objects of ``model``.
    A change lists each field that differs from the object's previous record, as (label, old, new)."""
    records = list(records.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    by_object = defaultdict(list)
    for record in reversed(records):  # oldest first
        by_object[record.id].append(record)
    previous = {}
    for versions in by_object.values():
        for older, newer in zip(versions, versions[1:]):
            previous[newer.history_id] = older
    rows = []
    for record in records:
        before = previous.get(record.history_id)
        changes = []
        for f in _fields(record):
            new = getattr(record, f.attname)
            if before is not None:
                old = getattr(before, f.attname)
                if old != new:
                    changes.append((_label(model, f.name), _shown(old), _shown(new)))
            elif record.history_type == "+" and new not in (None, "", [], False):
                changes.append((_label(model, f.name), "", _shown(new)))
        if record.history_type == "~" and before is not None and not changes:
            continue  # saved without a change
        rows.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "object": str(record.instance),
                "kind": KIND_LABELS.get(record.history_type, ""),
                "changes": changes,
                "baseline": record.history_change_reason == "baseline",
            }
        )
    return rows


def history_rows(obj, *, limit: int = 200) -> list[dict]:
    return history_rows_of(obj.history.all(), obj.__class__, limit=limit)


def as_of(model, *, at: datetime, **filters) -> list:
    """Rows of ``model`` matching ``filters`` as they stood at ``at`` (those that existed and matched then), as
    instances. Only the objects that ever matched are looked at, so the history table is never scanned whole."""
    ids = model.history.filter(history_date__lte=at, **filters).values("id")
    return list(
        model.history.filter(history_date__lte=at, id__in=ids).latest_of_each().as_instances().filter(**filters)
    )


def version_as_of(obj, *, at: datetime):
    """``obj`` as it stood at ``at``: its last history record until then, or ``obj`` itself if it has none."""
    record = obj.history.filter(history_date__lte=at).order_by("-history_date", "-history_id").first()
    return record.instance if record is not None else obj


def baseline_missing(pairs, *, at: datetime) -> int:
    """For each (model, its history model): one "created" record, dated ``at`` and marked "baseline", for every row
    that has no history record yet (rows written in bulk: the network load, the demo data). One INSERT … SELECT
    per model; safe twice. Returns the records written."""
    written = 0
    for model, history in pairs:
        columns = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
        target = ", ".join(f'"{c}"' for c in columns)
        source = ", ".join(f's."{c}"' for c in columns)
        table, history_table = model._meta.db_table, history._meta.db_table
        sql = (
            f'INSERT INTO "{history_table}" ({target}, history_date, history_type, history_change_reason) '
            f"SELECT {source}, %s, '+', 'baseline' FROM \"{table}\" s "
            f'WHERE NOT EXISTS (SELECT 1 FROM "{history_table}" h WHERE h.id = s.id)'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [at])
            written += max(cursor.rowcount, 0)
    return written


def tracked_pairs():
    """The live (model, history model) pairs of the master data."""
    return [
        (m, m.history.model) for m in (Province, Site, ServiceArea, Courier, ClosureDay, User, RuleVersion, ApiClient)
    ]
