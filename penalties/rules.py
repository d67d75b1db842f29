"""Rules as data: the version of a rule in force at a moment (the start of the clock it governs). Read often
(every new clock), changed rarely: each process keeps the small table for 30 seconds."""
from __future__ import annotations

import time
from datetime import datetime

from .models import RuleVersion

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
