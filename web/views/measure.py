"""Usage measured at the machine: the page its QR code opens (one tap to start, one to stop the
booking under way) and the sheet an operator prints to stick on the machine."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings.selectors.measure import booking_to_measure
from bookings.services import usage_measure_start, usage_measure_stop
from core.exceptions import DomainError
from platforms.models import Machine

from .common import HtmxHttpRequest
from .operator.base import operated_machine


def use_url(machine: Machine) -> str:
    """The address the machine's QR code holds."""
    return settings.SITE_URL + reverse("web:machine-use", args=[machine.pk])


@login_required
@require_http_methods(["GET", "POST"])
def use(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The booking of the person's company under way on the machine (or about to begin):
    "Start", then "Stop"; nothing to tap shows when the next booking is."""
    machine = get_object_or_404(Machine.objects.select_related("platform"), pk=pk, active=True)
    booking = booking_to_measure(machine=machine, user=request.user)
    if request.method == "POST" and booking is not None:
        try:
            if request.POST.get("action") == "stop":
                usage_measure_stop(booking=booking, user=request.user)
                messages.success(request, _("Stopped: your usage is recorded. Thank you!"))
            else:
                usage_measure_start(booking=booking, user=request.user)
                messages.success(request, _("Started: tap “Stop” when you are done."))
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect("web:machine-use", pk=machine.pk)
    with timezone.override(machine.platform.tz):
        return render(request, "web/measure/use.html", {"machine": machine, "booking": booking})


@login_required
def qr_sheet(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A sheet to print and stick on the machine: its name and the QR code of its page."""
    machine = operated_machine(request, pk)
    url = use_url(machine)
    svg = segno.make(url, error="m").svg_inline(
        scale=8, dark="#1b2631", light="#ffffff", omitsize=True
    )
    return render(
        request,
        "web/measure/qr.html",
        # segno writes the SVG from the address alone: markup of its own, no user text.
        {"machine": machine, "url": url, "qr": mark_safe(svg)},
    )
