from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and master-data history")

    def ready(self):
        # service areas are a kind of the import kit (check whole file, then import all or nothing)
        from orders.imports import COLUMNS, EXAMPLES, IMPORTERS, LABEL, REQUIRED, VALIDATORS

        from .areas import AREA_COLUMNS, AREA_REQUIRED, areas_check, areas_import

        COLUMNS["areas"], REQUIRED["areas"] = AREA_COLUMNS, AREA_REQUIRED
        LABEL["areas"] = {v: k for k, v in AREA_COLUMNS.items()}
        IMPORTERS["areas"], VALIDATORS["areas"] = areas_import, areas_check
        EXAMPLES["areas"] = {"site": "33010601", "district": "330106", "keywords": "文三路、学院路", "priority": "10"}
