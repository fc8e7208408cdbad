from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "ecotone.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from ecotone.config.api import api, error_body

        from .api import router
        from .queries import InvalidFilter
        from .services import RecordInvalid

        api.add_router("", router)

        @api.exception_handler(RecordInvalid)
        def on_record_invalid(request, exc: RecordInvalid):
            field, messages = next(iter(exc.errors.items()))
            every = [
                {"field": name, "message": message}
                for name, texts in exc.errors.items()
                for message in texts
            ]
            body = {**error_body("invalid", messages[0], field), "errors": every}
            return api.create_response(request, body, status=422)

        @api.exception_handler(InvalidFilter)
        def on_invalid_filter(request, exc: InvalidFilter):
            return api.create_response(
                request, error_body("invalid", exc.message, exc.field), status=422
            )
