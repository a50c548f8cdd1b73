"""Closures and maintenance in plain words: the bookings a new one would cover, placing it,
skipping or moving one occurrence, removing it."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings.models import Booking
from bookings.selectors import (
    bookings_a_closure_would_cover,
    bookings_affected_by_closure,
)
from core.exceptions import DomainError
from platforms.models import Closure, Platform
from platforms.recurrence import closure_occurrence_rows
from platforms.selectors import planned_closure_intervals
from platforms.services import (
    closure_create,
    closure_delete,
    closure_occurrence_cancel,
    closure_occurrence_move,
)

from ...forms import (
    ClosureForm,
    OccurrenceForm,
)
from ..common import HtmxHttpRequest
from .base import operated_ids, operated_platform

# A recurring closure's page lists its next occurrences, to skip or move one.
OCCURRENCES_SHOWN = 12
OCCURRENCES_AHEAD_DAYS = 400


def _closure_from(form: ClosureForm, platform: Platform, user: Any) -> Closure:
    frequency, params, until = form.recurrence()
    data = form.cleaned_data
    return closure_create(
        platform=platform,
        user=user,
        title=data["title"],
        start=data["start"],
        end=data["end"],
        machine=data["machine"],
        kind=data["kind"],
        reason=data["reason"],
        frequency=frequency,
        params=params,
        until=until,
    )


def _preview(form: ClosureForm, platform: Platform) -> list[Booking]:
    """The bookings the closure asked for would cover, read before it exists: nothing is
    written."""
    frequency, params, until = form.recurrence()
    data = form.cleaned_data
    return bookings_a_closure_would_cover(
        platform=platform,
        machine=data["machine"],
        intervals=planned_closure_intervals(
            platform=platform,
            start=data["start"],
            end=data["end"],
            frequency=frequency,
            params=params,
            until=until,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def closures(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A platform's closures and maintenance, and a new one in plain words: first the
    bookings it would cover, then, confirmed, it is placed (the companies are told)."""
    platform = operated_platform(request, pk)
    with timezone.override(platform.tz):
        form = ClosureForm(request.POST if request.method == "POST" else None, platform=platform)
        covered = None
        if request.method == "POST" and form.is_valid():
            try:
                if request.POST.get("action") == "save":
                    closure = _closure_from(form, platform, request.user)
                    messages.success(
                        request, _("Placed: %(title)s.") % {"title": closure.event.title}
                    )
                    return redirect("web:operator-closure", pk=closure.pk)
                covered = _preview(form, platform)
            except DomainError as error:
                form.add_error(None, error.detail)
        rows = (
            Closure.objects.filter(platform=platform)
            .select_related("event__rule", "machine")
            .order_by("-event__start")
        )
        return render(
            request,
            "web/operator/closures.html",
            {"platform": platform, "form": form, "covered": covered, "rows": rows},
            status=422 if form.errors else 200,
        )


def _closure(request: HtmxHttpRequest, pk: int) -> Closure:
    return get_object_or_404(
        Closure.objects.select_related("event__rule", "machine", "platform"),
        pk=pk,
        platform_id__in=operated_ids(request),
    )


@login_required
def closure(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One closure: its bookings still covered, each to cancel with a reason or move; for a
    recurring one, its coming occurrences, each to skip or move."""
    shown = _closure(request, pk)
    occurrences = []
    if shown.event.rule_id:
        now = timezone.now()
        occurrences = closure_occurrence_rows(
            event=shown.event,
            timezone_name=shown.platform.timezone,
            start=now,
            end=now + timedelta(days=OCCURRENCES_AHEAD_DAYS),
            limit=OCCURRENCES_SHOWN,
        )
    with timezone.override(shown.platform.tz):
        return render(
            request,
            "web/operator/closure.html",
            {
                "closure": shown,
                "covered": list(bookings_affected_by_closure(closure=shown)),
                "occurrences": occurrences,
            },
        )


@login_required
@require_POST
def closure_occurrence(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Skip one occurrence of a recurring closure, or move it (the companies whose bookings
    it then covers are told)."""
    shown = _closure(request, pk)
    action = request.POST.get("action")
    with timezone.override(shown.platform.tz):
        form = OccurrenceForm(request.POST)
        if action not in ("skip", "move") or not form.is_valid():
            errors = [str(error) for errors in form.errors.values() for error in errors]
            messages.error(request, errors[0] if errors else _("Choose skip or move."))
            return redirect("web:operator-closure", pk=shown.pk)
        data = form.cleaned_data
        try:
            if action == "skip":
                closure_occurrence_cancel(
                    closure=shown, user=request.user, original_start=form.original_start()
                )
                messages.success(request, _("Skipped: that time can be booked again."))
            elif not (data["start"] and data["end"]):
                messages.error(request, _("Give the new start and end."))
            else:
                closure_occurrence_move(
                    closure=shown,
                    user=request.user,
                    original_start=form.original_start(),
                    start=data["start"],
                    end=data["end"],
                )
                messages.success(
                    request, _("Moved; the companies whose bookings it covers are told.")
                )
        except DomainError as error:
            messages.error(request, error.detail)
    return redirect("web:operator-closure", pk=shown.pk)


@login_required
@require_POST
def closure_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    shown = _closure(request, pk)
    platform = shown.platform
    try:
        closure_delete(closure=shown, user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("web:operator-closure", pk=pk)
    messages.success(request, _("Removed; its times can be booked again."))
    return redirect("web:operator-closures", pk=platform.pk)
