from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "ecotone.programs"
    label = "programs"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from ecotone.config.api import api

        from . import demo  # noqa: F401  (registers the demo step)
        from .api import router

        api.add_router("", router)

        from ecotone.matching.ranking import register_counterpart_finder

        from .counterparts import programmes_for_venture

        register_counterpart_finder("programmes", programmes_for_venture)
