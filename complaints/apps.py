from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Work orders")

    def ready(self):
        # the rule book lists the work-order types' time limits under their names
        from penalties.rule_versions import WORK_ORDER_TYPE_LABELS

        from .models import WorkOrderType

        WORK_ORDER_TYPE_LABELS.update(dict(WorkOrderType.choices))
