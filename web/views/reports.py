"""The reports dashboard (``/reports/``): the programme's progress, monthly trends, utilisation
per machine and the breakdowns, for the scope the person may see; its downloads (built in the
background when large, with their progress) and the subscriptions to scheduled reports."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bookings.models import CompanySize
from core.exceptions import DomainError
from core.shared import kept
from platforms.models import MachineCategory, Region
from platforms.selectors import platforms_named
from reports.exceptions import ExportsBusy, ReportNotAllowed
from reports.exports import FORMATS, report_file
from reports.models import ExportStatus, ReportExport, ReportSubscription
from reports.selectors import (
    Scope,
    platforms_in_view,
    programmes_followed,
    report_scope,
    report_title,
    usage_report,
)
from reports.services import export_request, subscription_create, subscription_stop
from reports.snapshots import report_recent, snapshot_key

from ..charts import bar_chart
from ..forms import ReportForm, SubscriptionForm
from .common import HtmxHttpRequest, page_of, page_param, signed_in, typed_text

# Larger than this, a download is built in the background (the page shows its progress).
DIRECT_DOWNLOAD_DAYS = 92
DIRECT_DOWNLOAD_PLATFORMS = 3
MACHINES_PER_PAGE = 20
# How long a rendered figures' part is kept (its key names its snapshot: never stale).
REPORT_VIEW_SECONDS = 15 * 60


def _form(request: HtmxHttpRequest) -> ReportForm:
    programmes = list(programmes_followed(user=request.user))
    form = ReportForm(
        request.GET or None,
        programmes=programmes,
        platforms=list(platforms_in_view(user=request.user)),
    )
    return form


def _scope(request: HtmxHttpRequest, form: ReportForm) -> tuple[Scope, date, date]:
    start, end = form.period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    programme = data.get("programme") or form.only_programme()
    return (
        report_scope(
            user=request.user,
            programme_id=programme,
            platform_id=data.get("platform"),
            region=data.get("region") or "",
        ),
        start,
        end,
    )


def _machines_of_page(number: int) -> slice:
    return slice((number - 1) * MACHINES_PER_PAGE, number * MACHINES_PER_PAGE)


def _delta(now: Any, before: Any) -> str:
    if not isinstance(now, int | float) or not isinstance(before, int | float) or not before:
        return ""
    change = (now - before) / before * 100
    return f"{change:+.0f} %"


@login_required
def reports(request: HtmxHttpRequest) -> HttpResponse:
    form = _form(request)
    refused = form.is_bound and not form.is_valid()
    if refused:
        # The form keeps what was typed and says what is wrong; the figures are the default
        # view's, and so are the downloads.
        messages.warning(
            request, _("Those filters could not be used (see below); here is the default view.")
        )
    try:
        scope, start, end = _scope(request, form)
    except ReportNotAllowed:
        return render(request, "web/reports/none.html", status=403)
    except DomainError as error:
        raise Http404 from error
    number = page_param(request) or 1
    report, computed_at = report_recent(
        scope=scope, start=start, end=end, machines=_machines_of_page(number)
    )
    if report is not None and number > 1 and not report["machines"]:
        # Past the last page: the last one.
        number = max(1, -(-report["machine_count"] // MACHINES_PER_PAGE))
        report, computed_at = report_recent(
            scope=scope, start=start, end=end, machines=_machines_of_page(number)
        )
    query = "" if refused else _query(request)
    page = {
        "form": form,
        "scope": scope,
        "title": report_title(scope),
        "start": start,
        "last": end - timedelta(days=1),
        "query": query,
        "formats": [kind for kind in FORMATS if kind != "json"],
        "subscribes": not scope.for_companies,
    }
    if report is None:
        # A worker computes this view: the page says so and fills in when it is ready (htmx).
        return render(request, "web/reports/dashboard.html", {**page, "computing": True})
    # The figures' part is the same for whoever sees this snapshot's page: rendered once
    # (its 500-row tables cost most of the page), kept until the snapshot is replaced.
    asked = (snapshot_key(scope, start, end), computed_at, number, query, get_language())
    report_html = kept(
        "report-view",
        asked,
        REPORT_VIEW_SECONDS,
        lambda: render_to_string(
            "web/reports/_report.html", _report_context(report, number, query), request
        ),
    )
    return render(
        request,
        "web/reports/dashboard.html",
        {**page, "computed_at": computed_at, "report_html": mark_safe(report_html)},
    )


@login_required
def report_platforms(request: HtmxHttpRequest) -> HttpResponse:
    """Up to ten platforms in view whose name or city holds what was typed: the suggestions
    of the reports' platform field."""
    typed = typed_text(request, "platform")
    among = platforms_in_view(user=request.user)
    found = list(platforms_named(typed, among).only("name", "city")[:10]) if typed else []
    return render(request, "web/catalogue/_platform_suggestions.html", {"platforms": found})


