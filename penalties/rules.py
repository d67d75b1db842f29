"""Rules as data: the version of a rule in force at a moment (the start of the clock it governs). Read often
(every new clock), changed rarely: each process keeps the small table for 30 seconds."""
from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings

from .models import RuleVersion, WorkOrderLimit

_TTL = 30.0
_cache: tuple[float, dict[str, list[RuleVersion]]] | None = None


def rules_changed() -> None:
    global _cache
    _cache = None


def _versions() -> dict[str, list[RuleVersion]]:
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > _TTL:
        table: dict[str, list[RuleVersion]] = {}
        for v in RuleVersion.objects.order_by("code", "-effective_from"):
            table.setdefault(v.code, []).append(v)
        _cache = (now, table)
    return _cache[1]


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
