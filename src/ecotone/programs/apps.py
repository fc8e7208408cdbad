from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "ecotone.programs"
    label = "programs"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from ecotone.config.api import api

        from .api import router

        api.add_router("", router)
