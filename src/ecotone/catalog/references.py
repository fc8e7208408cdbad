"""Resolve the stable identifiers that imports and the API use to point at records.

Records point at each other by ``external_id`` (sectors by ``slug``). A
``ReferenceResolver`` loads each referenced table's identifiers once, so validating
100k rows costs one query per referenced table rather than one per row.
"""

from django.db.models import Model


class ReferenceResolver:
    def __init__(self) -> None:
        self._maps: dict[type[Model], dict[str, int]] = {}

    def key_field(self, model: type[Model]) -> str:
        return "slug" if model._meta.model_name == "sector" else "external_id"

    def lookup(self, model: type[Model]) -> dict[str, int]:
        if model not in self._maps:
            key = self.key_field(model)
            self._maps[model] = dict(model._default_manager.values_list(key, "pk"))
        return self._maps[model]

    def resolve(self, model: type[Model], key: str) -> int | None:
        return self.lookup(model).get(key)

    def remember(self, model: type[Model], key: str, pk: int) -> None:
        if model in self._maps:
            self._maps[model][key] = pk


class DatabaseResolver(ReferenceResolver):
    """For single records (web, API): ask the database for just the keys needed."""

    def resolve(self, model: type[Model], key: str) -> int | None:
        if model in self._maps:
            return self._maps[model].get(key)
        return (
            model._default_manager.filter(**{self.key_field(model): key})
            .values_list("pk", flat=True)
            .first()
        )
