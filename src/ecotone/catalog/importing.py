"""Bulk import: validate every row first, then write all of them in one transaction.

Bad rows are collected with their row number, column and reason; by default one bad
row means nothing is written. Rows are matched to existing records by
``external_id``, so importing the same file twice changes nothing.

Rows are checked by the kind's form (one form, rebound for each row) as the file is
read; new records are then written without ``bulk_create``'s per-value SQL assembly.
See ``benchmarks/import_orgs.py`` for the figures.
"""

import datetime
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, models, router, transaction
from django.utils import timezone
from django_countries.fields import CountryField

from ecotone.core.bilingual import only_chinese
from ecotone.core.models import TimestampedModel
from ecotone.core.refusals import Refused
from ecotone.core.signals import records_imported

from .fields import LIST_FIELD_TYPES
from .kinds import Kind
from .models import CatalogueRecord
from .references import ReferenceResolver
from .serializers import record_to_row
from .tabular import FileFormatError, read_rows

BATCH_SIZE = 2000
#: keys per ``IN (...)`` list: under SQLite's historical limit of 999 bound parameters
IN_LIST_SIZE = 900


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        # Row 0 and column "-" stand for the whole file and the whole row.
        where = f"row {self.row}" if self.row else "file"
        column = f", column {self.column}" if self.column != "-" else ""
        return f"{where}{column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: what was written differently from the file, and why (a copied Chinese title
    #: stored empty): reported, never a reason to refuse the row
    notes: list[RowError] = field(default_factory=list)
    written: bool = False
    #: time spent checking every row, and writing the good ones
    validate_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportFailed(Refused):
    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(f"{len(result.errors)} bad row(s); nothing was written", field="file")


@dataclass
class _ValidRow:
    number: int
    instance: models.Model
    m2m: dict[str, list[int]]
    is_new: bool
    changed: bool


def normalise_resource_row(row: dict) -> dict:
    """The stable resource format names ``title`` in the document's ``language``, and a
    ``publisher`` in whichever language it is written."""
    row = dict(row)
    language = str(row.get("language") or "en").lower()
    if "title" in row:
        row.setdefault(f"title_{'zh' if language.startswith('zh') else 'en'}", row.pop("title"))
    if language.startswith("zh"):
        row["language"] = "zh"
    if only_chinese(str(row.get("publisher") or "")) and not row.get("publisher_zh"):
        row["publisher_zh"] = row.pop("publisher")
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
    # Rows are validated as they are read. A file that turns out unreadable part-way is
    # reported alone, as if it had been refused before its first row.
    try:
        return import_rows(
            kind,
            read_rows(path),
            actor=actor,
            skip_invalid=skip_invalid,
            default_status=default_status,
            progress=progress,
        )
    except FileFormatError as error:
        result = ImportResult(kind=kind.name)
        result.errors.append(RowError(error.row or 0, error.column or "-", error.message))
        raise ImportFailed(result) from None


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
    started = time.perf_counter()
    valid = _validate(kind, rows, result, default_status, progress)
    result.validate_seconds = time.perf_counter() - started
    if result.errors and not skip_invalid:
        raise ImportFailed(result)
    started = time.perf_counter()
    _write(kind, valid, result, actor)
    result.write_seconds = time.perf_counter() - started
    return result


ROWS_PER_LOOKUP = 1000  #: rows read ahead to fetch the records they update in one query


def _validate(kind, rows, result, default_status, progress) -> list[_ValidRow]:
    checker = _RowChecker(kind, ReferenceResolver(), {}, result.errors, default_status)
    normalise = ROW_NORMALISERS.get(kind.name, lambda row: row)
    valid: list[_ValidRow] = []
    count = 0
    for block in _blocks(rows, ROWS_PER_LOOKUP):
        block = [(number, normalise(raw)) for number, raw in block]
        # Only the records this block names: loading every record of the kind for each
        # import made a chunked import of a large directory slow down chunk after chunk.
        checker.existing = _existing_records(kind, [row for _, row in block])
        for number, row in block:
            checked = checker.check(number, row)
            if checked is not None and checker.apply_status(checked, row):
                valid.append(checked)
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
    result.notes.extend(checker.notes)
    return valid


def _blocks(rows: Iterable[tuple[int, dict]], size: int) -> Iterator[list[tuple[int, dict]]]:
    rows = iter(rows)
    while block := list(itertools.islice(rows, size)):
        yield block


