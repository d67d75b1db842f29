from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

from .textpolicy import guard_instance


def _guard_text(sender, instance, raw=False, **kwargs):
    if not raw:  # fixtures load as they are
        guard_instance(instance)


class CoreConfig(AppConfig):
    """The ground floor: network, people, scoping, the clock and calendar, routing, the waybill format, the
    message centre and the kits every app shares. It imports no other app of the project."""

    name = "core"
    verbose_name = _("Network and people")

    def ready(self):
        from . import lookups
        from .imports import importer_register
        from .site_import import SITES

        importer_register(SITES)  # sites from a file: a kind of the import kit, the ground floor's own

        lookups.register()  # field__any=[…]: one array parameter instead of a placeholder per value
        # the text policy (core.textpolicy) before every save of every model of the project's own apps

        base = Path(settings.BASE_DIR).resolve()
        for config in apps.get_app_configs():
            if Path(config.path).resolve().is_relative_to(base) and ".venv" not in Path(config.path).parts:
                for model in config.get_models():
                    pre_save.connect(_guard_text, sender=model, dispatch_uid=f"textpolicy-{model._meta.label}")
