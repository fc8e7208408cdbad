"""Admin pieces shared by the apps."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services that check and audit each change
    (calculations, factor versions, submissions, reviews …): operators may look, not edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


ADMIN_REASON = "in the admin"


class AuditedAdmin(admin.ModelAdmin):
    """For records staff may edit here: each save and delete is written to the audit log,
    as an edit on a page or through the API is (same actions, reason "in the admin")."""

    def save_model(self, request, obj, form, change):
        from_status = _stored_status(obj) if change else ""
        super().save_model(request, obj, form, change)
        changes = {name: str(form.cleaned_data.get(name))[:200] for name in form.changed_data}
        _audit(request, "update" if change else "create", obj, from_status, changes)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = {
            formset.prefix: ", ".join(
                str(row.instance) for row in formset.forms if row.has_changed()
            )
            for formset in formsets
            if formset.has_changed()
        }
        if changed:  # inline rows (tracks, rounds, criteria, sessions) saved with their parent
            status = getattr(form.instance, "status", "")
            _audit(
                request, "update", form.instance, status, {k: v[:200] for k, v in changed.items()}
            )

    def delete_model(self, request, obj):
        _audit(request, "delete", obj, getattr(obj, "status", ""), {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _audit(request, "delete", obj, getattr(obj, "status", ""), {})
        super().delete_queryset(request, queryset)


def _stored_status(obj) -> str:
    if not hasattr(obj, "status") or obj.pk is None:
        return ""
    return type(obj)._default_manager.filter(pk=obj.pk).values_list("status", flat=True).first()


def _audit(request, action: str, obj, from_status: str, changes: dict) -> None:
    from ecotone.accounts.audit import record_audit

    to_status = getattr(obj, "status", "") if action != "delete" else ""
    record_audit(
        actor=request.user,
        action=action,
        record=obj,
        from_status=from_status or "",
        to_status=to_status or "",
        changes=changes,
        reason=ADMIN_REASON,
    )
