"""A fingerprint of the data the reports are made from, so built files know when they are stale.

The annual report's PDF and the open-data files are built once and served from disk; each
is stored under the fingerprint of the data it was built from. Any save, addition or
deletion in the catalogue or the impact library changes the fingerprint, so an edit makes
the old files stale without anyone having to remember to clear a cache.

For each table (the catalogue's and the impact app's, with their many-to-many link tables)
it reads the row count, the highest id and, where the table has one, the latest
``updated_at``/``created_at``: a save moves the timestamp, an addition moves the count and
the highest id, a deletion moves the count. A fixed number of small aggregate queries,
whatever the size of the data.
"""

import hashlib
from collections.abc import Iterator

from django.apps import apps
from django.db.models import Count, Max, Model

#: the apps whose tables the reports and the open data read
SOURCE_APPS = ("catalog", "impact")
#: bump when the files' layout changes, so files built by an older Ecotone are rebuilt
FORMAT_VERSION = "1"


def source_models() -> Iterator[type[Model]]:
    for label in SOURCE_APPS:
        if apps.is_installed(f"ecotone.{label}"):
            yield from apps.get_app_config(label).get_models(include_auto_created=True)


def _table_state(model: type[Model]) -> tuple:
    field_names = {field.name for field in model._meta.concrete_fields}
    aggregates = {"rows": Count("pk"), "top": Max("pk")}
    for name in ("updated_at", "created_at"):
        if name in field_names:
            aggregates["changed"] = Max(name)
            break
    state = model._default_manager.aggregate(**aggregates)
    return (model._meta.label, *(str(state[name]) for name in sorted(state)))


def data_fingerprint(*extra: str) -> str:
    """A short hex digest of the source tables' state and of ``extra`` (e.g. the base URL
    the files' links are written with)."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for model in sorted(source_models(), key=lambda model: model._meta.label):
        digest.update(repr(_table_state(model)).encode())
    for part in extra:
        digest.update(b"\x00" + part.encode())
    return digest.hexdigest()[:24]
