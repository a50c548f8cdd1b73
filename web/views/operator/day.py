"""The operator's day: what waits today across their platforms, and the one-click actions on it
(approve, reject, record usage, started, ended)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bookings.models import Booking
from bookings.selectors import (
    incidents_open,
    operator_day,
)
from bookings.services import (
    booking_approve,
    booking_reject,
    usage_record,
    usage_start,
)
from core.exceptions import DomainError
from platforms.selectors import platforms_operated_by

from ...forms import (
    RejectForm,
    UsageForm,
)
from ..common import HtmxHttpRequest, told_mark, told_text
from .base import done, named, operated_booking, operated_ids, refused


@login_required
def operator_home(request: HtmxHttpRequest) -> HttpResponse:
    """Everything waiting for the operator today, across their platforms."""
    operated = operated_ids(request)
    day = operator_day(user=request.user, now=timezone.now())
    return render(
        request,
        "web/operator/home.html",
        {
            "day": day,
            "platforms": platforms_operated_by(user=request.user).order_by("name"),
            "reject_form": RejectForm(),
            "usage_form": UsageForm(),
            "incidents": list(incidents_open(platform_ids=operated)),
        },
    )


@login_required
@require_POST
def approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = operated_booking(request, pk)
    mark = told_mark()
    try:
        booking_approve(booking=booking, user=request.user)
    except DomainError as error:
        return refused(request, error)
    return done(request, _("Approved: %(booking)s.") % named(booking) + told_text(booking.pk, mark))


# At most this many bookings approved in one go.
BULK_LIMIT = 100


@login_required
@require_POST
def approve_many(request: HtmxHttpRequest) -> HttpResponse:
    """The pending bookings ticked on the day, approved one by one: each stands or is refused
    on its own (a booking decided meanwhile is said so, the others go through)."""
    ids = [
        value
        for value in request.POST.getlist("booking")[:BULK_LIMIT]
        if value.isascii() and value.isdigit()
    ]
    bookings = (
        Booking.objects.select_related("machine__platform", "company")
        .filter(pk__in=[int(value) for value in ids if len(value) < 12])
        .filter(machine__platform_id__in=operated_ids(request))
        .order_by("start")
    )
    approved, unheard, failures = 0, 0, []
    for booking in bookings:
        mark = told_mark()
        try:
            booking_approve(booking=booking, user=request.user)
        except DomainError as error:
            failures.append(f"{named(booking)['booking']}: {error.detail}")
        else:
            approved += 1
            unheard += not told_text(booking.pk, mark)
    if not approved and not failures:
        messages.warning(request, _("Tick the bookings to approve first."))
    if approved:
        text = ngettext("%(count)d booking approved.", "%(count)d bookings approved.", approved) % {
            "count": approved
        }
        if not unheard:
            text += " " + _("The companies are told by e-mail.")
        messages.success(request, text)
    for failure in failures:
        messages.error(request, failure)
    return redirect("web:operator")


@login_required
@require_POST
def reject(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = operated_booking(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return refused(request, DomainError(_("Give the company a reason.")))
    mark = told_mark()
    try:
        booking_reject(booking=booking, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return refused(request, error)
    return done(request, _("Refused: %(booking)s.") % named(booking) + told_text(booking.pk, mark))


@login_required
@require_POST
def record_usage(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = operated_booking(request, pk)
    with timezone.override(booking.machine.platform.tz):
        form = UsageForm(request.POST)
        if not form.is_valid():
            return refused(request, DomainError(_("Give the actual start and end times.")))
        try:
            usage_record(
                booking=booking,
                user=request.user,
                actual_start=form.cleaned_data["actual_start"],
                actual_end=form.cleaned_data["actual_end"],
            )
        except DomainError as error:
            return refused(request, error)
    return done(request, _("Usage recorded: %(booking)s.") % named(booking))


@login_required
@require_POST
def started(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One click: the use begins now."""
    booking = operated_booking(request, pk)
    try:
        usage_start(booking=booking, user=request.user)
    except DomainError as error:
        return refused(request, error)
    return done(request, _("Started: %(booking)s.") % named(booking))


@login_required
@require_POST
def ended(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One click: the use ends now; it started when recorded, or at the booking's start."""
    booking = operated_booking(request, pk)
    now = timezone.now().replace(second=0, microsecond=0)
    try:
        usage_record(
            booking=booking,
            user=request.user,
            actual_start=booking.actual_start or booking.start,
            actual_end=now,
        )
    except DomainError as error:
        return refused(request, error)
    return done(request, _("Ended; usage recorded: %(booking)s.") % named(booking))
