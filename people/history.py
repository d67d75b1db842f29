"""Reading the master data's history (django-simple-history): "who changed what, when" for one object, and an
object as it stood at a moment."""
from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KIND_LABELS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


def _label(model, field: str) -> str:
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:  # noqa: BLE001 - a field the model no longer has keeps its name
        return field


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


def history_rows(obj, *, limit: int = 200) -> list[dict]:
    """Newest first: when, who, what kind of change, and each changed field as (label, old, new)."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    rows = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [(_label(obj.__class__, c.field), _shown(c.old), _shown(c.new)) for c in delta.changes]
        elif record.history_type == "+":
            changes = [(_label(obj.__class__, f.name), "", _shown(getattr(record, f.attname)))
                       for f in obj.__class__.history.model._meta.fields
                       if not f.name.startswith("history_") and f.name != "id"
                       and getattr(record, f.attname) not in (None, "", [], False)]
        rows.append({"at": record.history_date, "user": record.history_user,
                     "kind": KIND_LABELS.get(record.history_type, ""), "changes": changes})
    return rows


def as_of(model, *, at: datetime, **filters) -> list:
    """The rows of ``model`` matching ``filters`` as they stood at ``at`` (those that existed then)."""
    return list(model.history.as_of(at).filter(**filters))
