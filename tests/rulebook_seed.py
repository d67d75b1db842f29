"""The rule book's starting point (the migrations' seed rows, `penalties/migrations/_rule_seed.py`), for tests whose database tables were emptied."""

from decimal import Decimal

from penalties.migrations._rule_seed import ORDER_RULES, SEED_FROM, WORK_ORDER_RULES
from penalties.models import RuleVersion
from penalties.rule_versions import rules_changed


def rules_seed() -> None:
    for code, fine, threshold, description in ORDER_RULES + WORK_ORDER_RULES:
        RuleVersion.objects.get_or_create(
            code=code,
            effective_from=SEED_FROM,
            defaults={"fine": Decimal(fine), "threshold_minutes": threshold, "description": description},
        )
    rules_changed()
