from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and master-data history")

    def ready(self):
        # service areas and accounts are kinds of the import kit (check whole file, then import all or nothing)
        from core.imports import importer_register

        from .account_import import ACCOUNTS
        from .areas import AREAS

        importer_register(AREAS)
        importer_register(ACCOUNTS)