def _report_context(report: dict[str, Any], number: int, query: str) -> dict[str, Any]:
    """What the figures' part shows of a snapshot: cards, charts, a page of machines, the
    breakdowns and the programme's aid."""
    months = report["by_month"]
    labels = [entry["month"][5:] + "/" + entry["month"][2:4] for entry in months]
    totals, previous = report["totals"], report["previous"]
    names = {platform["id"]: platform["name"] for platform in report["platforms"]}
    return {
        "report": report,
        "cards": [
            (label, totals[key], _delta(totals[key], previous[key]))
            for label, key in (
                (_("SMEs served"), "smes_served"),
                (_("New SMEs"), "new_smes"),
                (_("Companies served"), "companies_served"),
                (_("Hours used"), "hours_used"),
            )
        ],
        "hours_chart": bar_chart(
            _("Hours used per month"), labels, [m["hours_used"] for m in months], digits=1
        ),
        "smes_chart": bar_chart(
            _("SMEs served per month"), labels, [m["smes_served"] for m in months]
        ),
        "machines": [(row, names.get(row["platform"], "")) for row in report["machines"]],
        # The snapshot ranks its machines busiest first; this page's are in ``report``.
        "page": page_of(range(report["machine_count"]), number, per_page=MACHINES_PER_PAGE),
        "query": query,
        "breakdowns": _breakdowns(report),
        "subsidy": _subsidy(report),
    }


def _subsidy(report: dict[str, Any]) -> dict[str, Any] | None:
    """The programme's aid with its breakdowns named (None before any aid was granted, or in
    a snapshot computed before the figures existed)."""
    subsidy = report.get("subsidy")
    if not subsidy or (subsidy["granted"] == "0.00" and subsidy["budget"] is None):
        return None
    sizes, regions = dict(CompanySize.choices), dict(Region.choices)
    return {
        **subsidy,
        "breakdowns": [
            (_("By platform"), [(row["name"], row["granted"]) for row in subsidy["by_platform"]]),
            (
                _("By size class"),
                [(str(sizes.get(k, k)), v) for k, v in subsidy["by_size_class"].items()],
            ),
            (
                _("By region of the companies"),
                [(str(regions.get(k, k)), v) for k, v in subsidy["by_region"].items()],
            ),
        ],
        "companies": [
            {
                **row,
                "size": sizes.get(row["size_class"], ""),
                "region_name": regions.get(row["region"], ""),
            }
            for row in subsidy["companies"][:20]
        ],
    }


def _breakdowns(report: dict[str, Any]) -> list[tuple[str, list[tuple[str, Any]]]]:
    sizes, regions = dict(CompanySize.choices), dict(Region.choices)
    categories = dict(MachineCategory.choices)
    breakdowns = []
    if len(report["platforms"]) > 1:
        breakdowns.append((_("By platform"), [(row["name"], row) for row in report["platforms"]]))
    breakdowns += [
        (
            _("By size class"),
            [(str(sizes.get(k, k)), v) for k, v in report["by_size_class"].items()],
        ),
        (
            _("By region of the companies"),
            [(str(regions.get(k, k)), v) for k, v in report["by_region"].items()],
        ),
        (
            _("By machine category"),
            [(str(categories.get(k, k)), v) for k, v in report["by_category"].items()],
        ),
    ]
    return breakdowns


