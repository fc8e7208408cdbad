"""Keep the index fresh: registered models re-index on save, delete and sector changes,
after an import, and after a data migration that rewrote records."""

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import ManyToManyField, Model
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from ecotone.core.signals import records_imported, records_rewritten

from .registry import index_for, indexes
from .tasks import index_records_task, refresh_index_task, schedule_refresh

IMPORT_RECEIVER = "ecotone.search:imported"
REWRITE_RECEIVER = "ecotone.search:rewritten"
#: (kind, pk) of records data migrations rewrote in this process, until ``migrate`` ends
_rewritten: set[tuple[str, int]] = set()


def on_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        schedule_refresh(instance)


def on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    schedule_refresh(instance)


def on_m2m(
    sender: type[Model], instance: Model, action: str, reverse: bool = False, **kwargs: Any
) -> None:
    if not reverse and action in {"post_add", "post_remove", "post_clear"}:
        schedule_refresh(instance)


def on_import(sender: type[Model], pks: Iterable[int], **kwargs: Any) -> None:
    """In the background (the worker; at once with ``ECOTONE_TASKS=immediate``): a 50,000
    row import spent half an hour indexing after its rows were committed, and a kill then
    left the index behind. The task shows its progress and resumes (``repair``)."""
    index = index_for(sender)
    if index is not None and pks:
        index_records_task.enqueue(index.kind, sorted(pks))


def on_rewrite(sender: str, pks: Iterable[int], **kwargs: Any) -> None:
    index = index_for(apps.get_model(sender))
    if index is not None:
        _rewritten.update((index.kind, pk) for pk in pks)


def after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Re-index what data migrations rewrote, now that the models match the tables again:
    in a task, so a large correction never holds up ``migrate`` (the worker embeds it)."""
    if _rewritten:
        keys = [[kind, pk] for kind, pk in sorted(_rewritten)]
        _rewritten.clear()
        refresh_index_task.enqueue(keys)


def connect_registered_models(app_config: AppConfig) -> None:
    records_imported.connect(on_import, dispatch_uid=IMPORT_RECEIVER)
    records_rewritten.connect(on_rewrite, dispatch_uid=REWRITE_RECEIVER)
    post_migrate.connect(after_migrate, sender=app_config, dispatch_uid=REWRITE_RECEIVER)
    for index in indexes():
        uid = f"ecotone.search:{index.kind}"
        post_save.connect(on_save, sender=index.model, dispatch_uid=uid)
        post_delete.connect(on_delete, sender=index.model, dispatch_uid=uid)
        for name in index.m2m_fields:
            field = index.model._meta.get_field(name)
            if not isinstance(field, ManyToManyField):
                raise ImproperlyConfigured(f"{index.kind}.m2m_fields: {name} is no many-to-many")
            through = field.remote_field.through
            m2m_changed.connect(on_m2m, sender=through, dispatch_uid=f"{uid}:{name}")
