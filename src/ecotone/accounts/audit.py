from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def record_audit(
    *,
    actor,
    action: str,
    record,
    from_status: str = "",
    to_status: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        object_repr=str(record)[:300],
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
        reason=reason,
    )


def history_of(record):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).select_related("actor")
