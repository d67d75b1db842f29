"""Rules as data: the version of a rule in force at a moment (the start of the clock it governs). Read often
(every new clock), changed rarely: each process keeps the small table for 30 seconds."""
from __future__ import annotations

from datetime import datetime

from core.caches import ProcessCache

from .models import RuleVersion


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
