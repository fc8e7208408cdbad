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

        from django.db.models.signals import post_save

        from ecotone.catalog.models import Need
        from ecotone.core.signals import records_imported

        from .tasks import IMPORT_RECEIVER, SAVE_RECEIVER, on_need_saved, on_needs_imported

        post_save.connect(on_need_saved, sender=Need, dispatch_uid=SAVE_RECEIVER)
        records_imported.connect(on_needs_imported, dispatch_uid=IMPORT_RECEIVER)
