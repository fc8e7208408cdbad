from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "ecotone.impact"
    label = "impact"
    verbose_name = _("Impact accounting")

    def ready(self) -> None:
        from ecotone.config.api import api

        from .api import router

        api.add_router("", router)
        from . import demo  # noqa: F401  (registers the demo step)
