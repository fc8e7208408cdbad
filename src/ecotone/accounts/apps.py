from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ecotone.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from ecotone.config.api import api

        from .api import router

        api.add_router("", router)
