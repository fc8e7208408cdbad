"""Bulk import: validate every row first, then write all of them in one transaction.

Bad rows are collected with their row number, column and reason; by default one bad
row means nothing is written. Rows are matched to existing records by
``external_id``, so importing the same file twice changes nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

from .kinds import Kind
from .references import ReferenceResolver
from .serializers import record_to_row
from .tabular import FileFormatError, read_rows

BATCH_SIZE = 2000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportFailed(Exception):
    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(f"{len(result.errors)} bad row(s); nothing was written")


@dataclass
class _ValidRow:
    number: int
    instance: models.Model
    m2m: dict[str, list[int]]
    is_new: bool
    changed: bool


def normalise_resource_row(row: dict) -> dict:
    """The stable resource format names ``title`` in the document's ``language``."""
    row = dict(row)
    language = str(row.get("language") or "en").lower()
    if "title" in row:
        row.setdefault(f"title_{'zh' if language.startswith('zh') else 'en'}", row.pop("title"))
    if language.startswith("zh"):
        row["language"] = "zh"
    row.setdefault("kind", "report")
    return row


ROW_NORMALISERS: dict[str, Callable[[dict], dict]] = {"resource": normalise_resource_row}


def import_file(
    kind: Kind,
    path: Path,
    *,
    actor=None,
    skip_invalid: bool = False,
    default_status: str = "published",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    try:
        rows = list(read_rows(path))
    except FileFormatError as error:
        result = ImportResult(kind=kind.name)
        result.errors.append(RowError(error.row or 0, error.column or "-", error.message))
        raise ImportFailed(result) from None
    return import_rows(
        kind,
        rows,
        actor=actor,
        skip_invalid=skip_invalid,
        default_status=default_status,
        progress=progress,
    )


def import_rows(
    kind: Kind,
    rows: Iterable[tuple[int, dict]],
    *,
    actor=None,
    skip_invalid: bool = False,
    default_status: str = "published",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    result = ImportResult(kind=kind.name)
    valid = _validate(kind, rows, result, default_status, progress)
    if result.errors and not skip_invalid:
        raise ImportFailed(result)
    _write(kind, valid, result, actor)
    return result


def _validate(kind, rows, result, default_status, progress) -> list[_ValidRow]:
    resolver = ReferenceResolver()
    existing = {
        record.external_id: record for record in kind.queryset().prefetch_related(*_m2m_names(kind))
    }
    allowed = set(kind.columns)
    normalise = ROW_NORMALISERS.get(kind.name, lambda row: row)
    seen: dict[str, int] = {}
    valid: list[_ValidRow] = []
    form = kind.form(resolver=resolver)
    form.validate_unique = lambda: None  # duplicates are checked below; existing rows are updated
    for count, (number, raw) in enumerate(rows, start=1):
        row = normalise(raw)
        checked = _validate_row(kind, form, number, row, allowed, seen, existing, result)
        if checked is not None:
            _apply_status(kind, checked, row, default_status, result)
            valid.append(checked)
        if progress and count % 1000 == 0:
            progress(1000)
    return valid


def _validate_row(kind, form, number, row, allowed, seen, existing, result):
    unknown = sorted(set(row) - allowed - {"status"})
    if unknown:
        result.errors.append(
            RowError(
                number, unknown[0], "unknown column; expected one of " + ", ".join(sorted(allowed))
            )
        )
        return None
    external_id = str(row.get("external_id") or "").strip()
    if not external_id:
        result.errors.append(RowError(number, "external_id", "required"))
        return None
    if external_id in seen:
        result.errors.append(
            RowError(
                number,
                "external_id",
                f"duplicate {external_id!r}, first used in row {seen[external_id]}",
            )
        )
        return None
    seen[external_id] = number
    current = existing.get(external_id)
    # Columns the file leaves out keep their current value (or the model's default).
    base = record_to_row(kind, current) if current else kind.form.model_defaults()
    data = {**base, **{key: value for key, value in row.items() if key != "status"}}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    form.rebind(data, current)
    if not form.is_valid():
        for column, messages in form.errors.items():
            result.errors.append(
                RowError(number, column if column != "__all__" else "-", str(messages[0]))
            )
        return None
    instance = form.instance
    m2m = {name: form.cleaned_data.get(name, []) for name in _m2m_names(kind)}
    changed = current is None or bool(form.changed_data)
    return _ValidRow(number, instance, m2m, is_new=current is None, changed=changed)


def _apply_status(kind, checked: _ValidRow, row: dict, default_status: str, result) -> None:
    if not kind.has_status:
        return
    from ecotone.core.models import PublicationStatus

    status = str(
        row.get("status") or (default_status if checked.is_new else checked.instance.status)
    )
    if status not in PublicationStatus.values:
        result.errors.append(
            RowError(
                checked.number, "status", f"must be one of {', '.join(PublicationStatus.values)}"
            )
        )
        return
    if status != checked.instance.status:
        checked.changed = True
    checked.instance.status = status


def _m2m_names(kind: Kind) -> list[str]:
    return [
        field.name
        for field in kind.model._meta.many_to_many
        if field.name in kind.form._meta.fields
    ]


def _write(kind: Kind, valid: list[_ValidRow], result: ImportResult, actor) -> None:
    new_rows = [row for row in valid if row.is_new]
    changed_rows = [row for row in valid if not row.is_new and row.changed]
    result.unchanged = len(valid) - len(new_rows) - len(changed_rows)
    with transaction.atomic():
        now = timezone.now()
        for row in new_rows:
            row.instance.created_at = row.instance.updated_at = now
        kind.model.objects.bulk_create([row.instance for row in new_rows], batch_size=BATCH_SIZE)
        if new_rows and new_rows[0].instance.pk is None:
            _fill_primary_keys(kind, new_rows)
        for row in changed_rows:
            row.instance.save()
        _write_m2m(kind, new_rows, changed_rows)
        _assign_owners(kind, new_rows)
        if actor is not None and (new_rows or changed_rows):
            _audit_import(kind, actor, len(new_rows), len(changed_rows))
    result.created, result.updated, result.written = len(new_rows), len(changed_rows), True


def _fill_primary_keys(kind: Kind, rows: list[_ValidRow]) -> None:
    ids = dict(
        kind.model.objects.filter(
            external_id__in=[row.instance.external_id for row in rows]
        ).values_list("external_id", "pk")
    )
    for row in rows:
        row.instance.pk = ids[row.instance.external_id]


def _write_m2m(kind: Kind, new_rows, changed_rows) -> None:
    for name in _m2m_names(kind):
        field = kind.model._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        if changed_rows:
            through.objects.filter(
                **{f"{source}__in": [row.instance.pk for row in changed_rows]}
            ).delete()
        links = [
            through(**{f"{source}_id": row.instance.pk, f"{target}_id": target_pk})
            for row in [*new_rows, *changed_rows]
            for target_pk in row.m2m.get(name, [])
        ]
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)


def _assign_owners(kind: Kind, new_rows) -> None:
    """Imported records are maintained by their natural organisation, if they have one."""
    if "owner" not in {f.name for f in kind.model._meta.fields}:
        return
    if kind.model._meta.model_name == "organisation":
        kind.model.objects.filter(
            pk__in=[r.instance.pk for r in new_rows], owner__isnull=True
        ).update(owner_id=models.F("pk"))
    elif kind.owner_field:
        for row in new_rows:
            owner_id = getattr(row.instance, f"{kind.owner_field}_id")
            if owner_id:
                row.instance.owner_id = owner_id
        kind.model.objects.bulk_update(
            [row.instance for row in new_rows if row.instance.owner_id],
            ["owner"],
            batch_size=BATCH_SIZE,
        )
    elif kind.owner_list_field:
        for row in new_rows:
            listed = row.m2m.get(kind.owner_list_field) or []
            row.instance.owner_id = listed[0] if listed else None
        kind.model.objects.bulk_update(
            [row.instance for row in new_rows if row.instance.owner_id],
            ["owner"],
            batch_size=BATCH_SIZE,
        )


def _audit_import(kind: Kind, actor, created: int, updated: int) -> None:
    from ecotone.accounts.models import AuditEntry

    AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="import",
        content_type=_content_type(kind),
        object_id="*",
        object_repr=f"{kind.plural}: {created} created, {updated} updated",
    )


def _content_type(kind: Kind):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(kind.model)
