"""Finding machines: the home page, the network catalogue and search, a machine's week."""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from bookings.selectors import (
    Standing,
    companies_of,
    invitations_open_for,
    machine_seen_by,
    machines_search,
    qualification_standing,
    quota_use_this_week,
    with_machines,
)
from core.shared import shared_answer
from platforms.models import Machine, MachineCategory, OpeningHours, Platform, Qualification
from platforms.selectors import (
    maintenance_intervals,
    platforms_named,
    platforms_operated_by,
    platforms_recognised_for,
)
from platforms.timezones import local_midnight
from reports.selectors import programmes_followed

from ..calendar import week_grid, week_label, week_monday, week_window
from ..forms import BookingForm, QualificationRequestForm, SearchForm
from .common import HtmxHttpRequest, page_of, query_without_page, signed_in, typed_text
from .training import training_context

SEARCH_DAYS = 14


def home(request: HtmxHttpRequest) -> HttpResponse:
    """Signed out: what the network offers and a search box. Signed in: the dashboard."""
    if request.user.is_authenticated:
        return _dashboard(request)
    categories = (
        Machine.objects.filter(active=True, platform__active=True)
        .values("category")
        .annotate(count=Count("pk"))
        .order_by("-count")
    )
    labels = dict(MachineCategory.choices)
    network = Platform.objects.filter(active=True).aggregate(
        platforms=Count("pk", distinct=True),
        regions=Count("region", distinct=True),
        machines=Count("machines", filter=Q(machines__active=True), distinct=True),
    )
    return render(
        request,
        "web/catalogue/home.html",
        {
            "network": network,
            "categories": [
                (row["category"], labels.get(row["category"]), row["count"]) for row in categories
            ],
            "form": SearchForm(),
        },
    )


def _dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """An SME's bookings, quotas and calendar; an operator who books for no company of their
    own lands on their platforms' day instead (issue 25, 12)."""
    now = timezone.now()
    companies = list(companies_of(user=request.user))
    invitations = list(invitations_open_for(user=request.user))
    if not companies and not invitations and platforms_operated_by(user=request.user).exists():
        return redirect("web:operator")
    ids = [company.pk for company in companies]
    upcoming = (
        Booking.objects.filter(company_id__in=ids, end__gt=now, status__in=Booking.ACTIVE_STATUSES)
        .select_related("machine__platform", "company")
        .order_by("start")
    )
    return render(
        request,
        "web/catalogue/dashboard.html",
        {
            "companies": companies,
            "invitations": invitations,
            "waiting": [company for company in companies if not company.is_validated],
            "upcoming": upcoming.filter(status=BookingStatus.CONFIRMED)[:8],
            "pending": upcoming.filter(status=BookingStatus.PENDING)[:8],
            "quotas": quota_use_this_week(company_ids=ids, now=now),
            "operates": platforms_operated_by(user=request.user).exists(),
            "programmes": list(
                programmes_followed(user=request.user).filter(funders=signed_in(request))
            ),
        },
    )


def _window(form: SearchForm, now: datetime) -> tuple[datetime, datetime]:
    """The searched days, read in the server's zone (the network is French); from now when
    no dates are given or the first day is today."""
    tz = timezone.get_current_timezone()
    first, last = form.cleaned_data.get("available_from"), form.cleaned_data.get("available_to")
    if first is None or last is None:
        return now, now + timedelta(days=SEARCH_DAYS)
    start = max(local_midnight(first, tz), now)
    end = local_midnight(last + timedelta(days=1), tz)
    return start, max(end, start + timedelta(minutes=1))


def machines(request: HtmxHttpRequest) -> HttpResponse:
    """Every machine of the network, filtered; each with its next free slots. With dates or a
    length asked, only the machines free then, soonest first; otherwise the whole catalogue by
    platform, a page at a time. Visitors who are not signed in share the results for a few
    seconds (core/shared.py)."""
    form = SearchForm(request.GET or None)
    valid = form.is_valid() if request.GET else True

    def results_html(now: datetime) -> str:
        context = _results(request, form, valid, now)
        return render_to_string("web/catalogue/_machines_results.html", context, request)

    if request.user.is_authenticated or not valid:
        results = results_html(timezone.now())
    else:
        asked = (request.get_full_path(), get_language())
        results = shared_answer("catalogue", asked, results_html)
    if request.htmx:
        return HttpResponse(results)
    return render(
        request, "web/catalogue/machines.html", {"form": form, "results_html": mark_safe(results)}
    )


def _results(
    request: HtmxHttpRequest, form: SearchForm, valid: bool, now: datetime
) -> dict[str, Any]:
    """What the results show: a page of machines, each with its first free slots."""
    results: list[Any] = []
    page = None
    if valid:
        data = form.cleaned_data if request.GET else {}
        start, end = _window(form, now) if request.GET else (now, now + timedelta(days=SEARCH_DAYS))
        filters: dict[str, Any] = {
            "category": data.get("category") or None,
            "region": data.get("region") or None,
            "platforms": data.get("platform"),
        }
        if request.GET and form.searches_time:
            found = machines_search(
                start=start, end=end, min_free_minutes=data.get("min_free") or 0, now=now, **filters
            )
            page = page_of(found, data.get("page"))
            results = [
                (result.machine, result.first_free)
                for result in with_machines(list(page.object_list))
            ]
        else:
            catalogue = (
                Machine.objects.filter(active=True, platform__active=True)
                .select_related("platform")
                .defer("description", "specs")
                .order_by("platform__name", "name")
            )
            if filters["category"]:
                catalogue = catalogue.filter(category=filters["category"])
            if filters["region"]:
                catalogue = catalogue.filter(platform__region=filters["region"])
            if filters["platforms"] is not None:
                catalogue = catalogue.filter(platform_id__in=filters["platforms"])
            page = page_of(catalogue, data.get("page"))
            shown = list(page.object_list)
            slots = {
                result.machine_id: result.first_free
                for result in machines_search(
                    start=start, end=end, machine_ids=[m.pk for m in shown], now=now
                )
            }
            results = [(machine, slots.get(machine.pk, [])) for machine in shown]
    return {
        "form": form,
        "results": results,
        "page": page,
        "query": query_without_page(request),
        "searched": bool(request.GET) and valid and form.searches_time,
        "length_asked": (form.cleaned_data.get("min_free") or 0) if request.GET and valid else 0,
    }


