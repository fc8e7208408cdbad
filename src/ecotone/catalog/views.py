"""Catalogue pages: one list, detail and edit flow shared by every kind."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecotone.accounts.audit import history_of
from ecotone.accounts.models import Membership
from ecotone.accounts.permissions import (
    can_edit,
    can_manage_members,
    can_view,
    is_staff,
    member_organisation_ids,
)
from ecotone.core.models import PublicationStatus
from ecotone.core.page_cache import cached_public_page
from ecotone.core.refusals import Refused, show_refusal
from ecotone.core.replica import read_from_replica
from ecotone.core.uploads import serve_stored_file

from . import exporting, queries, services
from .forms import ResourceUploadForm
from .kinds import BROWSABLE_KINDS, Kind, get_kind
from .models import Organisation, Resource, Sector
from .resources import UploadRejected, attach_uploaded_file

PAGE_SIZE = 20


def _kind_or_404(plural: str) -> Kind:
    try:
        kind = get_kind(plural)
    except KeyError:
        raise Http404 from None
    if not kind.browsable or kind.plural != plural:
        raise Http404
    return kind


def _visible_record_or_404(request, plural: str, pk: int):
    """Records the user may not see do not exist, as far as they can tell."""
    kind = _kind_or_404(plural)
    record = get_object_or_404(kind.model, pk=pk)
    if not can_view(request.user, record):
        raise Http404
    return kind, record


@read_from_replica
@cached_public_page
def record_list(request, plural: str):
    kind = _kind_or_404(plural)
    params = request.GET.copy()
    params.pop("page", None)
    assert kind.filterset is not None, "every browsable kind has a filter set (kinds.py)"
    filterset = kind.filterset(
        data=params or None, queryset=queries.visible_records(request.user, kind.queryset())
    )
    invalid = filterset.is_bound and not filterset.is_valid()
    if invalid:  # the form shows which filter is wrong; no records for filters that are not
        records = filterset.queryset.none()
    else:
        records = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/record_list.html",
        {
            "kind": kind,
            "filterset": filterset,
            "page": page,
            "sector_tree": queries.sector_tree() if "sector" in filterset.filters else [],
            "can_create": request.user.is_authenticated,
            "export_query": params.urlencode(),
        },
        status=400 if invalid else 200,
    )


def record_export(request, plural: str):
    """The list page's records as the import format's CSV: the same filters (the kind's
    filter set), the same records the reader may see, streamed a line at a time."""
    kind = _kind_or_404(plural)
    params = request.GET.copy()
    params.pop("page", None)
    try:
        records = queries.filtered_records(kind, request.user, params)
    except queries.InvalidFilter as refusal:
        raise BadRequest(f"{refusal.field}: {refusal.message}") from None
    response = StreamingHttpResponse(
        exporting.csv_stream(kind, records), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind.plural}.csv"'
    return response


def _is_need_page(request, plural: str, pk: int) -> bool:
    """Need pages, whose matches are costly, are kept whole for visitors who are not logged
    in; other detail pages show what the catalogue version does not follow (members)."""
    return plural == "needs"


@cached_public_page(when=_is_need_page)
def record_detail(request, plural: str, pk: int):
    kind = _kind_or_404(plural)
    record = get_object_or_404(kind.queryset(), pk=pk)
    if not can_view(request.user, record):
        raise Http404
    context = {
        "kind": kind,
        "record": record,
        "can_edit": can_edit(request.user, record),
        "is_staff": is_staff(request.user),
        "related": queries.related_records(record, request.user),
    }
    if context["can_edit"]:
        context["history"] = history_of(record)[:20]
    if kind.name == "organisation" and request.user.is_authenticated:
        context["membership"] = Membership.objects.filter(
            user=request.user, organisation=record
        ).first()
        context["can_manage_members"] = can_manage_members(request.user, record)
    return render(request, [f"catalog/{kind.name}_detail.html"], context)


def _owner_choices(user):
    organisations = (
        Organisation.objects.all()
        if is_staff(user)
        else Organisation.objects.filter(pk__in=member_organisation_ids(user))
    )
    return organisations.order_by("name_en", "name_zh")


@login_required
def record_create(request, plural: str):
    kind = _kind_or_404(plural)
    owners = _owner_choices(request.user)
    if kind.model is not Organisation and not owners.exists():
        messages.info(request, _("Join or add an organisation first: records belong to one."))
        return redirect("accounts:profile")
    return _record_form(request, kind, record=None, owners=owners)


@login_required
def record_edit(request, plural: str, pk: int):
    kind, record = _visible_record_or_404(request, plural, pk)
    if not can_edit(request.user, record):
        raise PermissionDenied(_("You may not edit this record."))
    return _record_form(request, kind, record=record, owners=None)


def _record_form(request, kind: Kind, *, record, owners):
    form = kind.form(instance=record) if record else kind.form()
    upload_form = ResourceUploadForm() if kind.name == "resource" else None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = kind.form(data=request.POST, instance=record)
        upload_form = ResourceUploadForm(request.POST, request.FILES) if upload_form else None
        try:
            saved = _save_from_post(request, kind, record, owners, upload_form)
        except services.RecordInvalid as invalid:
            errors = invalid.errors
        except (UploadRejected, ValidationError) as rejected:
            errors = {"file": [str(m) for m in getattr(rejected, "messages", [str(rejected)])]}
        else:
            if saved.status == PublicationStatus.PENDING:
                messages.success(request, _("Saved. Staff will review it before it is public."))
            else:
                messages.success(request, _("Saved."))
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "catalog/record_form.html",
        {
            "kind": kind,
            "record": record,
            "form": form,
            "page_fields": _page_fields(kind, form, creating=record is None),
            "upload_form": upload_form,
            "errors": errors,
            "owners": owners,
            "selected_owner": request.POST.get("owner", ""),
        },
        status=422 if errors else 200,
    )


PROVENANCE_FIELDS = ("external_id", "source_url", "last_verified")


def _page_fields(kind: Kind, form, *, creating: bool) -> list:
    """The form's fields in page order: content first, provenance last.

    On a new record the "posted by" / "provided by" field is the "on behalf of" choice.
    """
    hidden = {kind.owner_field} if creating and kind.owner_field else set()
    content = [name for name in form.fields if name not in hidden | set(PROVENANCE_FIELDS)]
    provenance = [name for name in PROVENANCE_FIELDS if name in form.fields]
    return [form[name] for name in content + provenance]


@transaction.atomic
def _save_from_post(request, kind, record, owners, upload_form):
    """Record and file together: a file that cannot be read leaves no record behind."""
    data = request.POST.dict()
    for name in kind.form.reference_list_fields:
        data[name] = request.POST.getlist(name)
    if upload_form is not None and not upload_form.is_valid():
        raise ValidationError(upload_form.errors["file"])
    if record is None:
        owner = None
        if owners is not None and kind.model is not Organisation:
            owner = owners.filter(pk=request.POST.get("owner") or 0).first()
            if owner is None:
                raise services.RecordInvalid({"owner": [_("Choose the organisation this is for.")]})
            if kind.owner_field and not data.get(kind.owner_field):
                data[kind.owner_field] = owner.external_id
        saved = services.create_record(kind=kind, data=data, user=request.user, owner=owner)
    else:
        saved = services.update_record(record=record, data=data, user=request.user)
    if upload_form is not None and upload_form.cleaned_data.get("file"):
        attach_uploaded_file(saved, upload_form.cleaned_data["file"])
    return saved


@login_required
@require_POST
def record_review(request, plural: str, pk: int):
    _kind, record = _visible_record_or_404(request, plural, pk)
    action = request.POST.get("action", "")
    try:
        services.transition_record(
            record=record, action=action, user=request.user, reason=request.POST.get("reason", "")
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(
            request, _("Status changed to: %(status)s") % {"status": record.get_status_display()}
        )
    return redirect(record.get_absolute_url())


@login_required
@require_POST
def record_delete(request, plural: str, pk: int):
    kind, record = _visible_record_or_404(request, plural, pk)
    if services.delete_record(record=record, user=request.user):
        messages.success(request, _("Deleted."))
        return redirect("catalog:record_list", plural=kind.plural)
    messages.success(
        request,
        _(
            "Archived: visitors no longer see it. A published record is removed for good only by "
            "staff, who may also restore it."
        ),
    )
    return redirect(record.get_absolute_url())


@read_from_replica
def sector_list(request):
    return render(request, "catalog/sector_list.html", {"tree": queries.sector_tree()})


def sector_detail(request, slug: str):
    sector = get_object_or_404(Sector.objects.select_related("parent"), slug=slug)
    return render(
        request,
        "catalog/sector_detail.html",
        {
            "sector": sector,
            "children": sector.children.all(),
            "counts": queries.sector_record_counts(sector, request.user),
            "kinds": [k for k in BROWSABLE_KINDS if hasattr(k.model, "sectors")],
            "solutions": queries.sector_records("solution", sector, request.user)[:10],
            "cases": queries.sector_records("case", sector, request.user)[:10],
            "needs": queries.sector_records("need", sector, request.user)[:10],
        },
    )


@login_required
def review_queue(request):
    if not is_staff(request.user):
        raise PermissionDenied(_("Only staff review submissions."))
    pending = [
        (kind, list(kind.queryset().filter(status=PublicationStatus.PENDING).order_by("pk")[:100]))
        for kind in BROWSABLE_KINDS
    ]
    return render(request, "catalog/review_queue.html", {"pending": pending})


def resource_file(request, pk: int):
    """Uploaded files are served through the same permission check as the record, and so
    that they never run as a page of the site (``core.uploads``)."""
    resource = get_object_or_404(Resource, pk=pk)
    name = resource.file.name  # empty or None when no file is stored
    if not can_view(request.user, resource) or not name:
        raise Http404
    return serve_stored_file(resource.file, name)
