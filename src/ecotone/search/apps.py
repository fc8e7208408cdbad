from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "ecotone.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from ecotone.config.api import api
        from ecotone.core.null_characters import cleans_null_characters

        from . import signals
        from .api import router

        # Each app declares its indexes in its own ``search.py`` (catalog/search.py).
        autodiscover_modules("search")
        signals.connect_registered_models(self)
        api.add_router("", router)
        # the backends strip U+0000 from queries and filters (a hostile query is answered)
        cleans_null_characters("api:search", "api:search_suggest", "search:search")
