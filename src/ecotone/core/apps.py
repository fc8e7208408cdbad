from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ecotone.core"
    label = "core"

    def ready(self) -> None:
        from .cache import connect_signals

        connect_signals()
