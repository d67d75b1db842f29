from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _guard_text(sender, instance, raw=False, **kwargs):
    if not raw:  # fixtures load as they are
        from .textpolicy import guard_instance

        guard_instance(instance)


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Network and dispatch")

    def ready(self):
        # the text policy (dispatch.textpolicy) before every save of every model of the project's own apps
        from pathlib import Path

        from django.apps import apps
        from django.conf import settings
        from django.db.models.signals import pre_save

        base = Path(settings.BASE_DIR).resolve()
        for config in apps.get_app_configs():
            if Path(config.path).resolve().is_relative_to(base) and ".venv" not in Path(config.path).parts:
                for model in config.get_models():
                    pre_save.connect(_guard_text, sender=model, dispatch_uid=f"textpolicy-{model._meta.label}")
