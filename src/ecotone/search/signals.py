"""Keep the index fresh: registered models re-index on save, delete and sector changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from ecotone.core.signals import records_imported

from .indexing import refresh_imported
from .registry import index_for, indexes
from .tasks import schedule_refresh

IMPORT_RECEIVER = "ecotone.search:imported"


def on_save(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        schedule_refresh(instance)


def on_delete(sender, instance, **kwargs) -> None:
    schedule_refresh(instance)


def on_m2m(sender, instance, action, reverse=False, **kwargs) -> None:
    if not reverse and action in {"post_add", "post_remove", "post_clear"}:
        schedule_refresh(instance)


def on_import(sender, pks, **kwargs) -> None:
    index = index_for(sender)
    if index is not None:
        refresh_imported(index, pks)


def connect_registered_models() -> None:
    records_imported.connect(on_import, dispatch_uid=IMPORT_RECEIVER)
    for index in indexes():
        uid = f"ecotone.search:{index.kind}"
        post_save.connect(on_save, sender=index.model, dispatch_uid=uid)
        post_delete.connect(on_delete, sender=index.model, dispatch_uid=uid)
        for name in index.m2m_fields:
            through = index.model._meta.get_field(name).remote_field.through
            m2m_changed.connect(on_m2m, sender=through, dispatch_uid=f"{uid}:{name}")
