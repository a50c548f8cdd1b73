"""One booking's page (approve, refuse, move, cancel with a reason, usage), and booking on a
company's behalf or blocking the platform's time."""

from datetime import time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings.services import (
    booking_block,
    booking_cancel,
    booking_create,
    usage_record,
)
from core.exceptions import DomainError
from platforms.models import Machine
from platforms.timezones import aware_lenient

from ...calendar import week_label
from ...forms import (
    OnBehalfForm,
    OperatorCancelForm,
    RejectForm,
    UsageForm,
)
from ...history import history
from ..booking import move_page
from ..common import HtmxHttpRequest, told_mark, told_text
from .base import clock_param, day_param, named, operated_booking, operated_ids


@login_required
@require_http_methods(["GET", "POST"])
def operator_booking(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One booking of the operator's platforms: approve, reject, cancel with a reason, record
    usage; moving has its own page (the machine's week)."""
    booking = operated_booking(request, pk)
    with timezone.override(booking.machine.platform.tz):
        action = request.POST.get("action") if request.method == "POST" else None
        cancel = OperatorCancelForm(request.POST if action == "cancel" else None)
        usage = UsageForm(
            request.POST if action == "usage" else None,
            initial={
                "actual_start": booking.actual_start or booking.start,
                "actual_end": booking.actual_end or booking.end,
            },
        )
        try:
            if action == "cancel" and cancel.is_valid():
                mark = told_mark()
                booking_cancel(
                    booking=booking, user=request.user, reason=cancel.cleaned_data["reason"]
                )
                messages.success(request, _("Booking cancelled.") + told_text(booking.pk, mark))
                return redirect("web:operator-booking", pk=booking.pk)
            if action == "usage" and usage.is_valid():
                usage_record(
                    booking=booking,
                    user=request.user,
                    actual_start=usage.cleaned_data["actual_start"],
                    actual_end=usage.cleaned_data["actual_end"],
                )
                messages.success(request, _("Usage recorded: %(booking)s.") % named(booking))
                return redirect("web:operator-booking", pk=booking.pk)
        except DomainError as error:
            {"cancel": cancel, "usage": usage}[action or "cancel"].add_error(None, error.detail)
        status = 422 if action and (cancel.errors or usage.errors) else 200
        return render(
            request,
            "web/operator/booking.html",
            {
                "booking": booking,
                "cancel": cancel,
                "usage": usage,
                "reject_form": RejectForm(),
                "week": week_label(booking.start.astimezone(booking.machine.platform.tz).date()),
                "history": history(booking),
            },
            status=status,
        )


@login_required
@require_http_methods(["GET", "POST"])
def operator_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Another slot for a booking of the operator's platforms, chosen in the machine's week."""
    booking = operated_booking(request, pk)
    return move_page(
        request, booking, done=reverse("web:operator-booking", args=[booking.pk]), operator=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def book_on_behalf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Free time of a machine of the operator's platforms, booked for a company or blocked."""
    machine = get_object_or_404(
        Machine.objects.select_related("platform"), pk=pk, platform_id__in=operated_ids(request)
    )
    with timezone.override(machine.platform.tz):
        initial: dict[str, Any] = {}
        chosen = day_param(request.GET.get("day", ""))
        if chosen is not None:
            # From the day view's free half hour, or 09:00 from the week's "+ Book".
            clock = clock_param(request.GET.get("time", "")) or time(9)
            start = aware_lenient(chosen, clock, machine.platform.tz)
            length = max(60, machine.min_minutes)
            initial = {"start": start, "end": start + timedelta(minutes=length)}
        form = OnBehalfForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["company"]:
                    booking = booking_create(
                        machine=machine,
                        company=data["company"],
                        user=request.user,
                        start=data["start"],
                        end=data["end"],
                        note=data["note"],
                    )
                else:
                    booking = booking_block(
                        machine=machine,
                        user=request.user,
                        start=data["start"],
                        end=data["end"],
                        note=data["note"],
                    )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, _("Booked: %(booking)s.") % named(booking))
                return redirect("web:operator-booking", pk=booking.pk)
        return render(
            request,
            "web/operator/book.html",
            {"machine": machine, "form": form},
            status=422 if form.errors else 200,
        )