def _existing_records(kind: Kind, rows: list[dict]) -> dict:
    """The records of ``kind`` whose external ids ``rows`` give, by external id."""
    ids = {str(row.get("external_id") or "").strip() for row in rows if isinstance(row, dict)}
    ids.discard("")
    records = kind.queryset().filter(external_id__in=ids).prefetch_related(*_m2m_names(kind))
    return {record.external_id: record for record in records}


class _RowChecker:
    """Checks rows one by one with one form, rebound for each row."""

    def __init__(self, kind: Kind, resolver, existing: dict, errors: list, default_status: str):
        from ecotone.core.models import PublicationStatus

        self.kind, self.existing, self.errors = kind, existing, errors
        self.notes: list[RowError] = []
        self.default_status = default_status
        self.statuses = frozenset(PublicationStatus.values)
        self.status_message = f"must be one of {', '.join(PublicationStatus.values)}"
        self.allowed = set(kind.columns)
        self.expected = ", ".join(sorted(self.allowed))
        self.defaults = kind.form.model_defaults()
        self.m2m_names = _m2m_names(kind)
        self.seen: dict[str, int] = {}
        self.unknown_reported: set[str] = set()
        # Duplicates are checked below; existing rows are updated.
        self.form = kind.form.for_many_rows(resolver)
        self.list_columns = frozenset(
            name
            for name, field in self.form.base_fields.items()
            if isinstance(field, LIST_FIELD_TYPES)
        )

    def error(self, number: int, column: str, message: str) -> None:
        self.errors.append(RowError(number, column, message))

    def check(self, number: int, row: dict) -> _ValidRow | None:
        """The row made ready to write, or None (its problems are in ``errors``)."""
        unknown = sorted(set(row) - self.allowed - {"status"})
        if unknown:
            # A column the kind lacks spoils every row that has it: say so once.
            for column in set(unknown) - self.unknown_reported:
                self.error(number, column, "unknown column; expected one of " + self.expected)
            self.unknown_reported.update(unknown)
            return None
        if not self._single_values(number, row):
            return None
        external_id = str(row.get("external_id") or "").strip()
        if not external_id:
            self.error(number, "external_id", "required")
            return None
        seen = self.seen
        if external_id in seen:
            self.error(
                number,
                "external_id",
                f"duplicate {external_id!r}, first used in row {seen[external_id]}",
            )
            return None
        seen[external_id] = number
        current = self.existing.get(external_id)
        # Columns the file leaves out keep their current value (or the model's default).
        base = record_to_row(self.kind, current) if current else self.defaults
        data = {**base, **{key: value for key, value in row.items() if key != "status"}}
        data = {key: ("" if value is None else value) for key, value in data.items()}
        form = self.form(data=data, instance=current)
        if not form.is_valid():
            for column, messages in form.errors.items():
                self.error(number, column if column != "__all__" else "-", str(messages[0]))
            return None
        self.notes.extend(RowError(number, n.field, n.message) for n in form.bilingual_notes)
        cleaned = form.cleaned_data
        m2m = {name: cleaned.get(name, []) for name in self.m2m_names}
        changed = current is None or bool(form.changed_data)
        return _ValidRow(number, form.instance, m2m, is_new=current is None, changed=changed)

    def _single_values(self, number: int, row: dict) -> bool:
        """False (and an error each) where a JSON list stands for one value.

        A form field would read it as its Python text, ``['a', 'b']``.
        """
        lists = [c for c, v in row.items() if isinstance(v, list) and c not in self.list_columns]
        for column in lists:
            self.error(number, column, "takes one value, not a list")
        return not lists

    def apply_status(self, checked: _ValidRow, row: dict) -> bool:
        """Set the row's publication status; False (and an error) when it is not one."""
        if not self.kind.has_status:
            return True
        instance = checked.instance
        assert isinstance(instance, CatalogueRecord)  # the kinds with a status are records
        status = str(
            row.get("status") or (self.default_status if checked.is_new else instance.status)
        )
        if status not in self.statuses:
            self.error(checked.number, "status", self.status_message)
            return False
        if status != instance.status:
            checked.changed = True
        instance.status = status
        return True


def _m2m_names(kind: Kind) -> list[str]:
    return [
        field.name
        for field in kind.model._meta.many_to_many
        if field.name in (kind.form._meta.fields or ())
    ]