def platform_suggestions(request: HtmxHttpRequest) -> HttpResponse:
    """Up to ten platforms whose name or city holds what the visitor typed: the suggestions
    of the catalogue's platform field (the options of its ``<datalist>``)."""
    typed = typed_text(request, "platform")
    found = list(platforms_named(typed).only("name", "city")[:10]) if len(typed) >= 2 else []
    return render(request, "web/catalogue/_platform_suggestions.html", {"platforms": found})


def _machine(pk: int) -> Machine:
    return get_object_or_404(
        Machine.objects.filter(active=True, platform__active=True)
        .select_related("platform")
        .prefetch_related(
            Prefetch(
                "platform__opening_hours",
                queryset=OpeningHours.objects.order_by("weekday", "opens"),
            )
        ),
        pk=pk,
    )


# How far ahead a machine's page looks for its first bookable week.
FIRST_WEEK_AHEAD = timedelta(weeks=8)


def _first_bookable_monday(machine: Machine, now: datetime) -> date | None:
    """The Monday of the week holding the machine's first slot bookable now (None: none in
    the next weeks)."""
    ahead = min(timedelta(days=machine.max_advance_days), FIRST_WEEK_AHEAD)
    found = machines_search(
        start=now, end=now + ahead, machine_ids=[machine.pk], slots_per_machine=1, now=now
    )
    if not found:
        return None
    day = found[0].soonest.astimezone(machine.platform.tz).date()
    return day - timedelta(days=day.weekday())


def week_context(
    request: HtmxHttpRequest,
    machine: Machine,
    *,
    moving: Booking | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The week asked for (``?week=2027-W04``); without one, the first week with something to
    book, or the week of the booking being moved (its cells marked as its current slot)."""
    tz = machine.platform.tz
    now = now or timezone.now()
    today = now.astimezone(tz).date()
    monday, refused = week_monday(request.GET.get("week"), today)
    if refused:
        messages.warning(request, _("That week could not be read; here is this week."))
    elif "week" not in request.GET and moving is not None:
        day = moving.start.astimezone(tz).date()
        monday = day - timedelta(days=day.weekday())
    elif "week" not in request.GET:
        monday = _first_bookable_monday(machine, now) or monday
    start, end = week_window(machine, monday)
    view = machine_seen_by(user=request.user, machine=machine, start=start, end=end, now=now)
    hours = list(machine.platform.opening_hours.all())
    current = (moving.start, moving.end) if moving is not None else None
    maintenance = maintenance_intervals(machine_id=machine.pk, start=start, end=end)
    return {
        "grid": week_grid(
            view=view, monday=monday, hours=hours, current=current, maintenance=maintenance
        ),
        "today": today,
        "this_week": week_label(today - timedelta(days=today.weekday())),
        "hours": hours,
    }


def _week_html(request: HtmxHttpRequest, machine: Machine) -> str:
    """The machine's week as the person sees it; visitors who are not signed in share it for
    a few seconds (core/shared.py), unless the week asked could not be read (they are told)."""

    def week(now: datetime | None) -> str:
        context = {"machine": machine, **week_context(request, machine, now=now)}
        return mark_safe(render_to_string("web/catalogue/_week.html", context, request))

    asked = request.GET.get("week", "")
    if request.user.is_authenticated or (asked and week_monday(asked, date.today())[1]):
        return week(None)
    return mark_safe(shared_answer("week", (machine.pk, asked, get_language()), week))


def machine(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A machine: what it is, its rules in plain words, and its week."""
    shown = _machine(pk)
    with timezone.override(shown.platform.tz):
        context = {
            "machine": shown,
            "week_html": _week_html(request, shown),
            "hours": list(shown.platform.opening_hours.all()),
            "photos": list(shown.photos.all()),
            "documents": list(shown.documents.all()),
        }
        if request.htmx and request.htmx.target == "week":
            return HttpResponse(context["week_html"])
        companies = list(companies_of(user=request.user))
        user = request.user
        standing = Standing(qualified=True)
        qualification = None
        if shown.requires_qualification and user.is_authenticated:
            standing = qualification_standing(user=user, machine=shown, start=timezone.now())
            qualification = Qualification.objects.filter(user=user, machine=shown).first()
        context.update(
            {
                "companies": companies,
                "can_book": bool(companies) and any(c.is_validated for c in companies),
                "qualified": standing.qualified,
                "qualification_ended": standing.ended_on,
                "recognised": [p.name for p in platforms_recognised_for(machine=shown)]
                if shown.requires_qualification
                else [],
                "qualification": qualification,
                "qualification_form": QualificationRequestForm(),
                "form": BookingForm(
                    companies=[c for c in companies if c.is_validated], machine=shown
                ),
                **training_context(user, shown),
            }
        )
        return render(request, "web/catalogue/machine.html", context)
