"""A platform's week and day, a machine's description and rules, the weekly opening hours."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings.selectors import (
    platform_week,
    waiting_demand,
)
from core.exceptions import DomainError
from platforms.models import Machine, Platform
from platforms.services import (
    machine_update,
    opening_hours_set,
)
from platforms.timezones import local_midnight

from ...calendar import platform_day, platform_grid, week_label, week_monday
from ...forms import (
    MachineDocumentForm,
    MachinePhotoForm,
    MachineRulesForm,
    OpeningHoursFormSet,
)
from ...history import history
from ..common import HtmxHttpRequest
from .base import day_param, operated_machine, operated_platform


@login_required
def platform_week_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The platform's week: machines as rows, days as columns, bookings labelled by status and
    company, closures marked; each booking opens its page, each day offers to book. With
    ``?day=2026-12-02``, that day by half hours, for a busy platform."""
    platform = operated_platform(request, pk)
    tz = platform.tz
    with timezone.override(tz):
        today = timezone.now().astimezone(tz).date()
        if "day" in request.GET:
            chosen = day_param(request.GET["day"])
            if chosen is not None:
                return _platform_day_view(request, platform, chosen, today)
            messages.warning(request, _("That day could not be read; here is this week."))
        monday, refused = week_monday(request.GET.get("week"), today)
        if refused:
            messages.warning(request, _("That week could not be read; here is this week."))
        start = local_midnight(monday, tz)
        end = local_midnight(monday + timedelta(days=7), tz)
        week = platform_week(platform=platform, start=start, end=end)
        days = [monday + timedelta(days=offset) for offset in range(7)]
        return render(
            request,
            "web/operator/week.html",
            {
                "platform": platform,
                "rows": platform_grid(week=week, monday=monday, tz=tz),
                "days": days,
                "today": today,
                "label": week_label(monday),
                "previous": week_label(monday - timedelta(days=7)),
                "next": week_label(monday + timedelta(days=7)),
                # Hundreds of links: their common paths once, not a reverse() per cell.
                "booking_path": reverse("web:operator-booking", args=[0]).removesuffix("0/"),
                "machine_path": reverse("web:operator-book", args=[0]).removesuffix("0/book/"),
                "book_label": _("Book"),
                "closure_label": _("Closure"),
                # People who waited for time this week: demand the calendar does not show.
                "waiting": waiting_demand(
                    machines=Machine.objects.filter(platform=platform), start=start, end=end
                ),
            },
        )


def _platform_day_view(
    request: HtmxHttpRequest, platform: Platform, day: date, today: date
) -> HttpResponse:
    tz = platform.tz
    start, end = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    grid = platform_day(
        platform=platform,
        week=platform_week(platform=platform, start=start, end=end),
        day=day,
        hours=list(platform.opening_hours.all()),
        now=timezone.now(),
    )
    return render(
        request,
        "web/operator/day.html",
        {
            "platform": platform,
            "grid": grid,
            "today": today,
            "week": week_label(day),
            "previous": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
            "booking_path": reverse("web:operator-booking", args=[0]).removesuffix("0/"),
            "machine_path": reverse("web:operator-book", args=[0]).removesuffix("0/book/"),
            "day_iso": day.isoformat(),
            "book_label": _("Book"),
            "closure_label": _("Closure"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def machine_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A machine's description, specifications, rate and booking rules."""
    machine = operated_machine(request, pk)
    form = MachineRulesForm(request.POST if request.method == "POST" else None, instance=machine)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["specs"] = form.cleaned_data["specs_text"]
        try:
            machine_update(machine=machine, user=request.user, **fields)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Saved: the rules apply to bookings made from now on."))
            return redirect("web:operator-machine", pk=machine.pk)
    return render(
        request,
        "web/operator/machine.html",
        {
            "machine": machine,
            "form": form,
            "history": history(machine),
            "photos": list(machine.photos.all()),
            "documents": list(machine.documents.all()),
            "photo_form": MachinePhotoForm(),
            "document_form": MachineDocumentForm(),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def opening_hours(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The platform's week of opening hours, several ranges a day."""
    platform = operated_platform(request, pk)
    current = [
        {"weekday": row.weekday, "opens": row.opens, "closes": row.closes}
        for row in platform.opening_hours.order_by("weekday", "opens")
    ]
    formset = OpeningHoursFormSet(
        request.POST if request.method == "POST" else None, initial=current, prefix="hours"
    )
    if request.method == "POST" and formset.is_valid():
        ranges = [
            (form.cleaned_data["weekday"], form.cleaned_data["opens"], form.cleaned_data["closes"])
            for form in formset.forms
            # Blank extra rows have no data; ticked rows are removed.
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            opening_hours_set(platform=platform, user=request.user, ranges=ranges)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("web:operator-hours", pk=platform.pk)
    return render(
        request,
        "web/operator/hours.html",
        {"platform": platform, "formset": formset},
        status=422 if request.method == "POST" else 200,
    )
