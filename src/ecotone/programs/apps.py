from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "ecotone.programs"
    label = "programs"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from ecotone.config.api import api, error_body

        from . import demo  # noqa: F401  (registers the demo step)
        from .api import router
        from .services import ProgrammeRefused
        from .states import TransitionRefused

        api.add_router("", router)

        from ecotone.matching.ranking import register_counterpart_finder

        from .counterparts import programmes_for_venture

        register_counterpart_finder("programmes", programmes_for_venture)

        @api.exception_handler(ProgrammeRefused)
        def on_programme_refused(request, exc: ProgrammeRefused):
            return api.create_response(
                request, error_body(exc.code, exc.message, exc.field), status=exc.status
            )

        @api.exception_handler(TransitionRefused)
        def on_transition_refused(request, exc: TransitionRefused):
            return api.create_response(
                request, error_body("invalid_transition", exc.message), status=409
            )