def _query(request: HtmxHttpRequest) -> str:
    """The dashboard's filters, as its links carry them (no file format, no page)."""
    query = request.GET.copy()
    for name in ("format", "page"):
        query.pop(name, None)
    return query.urlencode()


def _large(scope: Scope, start: date, end: date) -> bool:
    many = scope.platform_ids is None or len(scope.platform_ids) > DIRECT_DOWNLOAD_PLATFORMS
    return (end - start).days > DIRECT_DOWNLOAD_DAYS or many


@never_cache
@login_required
def report_download(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard's report as a file: at once when small, else built in the background."""
    kind = request.GET.get("format", "")
    if kind not in FORMATS or kind == "json":
        raise Http404
    form = _form(request)
    if form.is_bound and not form.is_valid():
        raise Http404
    try:
        scope, start, end = _scope(request, form)
    except DomainError as error:
        raise Http404 from error
    if _large(scope, start, end):
        try:
            export = export_request(
                user=request.user,
                parameters={
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "programme": scope.programme.pk if scope.programme else None,
                    "platform": form.cleaned_data.get("platform") if form.is_bound else None,
                    "region": scope.region,
                },
                kind=kind,
            )
        except ExportsBusy as error:
            messages.warning(request, error.detail)
            return redirect(f"{reverse('web:reports')}?{_query(request)}")
        return redirect("web:report-export", pk=export.pk)
    report = usage_report(scope=scope, start=start, end=end, detail=True)
    content, content_type, filename = report_file(report, kind, report_title(scope))
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@login_required
def report_export(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A report being built: its progress (refreshed by htmx), then its download."""
    export = get_object_or_404(ReportExport.objects.defer("content"), pk=pk, owner=request.user)
    template = "web/reports/_export.html" if request.htmx else "web/reports/export.html"
    return render(request, template, {"export": export, "done": ExportStatus.DONE})


@never_cache
@login_required
def report_export_file(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(ReportExport, pk=pk, owner=request.user, status=ExportStatus.DONE)
    from reports.exports import CONTENT_TYPES

    return HttpResponse(
        bytes(export.content or b""),
        content_type=CONTENT_TYPES.get(export.format, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_subscriptions(request: HtmxHttpRequest) -> HttpResponse:
    """A funder's or an operator's scheduled reports: add one, stop one."""
    programmes = list(programmes_followed(user=request.user))
    platforms = list(platforms_in_view(user=request.user))
    if not programmes and not platforms:
        return render(request, "web/reports/none.html", status=403)
    form = SubscriptionForm(
        request.POST if request.method == "POST" else None,
        programmes=programmes,
        platforms=platforms,
        initial={"email": signed_in(request).email},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription_create(
                user=signed_in(request),
                email=data["email"],
                frequency=data["frequency"],
                programme_id=data.get("programme"),
                platform_id=data.get("platform"),
                region=data.get("region") or "",
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Subscribed: the report goes out after each period ends."))
            return redirect("web:report-subscriptions")
    return render(
        request,
        "web/reports/subscriptions.html",
        {
            "form": form,
            "subscriptions": ReportSubscription.objects.filter(
                owner=signed_in(request), active=True
            )
            .select_related("programme", "platform")
            .order_by("-created_at"),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def report_subscription_stop(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(ReportSubscription, pk=pk, owner=request.user, active=True)
    subscription_stop(subscription=subscription, user=request.user)
    messages.success(
        request,
        _("Stopped: no more reports go to %(email)s for it.") % {"email": subscription.email},
    )
    return redirect("web:report-subscriptions")
