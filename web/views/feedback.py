"""After use: a member says how it went on the booking's page; the operators see the problems
reported, close them or turn them into maintenance of the machine."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings.models import UsageFeedback
from bookings.selectors import bookings_visible_to
from bookings.services import feedback_give, incident_close, incident_to_maintenance
from core.exceptions import DomainError

from ..forms import FeedbackForm, MaintenanceForm
from .common import HtmxHttpRequest
from .operator.base import operated_ids


@login_required
@require_POST
def feedback(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        bookings_visible_to(user=request.user, own_companies_only=True), pk=pk
    )
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the machine worked."))
    else:
        try:
            given = feedback_give(
                booking=booking,
                user=request.user,
                worked=form.cleaned_data["worked"],
                report=form.cleaned_data["report"],
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request,
                _("Thank you: the platform's operators will look into the problem.")
                if given.is_incident
                else _("Thank you for telling us."),
            )
    return redirect("web:booking", pk=booking.pk)


def _incident(request: HtmxHttpRequest, pk: int) -> UsageFeedback:
    return get_object_or_404(
        UsageFeedback.objects.select_related(
            "booking__machine__platform", "booking__company", "given_by"
        ),
        pk=pk,
        booking__machine__platform_id__in=operated_ids(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A problem reported after use: what was said, and the machine out for repair in one
    step (a maintenance closure; the bookings it covers are listed on its page)."""
    shown = _incident(request, pk)
    machine = shown.booking.machine
    tz = machine.platform.tz
    with timezone.override(tz):
        start = timezone.localtime(timezone.now(), tz).replace(minute=0, second=0, microsecond=0)
        start += timedelta(hours=1)
        form = MaintenanceForm(
            request.POST if request.method == "POST" else None,
            initial={"start": start, "end": start + timedelta(hours=4)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                done = incident_to_maintenance(
                    feedback=shown,
                    operator=request.user,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(
                    request, _("%(machine)s is out for maintenance.") % {"machine": machine.name}
                )
                assert done.closure is not None
                return redirect("web:operator-closure", pk=done.closure.pk)
        return render(
            request,
            "web/operator/incident.html",
            {"incident": shown, "booking": shown.booking, "machine": machine, "form": form},
            status=422 if form.errors else 200,
        )


@login_required
@require_POST
def incident_done(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    incident_close(feedback=_incident(request, pk), operator=request.user)
    messages.success(request, _("Incident closed."))
    return redirect("web:operator")