def _write(kind: Kind, valid: list[_ValidRow], result: ImportResult, actor) -> None:
    new_rows = [row for row in valid if row.is_new]
    changed_rows = [row for row in valid if not row.is_new and row.changed]
    result.unchanged = len(valid) - len(new_rows) - len(changed_rows)
    using = router.db_for_write(kind.model)
    with transaction.atomic(using=using):
        now = timezone.now()
        for row in new_rows:
            assert isinstance(row.instance, TimestampedModel)  # every kind's model is
            row.instance.created_at = row.instance.updated_at = now
        _insert(kind.model, [row.instance for row in new_rows], now, using)
        for row in changed_rows:
            row.instance.save()
        _write_m2m(kind, new_rows, changed_rows, using)
        _assign_owners(kind, new_rows)
        if new_rows or changed_rows:  # an import by the CLI has no actor, but is recorded
            _audit_import(kind, actor, len(new_rows), len(changed_rows))
            pks = [row.instance.pk for row in [*new_rows, *changed_rows]]
            transaction.on_commit(
                lambda: records_imported.send(sender=kind.model, pks=pks), robust=True
            )
    result.created, result.updated, result.written = len(new_rows), len(changed_rows), True


def _insert(model, instances: list, now, using: str) -> None:
    """Insert new records and give them their primary keys.

    Like ``bulk_create``, but without its SQL assembled value by value (per row that cost
    more than the whole validation): one ``INSERT`` run for every row by the driver, or
    a COPY on PostgreSQL. Values still go through each field's ``pre_save()`` and
    ``get_db_prep_save()``. Models the shortcut does not suit go through ``bulk_create``.
    """
    if not instances:
        return
    connection = connections[using]
    fields = _plain_insert_fields(model)
    if fields is None or any(instance.pk is not None for instance in instances):
        model.objects.using(using).bulk_create(instances, batch_size=BATCH_SIZE)
        if instances[0].pk is None:
            _fill_primary_keys(model, instances, using)
        return
    readers = [_db_value_reader(field, now, connection) for field in fields]
    rows = []
    for instance in instances:
        instance._prepare_related_fields_for_save(operation_name="bulk_create")
        rows.append(tuple([read(instance) for read in readers]))
    _insert_rows(connection, model._meta.db_table, [field.column for field in fields], rows)
    del rows
    _fill_primary_keys(model, instances, using)
    for instance in instances:
        instance._state.adding, instance._state.db = False, using


