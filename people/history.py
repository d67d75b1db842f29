"""Reading the master data's history (django-simple-history): "who changed what, when" for one object or a set of
them, and rows as they stood at a moment."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext

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


def _name(obj) -> str:
    if isinstance(obj, User):
        return obj.get_full_name() or obj.username
    return str(obj)


def _shown(value, field=None, names=None) -> str:
    """A value as a person reads it: a related row by its name, a choice by its label, 是/否, a local time to the
    minute."""
    if value is None or value == "" or value == []:
        return "—"
    if field is not None and field.is_relation and names is not None:
        return names.get((field.related_model, value), str(value))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if value is True:
        return pgettext("boolean", "yes")
    if value is False:
        return pgettext("boolean", "no")
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else f"{value:%Y-%m-%d %H:%M}"
        )
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def related_names(pairs) -> dict:
    """{(model, pk): name} for the (model, pk) pairs given: one query per model."""
    wanted = defaultdict(set)
    for model, pk in pairs:
        if pk not in (None, ""):
            wanted[model].add(pk)
    names = {}
    for model, pks in wanted.items():
        for pk, obj in model._default_manager.in_bulk(list(pks)).items():
            names[(model, pk)] = _name(obj)
    return names


def _fields(record) -> list:
    return [f for f in record._meta.fields if not f.name.startswith("history_") and f.name not in _SKIP]


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field the model no longer has is shown as it was stored
        return None


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
    related = [f for f in (_fields(records[0]) if records else []) if f.is_relation]
    names = related_names(
        (f.related_model, getattr(r, f.attname)) for r in records for f in related if f.related_model is not None
    )
    rows = []
    for record in records:
        before = previous.get(record.history_id)
        changes = []
        for f in _fields(record):
            new = getattr(record, f.attname)
            if before is not None:
                old = getattr(before, f.attname)
                if old != new:
                    changes.append((_label(model, f.name), _shown(old, f, names), _shown(new, f, names)))
            elif record.history_type == "+" and new not in (None, "", [], False):
                changes.append((_label(model, f.name), "", _shown(new, f, names)))
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


def account_event_rows(events) -> list[dict]:
    """An account's record as a person reads it: each change as (label, old, new) with the field's Chinese label,
    roles by their names, sites, provinces and couriers by their names."""
    events = list(events)
    fields = {}
    for e in events:
        for key in (e.data or {}).get("changes", {}):
            fields.setdefault(key, _model_field(User, key.removesuffix("_id")))
    pairs = [
        (f.related_model, value)
        for e in events
        for key, values in (e.data or {}).get("changes", {}).items()
        if (f := fields.get(key)) is not None and f.is_relation
        for value in values
    ]
    names = related_names(pairs)
    rows = []
    for e in events:
        changes = []
        for key, (old, new) in (e.data or {}).get("changes", {}).items():
            f = fields.get(key)
            label = str(f.verbose_name) if f is not None else key
            changes.append((label, "" if old is None else _shown(old, f, names), _shown(new, f, names)))
        rows.append({"event": e, "changes": changes, "imported": bool((e.data or {}).get("imported"))})
    return rows


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
