from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ecotone.reports"
    label = "reports"
    verbose_name = _("Dashboards and reports")

    def ready(self) -> None:
        from ecotone.config.api import api

        from .api import router

        api.add_router("", router)