def _insert_rows(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """``INSERT`` rows of plain values: one statement for all rows, or PostgreSQL's COPY."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        # Quoted names from the model's options; the values are bound parameters.
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            # psycopg 3: statement by statement the server was the bottleneck.
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
        for batch in _chunks(rows, BATCH_SIZE):
            cursor.executemany(sql, batch)


def _plain_insert_fields(model) -> list | None:
    """The columns to insert, if every one takes a plain bound value."""
    opts = model._meta
    if (
        opts.parents
        or opts.order_with_respect_to
        or not isinstance(opts.pk, models.AutoField)
        or not getattr(opts.get_field("external_id"), "unique", False)
    ):
        return None
    fields = [
        field
        for field in opts.concrete_fields
        if not field.generated and not isinstance(field, models.AutoField)
    ]
    if any(field.has_db_default() or hasattr(field, "get_placeholder") for field in fields):
        return None
    return fields


def _db_value_reader(field, now, connection) -> Callable:
    """``field.get_db_prep_save(field.pre_save(instance, add=True))``, faster per row.

    The import stamps its records with one time (as it always meant to), and values that
    repeat (dates, numbers, choices, countries) are converted once per distinct value.
    """
    prepare = field.get_db_prep_save
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        stamp = prepare(now, connection)

        def read_stamp(instance):
            setattr(instance, field.attname, now)
            return stamp

        return read_stamp
    attname = field.attname
    if isinstance(field, CountryField):
        # Its descriptor builds a Country object on every read; the instance already
        # holds the cleaned code(s) that get_prep_value() turns that object back into.
        def read_value(instance):
            return instance.__dict__[attname]

    elif type(field).pre_save is models.Field.pre_save:

        def read_value(instance):
            return getattr(instance, attname)

    else:

        def read_value(instance):
            return field.pre_save(instance, True)

    # Text in a plain text column is stored as it is (its get_prep_value() is to_python(),
    # which returns a str unchanged); other values are converted once per distinct value.
    text_as_is = (
        type(field).get_db_prep_save is models.Field.get_db_prep_save
        and type(field).get_db_prep_value is models.Field.get_db_prep_value
        and type(field).get_prep_value in _TEXT_PREP_VALUE
        and type(field).to_python in _TEXT_TO_PYTHON
    )
    memo: dict = {}

    def read(instance):
        value = read_value(instance)
        value_type = value.__class__
        if value_type is str and not field.choices:
            return value if text_as_is else prepare(value, connection)
        if value_type not in _REPEATING_TYPES:
            return prepare(value, connection)
        key = (value_type, value)
        try:
            return memo[key]
        except KeyError:
            prepared = memo[key] = prepare(value, connection)
            return prepared

    return read


#: types whose equal values are the same value (unlike Decimal("1.0") and Decimal("1.00"))
_REPEATING_TYPES = frozenset({type(None), bool, int, str, datetime.date, datetime.datetime})
_TEXT_PREP_VALUE = (models.CharField.get_prep_value, models.TextField.get_prep_value)
_TEXT_TO_PYTHON = (models.CharField.to_python, models.TextField.to_python)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fill_primary_keys(model, instances: list, using: str) -> None:
    """Primary keys of just-inserted records, looked up by their unique external_id."""
    connection = connections[using]
    quote = connection.ops.quote_name
    opts = model._meta
    key, pk, table = (
        quote(opts.get_field("external_id").column),
        quote(opts.pk.column),
        quote(opts.db_table),
    )
    with connection.cursor() as cursor:
        for batch in _chunks(instances, IN_LIST_SIZE):
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                # Quoted names from the model's options; the values are bound parameters.
                f"SELECT {key}, {pk} FROM {table} WHERE {key} IN ({marks})",  # noqa: S608
                [instance.external_id for instance in batch],
            )
            ids = dict(cursor.fetchall())
            for instance in batch:
                instance.pk = ids[instance.external_id]


def _pk_runs(pks: list[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive keys as (first, last): new records' keys mostly form one."""
    ordered = sorted(pks)
    if not ordered:
        return
    start = end = ordered[0]
    for pk in ordered[1:]:
        if pk == end + 1:
            end = pk
            continue
        yield start, end
        start = end = pk
    yield start, end


def _write_m2m(kind: Kind, new_rows, changed_rows, using: str) -> None:
    connection = connections[using]
    for name in _m2m_names(kind):
        field = kind.model._meta.get_field(name)
        assert isinstance(field, models.ManyToManyField)  # named by ``many_to_many``
        through = field.remote_field.through
        assert through is not None  # set when the models are loaded
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        for batch in _chunks([row.instance.pk for row in changed_rows], IN_LIST_SIZE):
            through._default_manager.using(using).filter(**{f"{source}__in": batch}).delete()
        pairs = [
            (row.instance.pk, target_pk)
            for row in [*new_rows, *changed_rows]
            for target_pk in row.m2m.get(name, [])
        ]
        if not pairs:
            continue
        if not through._meta.auto_created:
            links = [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in pairs]
            through._default_manager.using(using).bulk_create(links, batch_size=BATCH_SIZE)
            continue
        # An automatic link table holds just the two keys: insert them as they are.
        columns = [field.m2m_column_name(), field.m2m_reverse_name()]
        _insert_rows(connection, through._meta.db_table, columns, pairs)


def _assign_owners(kind: Kind, new_rows) -> None:
    """Imported records are maintained by their natural organisation, if they have one."""
    if "owner" not in {f.name for f in kind.model._meta.fields}:
        return
    if kind.model._meta.model_name == "organisation":
        for first, last in _pk_runs([r.instance.pk for r in new_rows]):
            kind.model._default_manager.filter(
                pk__gte=first, pk__lte=last, owner__isnull=True
            ).update(owner_id=models.F("pk"))
    elif kind.owner_field:
        for row in new_rows:
            owner_id = getattr(row.instance, f"{kind.owner_field}_id")
            if owner_id:
                row.instance.owner_id = owner_id
        kind.model._default_manager.bulk_update(
            [row.instance for row in new_rows if row.instance.owner_id],
            ["owner"],
            batch_size=BATCH_SIZE,
        )
    elif kind.owner_list_field:
        for row in new_rows:
            listed = row.m2m.get(kind.owner_list_field) or []
            row.instance.owner_id = listed[0] if listed else None
        kind.model._default_manager.bulk_update(
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
