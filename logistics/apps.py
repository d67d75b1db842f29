from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        from orders.imports import IMPORTERS

        from .imports import scans_import

        IMPORTERS["scans"] = scans_import
