from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "ecotone.matching"
    label = "matching"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        from ecotone.config.api import api

        from .api import router

        api.add_router("", router)

        from ecotone.accounts.claims import organisation_claimed

        from .brokers import on_organisation_claimed

        organisation_claimed.connect(on_organisation_claimed, dispatch_uid="matching-claimed")
