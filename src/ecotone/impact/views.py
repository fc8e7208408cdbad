"""Pages: methodologies, the calculator, a calculation's "how this number was computed",
and the factor library."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ecotone.accounts.permissions import can_edit, can_view, is_staff
from ecotone.catalog.models import Case, Solution
from ecotone.core.bounds import MAX_YEAR, MIN_YEAR, parse_id, parse_whole

from .calculator import (
    SCALE_NAMES,
    SCALES,
    CalculationError,
    get_methodology,
    methodologies,
    render_trace,
    render_warnings,
)
from .claims import DEFAULT_MARGIN, coal_factor, compare, differing_claims
from .factors import export_factors
from .filters import EmissionFactorFilterSet, library_order
from .forms import form_context, form_inputs
from .models import Calculation, EmissionFactor, FactorKind
from .queries import factor_versions, versions_of
from .services import (
    Subject,
    UnacknowledgedWarnings,
    difference,
    evaluate,
    outcome_payload,
    save_calculation,
)


def index(request):
    subject = _subject(request)
    query = ""
    if subject is not None:
        query = f"case={subject.case.pk}" if subject.case else f"solution={subject.solution.pk}"
    return render(
        request, "impact/index.html", {"methodologies": methodologies(), "subject_query": query}
    )


def _subject(request) -> Subject | None:
    """The case or solution named by ``?case=`` / ``?solution=`` (or the form), if visible."""
    for name, model in (("case", Case), ("solution", Solution)):
        value = request.POST.get(name) or request.GET.get(name)
        if value:
            pk = parse_id(value)
            if pk is None:
                raise BadRequest(f"{name} must be the id of a {name}")
            record = model.objects.filter(pk=pk).first()
            if record is None or not can_view(request.user, record):
                raise Http404
            return Subject(**{name: record})
    return None


@require_http_methods(["GET", "POST"])
def calculator(request, methodology_id: str):
    try:
        method = get_methodology(methodology_id)
    except CalculationError:
        raise Http404 from None
    subject = _subject(request)
    may_save = subject is not None and can_edit(request.user, subject.record)
    context = {
        "method": method,
        "subject": subject,
        "may_save": may_save,
        "data": request.POST,
        "scales": [(scale, _(SCALE_NAMES[scale])) for scale in SCALES],
        "scale": request.POST.get("scale") or _default_scale(subject),
    }
    if request.method == "POST":
        try:
            raw = form_inputs(method, request.POST)
            outcome, _used = evaluate(method.id, raw, _form_context(request.POST, subject))
            context["outcome"] = outcome_payload(outcome, request.POST.get("result_unit"))
            if request.POST.get("save") and subject is not None:
                return _save(request, subject, method, raw)
        except UnacknowledgedWarnings as error:
            context["error"] = CalculationError(
                error.field, _("Check the values flagged beside the result, then confirm them.")
            )
        except CalculationError as error:
            context["error"] = error
    return render(request, "impact/calculator.html", context)


def _default_scale(subject: Subject | None) -> str:
    return "world" if subject is not None and subject.solution is not None else "case"


def _form_context(data, subject: Subject | None) -> dict:
    context = form_context(data)
    context.setdefault("scale", _default_scale(subject))
    return context


def _save(request, subject: Subject, method, raw: dict):
    if not can_edit(request.user, subject.record):
        raise PermissionDenied
    year = request.POST.get("year", "").strip()
    if year and parse_whole(year, MIN_YEAR, MAX_YEAR) is None:
        raise CalculationError("year", _("year must be a whole number"))
    calculation = save_calculation(
        actor=request.user,
        subject=subject,
        methodology_id=method.id,
        inputs=raw,
        context=_form_context(request.POST, subject),
        acknowledge_warnings=bool(request.POST.get("acknowledge_warnings")),
        period=request.POST.get("period") or None,
        year=int(year) if year else None,
        label_en=request.POST.get("label", "").strip()[:300],
        illustrative_inputs=[
            s.name for s in method.inputs if request.POST.get(f"{s.name}__illustrative")
        ],
    )
    messages.success(request, _("Calculation saved."))
    return redirect(calculation.get_absolute_url())


MAX_LISTED = 1000


def calculation_list(request):
    """The calculations behind a figure (``?ids=1,2,3``, as a report links them): each with
    its record and a link to how it was computed, and their sum. Only records the reader
    may see are listed."""
    parsed = [parse_id(part) for part in request.GET.get("ids", "").split(",") if part.strip()]
    ids = [pk for pk in parsed if pk is not None]
    if len(ids) < len(parsed) or len(ids) > MAX_LISTED:
        raise BadRequest(f"ids must be up to {MAX_LISTED} calculation ids, separated by commas")
    found = Calculation.objects.select_related("case", "solution").filter(pk__in=ids)
    shown = [c for c in found.order_by("-value", "pk") if can_view(request.user, c.subject)]
    units = {c.unit for c in shown}
    total = sum(c.value for c in shown) if len(units) == 1 else None
    return render(
        request,
        "impact/calculation_list.html",
        {"calculations": shown, "total": total, "hidden": len(set(ids)) - len(shown)},
    )


def calculation_detail(request, pk: int):
    calculation = get_object_or_404(Calculation.objects.select_related("case", "solution"), pk=pk)
    if not can_view(request.user, calculation.subject):
        raise Http404
    previous = calculation.previous
    context = {
        "calculation": calculation,
        "method": _method_or_none(calculation.methodology_id),
        "trace": render_trace(calculation.trace),
        "warnings": render_warnings(calculation.warnings),
        "claim_check": compare(calculation, coal_factor()),
        "versions": versions_of(calculation),
        "changes": difference(previous, calculation) if previous else {},
        "previous": previous,
    }
    return render(request, "impact/calculation_detail.html", context)


def claims(request):
    """Staff: publishers' claims that differ from the platform's calculation by more than
    a margin (``?margin=`` in percent, 25 by default)."""
    if not is_staff(request.user):
        raise Http404
    percent = parse_whole(request.GET.get("margin", ""), 0, 1000)
    margin = DEFAULT_MARGIN if percent is None else percent / 100
    checks = [c for c in differing_claims(margin) if can_view(request.user, c.calculation.subject)]
    return render(request, "impact/claims.html", {"checks": checks, "margin": round(margin * 100)})


def _method_or_none(methodology_id: str):
    try:
        return get_methodology(methodology_id)
    except CalculationError:
        return None


def factor_list(request):
    """The library, filtered by ``EmissionFactorFilterSet`` (the API's and the export's
    filters): a bad filter shows on the form with a 400 and lists nothing."""
    params = request.GET.copy()
    params.pop("page", None)
    filterset = EmissionFactorFilterSet(data=params, queryset=library_order())
    invalid = not filterset.is_valid()
    factors = filterset.queryset.none() if invalid else filterset.qs
    page = Paginator(factors, 50).get_page(request.GET.get("page"))
    datasets = (
        EmissionFactor.objects.order_by("dataset").values_list("dataset", flat=True).distinct()
    )
    return render(
        request,
        "impact/factor_list.html",
        {
            "page": page,
            "filterset": filterset,
            "query": params.get("q", "").strip(),
            "datasets": list(datasets),
            "kinds": FactorKind.choices,
            "export_query": params.urlencode(),
        },
        status=400 if invalid else 200,
    )


def factor_export(request):
    """The library page's factors as the import/export CSV: the same filters, the same
    factors in the same order (``ecotone impact factors import`` reads it back)."""
    params = request.GET.copy()
    params.pop("page", None)
    filterset = EmissionFactorFilterSet(data=params, queryset=library_order())
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise BadRequest(f"{field}: {messages[0]}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="emission-factors.csv"'
    export_factors(response, filterset.qs)
    return response


def factor_detail(request, pk: int):
    factor = get_object_or_404(EmissionFactor, pk=pk)
    return render(
        request,
        "impact/factor_detail.html",
        {"factor": factor, "versions": factor_versions(factor)},
    )
