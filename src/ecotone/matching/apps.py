from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "ecotone.matching"
    label = "matching"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        from ecotone.config.api import api, error_body

        from .api import router
        from .services import MatchingRefused

        api.add_router("", router)

        from ecotone.accounts.claims import organisation_claimed

        from .brokers import on_organisation_claimed

        organisation_claimed.connect(on_organisation_claimed, dispatch_uid="matching-claimed")

        @api.exception_handler(MatchingRefused)
        def on_introduction_refused(request, exc: MatchingRefused):
            return api.create_response(
                request, error_body(exc.code, exc.message, exc.field), status=exc.status
            )
