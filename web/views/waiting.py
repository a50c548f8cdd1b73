"""Waiting lists on the pages: joining from the booking form when the slot is taken, and
leaving from the bookings' page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.selectors import waiting_of
from bookings.services import waiting_join, waiting_leave

from .common import HtmxHttpRequest


def waiting_joined(request: HtmxHttpRequest, machine: Any, data: dict[str, Any]) -> HttpResponse:
    """Join the waiting list over the booking form's range (its refusals propagate, to be
    shown in the form); then say so where the form was, or on the bookings' page."""
    entry = waiting_join(
        machine=machine,
        company=data["company"],
        user=request.user,
        start=data["start"],
        end=data["end"],
    )
    if request.htmx:
        return render(request, "web/booking/_waiting.html", {"entry": entry})
    messages.success(request, _("You are on the waiting list: we will e-mail you if it frees up."))
    return redirect("web:bookings")


@login_required
@require_POST
def leave(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Leave one of one's entries; anyone else's is a 404."""
    entry = get_object_or_404(waiting_of(user=request.user), pk=pk)
    waiting_leave(entry=entry, user=request.user)
    messages.success(request, _("You have left this waiting list."))
    return redirect("web:bookings")
