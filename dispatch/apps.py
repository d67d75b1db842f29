from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """The site's and HQ's operations on orders (accept, transfer, pickup, 分件, reopening) and their pages."""

    name = "dispatch"
    verbose_name = _("Dispatch")
