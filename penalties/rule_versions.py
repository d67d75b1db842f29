"""Rules as data: the version of a rule in force at a moment (the start of the clock it governs). Read often
(every new clock), changed rarely: each process keeps the small table for 30 seconds."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from core.caches import ProcessCache

from .models import RuleVersion, WorkOrderLimit


def _load() -> dict[str, list[RuleVersion]]:
    table: dict[str, list[RuleVersion]] = {}
    for v in RuleVersion.objects.order_by("code", "-effective_from"):
        table.setdefault(v.code, []).append(v)
    return table


versions = ProcessCache("rule versions", _load)


def rules_changed() -> None:
    versions.changed()


def _versions() -> dict[str, list[RuleVersion]]:
    return versions.get()


def rule_in_force(code: str, at: datetime) -> RuleVersion | None:
    for version in _versions().get(code, []):
        if version.effective_from <= at:
            return version
    return None


def threshold_at(code: str, at: datetime) -> float | None:
    """The clock's source of thresholds (registered in ``penalties.apps``)."""
    version = rule_in_force(code, at)
    return float(version.threshold_minutes) if version and version.threshold_minutes else None


#: the work-order types' names, registered by the work-order app (``complaints.apps``) so that the rule book shows
#: them without importing it
WORK_ORDER_TYPE_LABELS: dict[str, str] = {}


def work_order_types() -> list[str]:
    return list(settings.WORK_ORDER_LIMIT_HOURS)


def work_order_limit(wo_type: str, at: datetime) -> int:
    """Hours a unit has to answer a work order of this type raised at ``at``: the version in force then, else the
    default of ``WORK_ORDER_LIMIT_HOURS`` (48 for a type it does not name)."""
    version = WorkOrderLimit.objects.filter(wo_type=wo_type, effective_from__lte=at).order_by("-effective_from").first()
    return version.hours if version else int(settings.WORK_ORDER_LIMIT_HOURS.get(wo_type, 48))
