from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # event kinds are read by their names wherever a code would show (the callbacks page among them)
        from core.humanize import code_labels_register

        from .models import EventKind

        code_labels_register(EventKind.choices)

        # orders from a file are a kind of the import kit
        from core.imports import importer_register

        from .order_import import ORDERS

        importer_register(ORDERS)
