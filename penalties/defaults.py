"""The rule book's starting point (the same rows as migration 0002), for a database whose tables were emptied."""
from datetime import datetime, timezone
from decimal import Decimal

from .models import RuleVersion

DEFAULT_FROM = datetime(2017, 1, 1, tzinfo=timezone.utc)
#: the work-order rules' starting rows (the same as migration 0005)
WORK_ORDER_SEED = (("WO_LATE", "50", "菜鸟工单超过处理时限回复（系统处理时效）"),
                   ("WO_QUALITY", "20", "菜鸟工单回复被总部首次审核退回（处理质量）"))


def rules_seed() -> None:
    from importlib import import_module

    rules = import_module("penalties.migrations.0002_rules").RULES
    for code, fine, threshold, description in rules:
        RuleVersion.objects.get_or_create(code=code, effective_from=DEFAULT_FROM, defaults={
            "fine": Decimal(fine), "threshold_minutes": threshold, "description": description})
    for code, fine, description in WORK_ORDER_SEED:
        RuleVersion.objects.get_or_create(code=code, effective_from=DEFAULT_FROM, defaults={
            "fine": Decimal(fine), "description": description})
    from .rules import rules_changed

    rules_changed()
