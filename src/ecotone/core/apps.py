from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ecotone.core"
    label = "core"
