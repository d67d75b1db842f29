from django.apps import AppConfig


class PenaltiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "penalties"
    verbose_name = "违规与处罚"

    def ready(self):
        # the clock (ground floor) asks the rule book for thresholds without importing it
        from core import clock

        from .rules import threshold_at

        clock.threshold_source_set(threshold_at)
