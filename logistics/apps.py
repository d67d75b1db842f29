from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        # the tracking scans are a kind of the import kit (check the whole file, then import all or nothing)
        from core.imports import importer_register

        from .imports import SCANS

        importer_register(SCANS)
