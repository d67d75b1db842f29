from django.apps import AppConfig


class PenaltiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "penalties"
    verbose_name = "违规与处罚"

    def ready(self):
        # the clock (ground floor) asks the rule book for thresholds without importing it
        from core import clock

        from .rule_versions import threshold_at

        clock.threshold_source_set(threshold_at)

        # the rule and ledger codes this app writes are read by their names everywhere (statements included)
        from django.utils.translation import gettext_lazy as _

        from core.humanize import code_labels_register

        from .models import Rule

        code_labels_register(Rule.choices)
        code_labels_register(
            [
                ("REFUND_60", _("Refund: 60 per cent of the fines")),
                ("REFUND_40", _("Refund: the other 40 per cent of the fines")),
                ("REWARD", _("Monthly reward")),
            ]
        )

        # the statement names the order and the violation of each fine and reversal
        from finance.sources import source_describer_register

        from .ledger_lines import violation_lines_describe

        source_describer_register("violation", violation_lines_describe)

        # a site's waybill correction stops once the week's notice is out or an audit judged the order
        from dispatch.corrections import correction_guard_add

        from .selectors import waybill_correction_refusal

        correction_guard_add(waybill_correction_refusal)
