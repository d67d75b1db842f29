"""The rule book's starting point (the same rows as migration 0002), for a database whose tables were emptied."""
from datetime import datetime, timezone
from decimal import Decimal
from importlib import import_module

from .models import RuleVersion
from .rules import rules_changed

DEFAULT_FROM = datetime(2017, 1, 1, tzinfo=timezone.utc)


def rules_seed() -> None:

    rules = import_module("penalties.migrations.0002_rules").RULES
    for code, fine, threshold, description in rules:
        RuleVersion.objects.get_or_create(code=code, effective_from=DEFAULT_FROM, defaults={
            "fine": Decimal(fine), "threshold_minutes": threshold, "description": description})

    rules_changed()
