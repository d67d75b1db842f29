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
