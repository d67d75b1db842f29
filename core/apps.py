from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: network, people, scoping, the clock and calendar, routing, the waybill format, the
    message centre and the kits every app shares. It imports no other app of the project."""

    name = "core"
    verbose_name = _("Network and people")
