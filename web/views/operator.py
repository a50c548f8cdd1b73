"""The operator's day: approve or reject, record usage, answer qualification requests,
validate companies — on the platforms they operate only; anything else is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import Booking, Company
from bookings.selectors import operator_day, platforms_operated_by
from bookings.services import booking_approve, booking_reject, company_validate, usage_record
from core.exceptions import DomainError
from platforms.models import Qualification
from platforms.services import qualification_grant, qualification_refuse

from ..forms import RejectForm, UsageForm
from ..templatetags.web import slot_range
from .common import HtmxHttpRequest


def _operated(request: HtmxHttpRequest) -> list[int]:
    ids = list(platforms_operated_by(user=request.user).values_list("pk", flat=True))
    if not ids:
        raise Http404
    return ids


def _booking(request: HtmxHttpRequest, pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("machine__platform", "company"),
        pk=pk,
        machine__platform_id__in=_operated(request),
    )


@login_required
def operator_home(request: HtmxHttpRequest) -> HttpResponse:
    """Everything waiting for the operator today, across their platforms."""
    _operated(request)
    day = operator_day(user=request.user, now=timezone.now())
    return render(
        request,
        "web/operator.html",
        {"day": day, "reject_form": RejectForm(), "usage_form": UsageForm()},
    )


def _named(booking: Booking) -> dict[str, str]:
    slot = slot_range(booking.start, booking.end, booking.machine.platform.timezone)
    company = booking.company.name if booking.company else ""
    return {"booking": f"{booking.machine.name}, {slot} ({company})"}


def _done(request: HtmxHttpRequest, text: str) -> HttpResponse:
    """htmx: the row goes, replaced by what was done; otherwise back to the day."""
    if request.htmx:
        return render(request, "web/_done.html", {"text": text})
    messages.success(request, text)
    return redirect("web:operator")


def _refused(request: HtmxHttpRequest, error: DomainError) -> HttpResponse:
    if request.htmx:
        return render(request, "web/_done.html", {"text": error.detail, "error": True}, status=422)
    messages.error(request, error.detail)
    return redirect("web:operator")


@login_required
@require_POST
def approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    try:
        booking_approve(booking=booking, user=request.user)
    except DomainError as error:
        return _refused(request, error)
    return _done(
        request, _("Approved: %(booking)s. The company is told by e-mail.") % _named(booking)
    )


@login_required
@require_POST
def reject(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _refused(request, DomainError(_("Give the company a reason.")))
    try:
        booking_reject(booking=booking, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused(request, error)
    return _done(
        request, _("Refused: %(booking)s. The company is told by e-mail.") % _named(booking)
    )


@login_required
@require_POST
def record_usage(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    with timezone.override(booking.machine.platform.tz):
        form = UsageForm(request.POST)
        if not form.is_valid():
            return _refused(request, DomainError(_("Give the actual start and end times.")))
        try:
            usage_record(
                booking=booking,
                user=request.user,
                actual_start=form.cleaned_data["actual_start"],
                actual_end=form.cleaned_data["actual_end"],
            )
        except DomainError as error:
            return _refused(request, error)
    return _done(request, _("Usage recorded: %(booking)s.") % _named(booking))


def _qualification(request: HtmxHttpRequest, pk: int) -> Qualification:
    return get_object_or_404(
        Qualification.objects.select_related("machine__platform", "user"),
        pk=pk,
        machine__platform_id__in=_operated(request),
    )


@login_required
@require_POST
def qualification_answer(request: HtmxHttpRequest, pk: int, answer: str) -> HttpResponse:
    if answer not in ("grant", "refuse"):
        raise Http404
    qualification = _qualification(request, pk)
    try:
        if answer == "grant":
            qualification_grant(
                operator=request.user, user=qualification.user, machine=qualification.machine
            )
            text = _("%(person)s is qualified on %(machine)s.")
        else:
            qualification_refuse(operator=request.user, qualification=qualification)
            text = _("Qualification refused to %(person)s on %(machine)s.")
    except DomainError as error:
        return _refused(request, error)
    return _done(
        request,
        text
        % {"person": qualification.user.get_full_name(), "machine": qualification.machine.name},
    )


@login_required
@require_POST
def validate_company(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    _operated(request)
    company = get_object_or_404(Company, pk=pk, validated_at__isnull=True)
    try:
        company_validate(company=company, user=request.user)
    except DomainError as error:
        return _refused(request, error)
    return _done(request, _("%(company)s may book.") % {"company": company.name})
