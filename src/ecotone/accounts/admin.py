from django.contrib import admin

from ecotone.core.admin import AuditedAdmin

from .models import ApiToken, AuditEntry, Membership, OrganisationClaim


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "organisation", "role", "status", "created_at")
    list_filter = ("status", "role")
    raw_id_fields = ("user", "organisation", "decided_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "from_status", "to_status")
    list_filter = ("action", "content_type")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrganisationClaim)
class OrganisationClaimAdmin(admin.ModelAdmin):
    """Read-mostly: claims are decided on the staff review page, which audits and notifies."""

    list_display = ("organisation", "user", "method", "status", "created_at")
    list_filter = ("status", "method")
    raw_id_fields = ("user", "organisation", "decided_by")
    readonly_fields = ("status", "decided_by", "decided_at", "created_at", "updated_at")
