"""What every operator page shares: the platforms a person operates (anything else is a 404), the
booking or platform asked for among them, and the answers to an htmx action."""

from datetime import date, time

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from bookings.models import Booking
from core.datetimes import in_range
from core.exceptions import DomainError
from platforms.models import Machine, Platform
from platforms.selectors import platforms_operated_by

from ...templatetags.web import slot_range
from ..common import HtmxHttpRequest


def operated_ids(request: HtmxHttpRequest) -> list[int]:
    ids = list(platforms_operated_by(user=request.user).values_list("pk", flat=True))
    if not ids:
        raise Http404
    return ids


def operated_booking(request: HtmxHttpRequest, pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("machine__platform", "company"),
        pk=pk,
        machine__platform_id__in=operated_ids(request),
    )


def named(booking: Booking) -> dict[str, str]:
    slot = slot_range(booking.start, booking.end, booking.machine.platform.timezone)
    if booking.company is None:
        return {"booking": f"{booking.machine.name}, {slot}"}
    return {"booking": f"{booking.machine.name}, {slot} ({booking.company.name})"}


def back(request: HtmxHttpRequest) -> str:
    """Where an action came from (its form's ``next``, else the page that posted it), when
    that is a page of this site; else the operator's day."""
    for candidate in (request.POST.get("next", ""), request.META.get("HTTP_REFERER", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("web:operator")


def done(request: HtmxHttpRequest, text: str) -> HttpResponse:
    """htmx: the row goes, replaced by what was done; otherwise back where the action was."""
    if request.htmx:
        return render(request, "web/_done.html", {"text": text})
    messages.success(request, text)
    return redirect(back(request))


def refused(request: HtmxHttpRequest, error: DomainError) -> HttpResponse:
    if request.htmx:
        return render(request, "web/_done.html", {"text": error.detail, "error": True}, status=422)
    messages.error(request, error.detail)
    return redirect(back(request))


def operated_platform(request: HtmxHttpRequest, pk: int) -> Platform:
    return get_object_or_404(Platform, pk=pk, pk__in=operated_ids(request))


def operated_machine(request: HtmxHttpRequest, pk: int) -> Machine:
    return get_object_or_404(
        Machine.objects.select_related("platform"), pk=pk, platform_id__in=operated_ids(request)
    )


def day_param(value: str) -> date | None:
    try:
        chosen = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return chosen if chosen and in_range(chosen) else None


def clock_param(value: str) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None
