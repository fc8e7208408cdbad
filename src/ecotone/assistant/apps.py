from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "ecotone.assistant"
    label = "assistant"
    verbose_name = _("Knowledge assistant")

    def ready(self) -> None:
        from ecotone.config.api import api, error_body

        from .api import router
        from .services import AskRefused

        api.add_router("", router)

        @api.exception_handler(AskRefused)
        def on_ask_refused(request, exc: AskRefused):
            return api.create_response(
                request, error_body(exc.code, exc.message, exc.field), status=exc.status
            )
