"""The rule book's starting point (the rows of ``penalties.seed``), for a database whose tables were emptied."""
from decimal import Decimal

from .models import RuleVersion
from .rules import rules_changed
from .seed import ORDER_RULES, SEED_FROM, WORK_ORDER_RULES


def rules_seed() -> None:
    for code, fine, threshold, description in ORDER_RULES + WORK_ORDER_RULES:
        RuleVersion.objects.get_or_create(code=code, effective_from=SEED_FROM, defaults={
            "fine": Decimal(fine), "threshold_minutes": threshold, "description": description})
    rules_changed()
