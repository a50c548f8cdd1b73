"""Training sessions on the operator's pages: the sessions of their platforms and the form
that schedules one (its time reserved on the machine), a session's page with the people
enrolled, the waiting list, attendance (which qualifies) and cancelling."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from bookings.models import TrainingSession
from bookings.selectors import session_enrolments
from bookings.selectors.training import with_seats
from bookings.services import training_attendance, training_cancel, training_schedule
from core.exceptions import DomainError
from platforms.models import Machine

from ...forms import AttendanceForm, SessionCancelForm, TrainingSessionForm
from ..common import HtmxHttpRequest
from .base import done, operated_ids, refused

RECENT_DAYS = 30


def _operated_session(request: HtmxHttpRequest, pk: int) -> TrainingSession:
    return get_object_or_404(
        with_seats(TrainingSession.objects.select_related("machine__platform", "trainer")),
        pk=pk,
        machine__platform_id__in=operated_ids(request),
    )


def _naive(moment: Any) -> Any:
    """The wall-clock time typed (read in the active zone), for the machine's platform to
    read in its own."""
    return timezone.make_naive(moment)


@login_required
@require_http_methods(["GET", "POST"])
def trainings(request: HtmxHttpRequest) -> HttpResponse:
    """The sessions of the operator's platforms (ahead, then the last 30 days) and the form
    that schedules one."""
    operated = operated_ids(request)
    machines = (
        Machine.objects.filter(platform_id__in=operated, active=True)
        .select_related("platform")
        .order_by("platform__name", "name")
    )
    trainers = (
        User.objects.filter(operated_platforms__in=operated, is_active=True)
        .distinct()
        .order_by("display_name", "email")
    )
    form = TrainingSessionForm(
        request.POST if request.method == "POST" else None, machines=machines, trainers=trainers
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = training_schedule(
                operator=request.user,
                machine=data["machine"],
                start=_naive(data["start"]),
                end=_naive(data["end"]),
                capacity=data["capacity"],
                min_attendance=data["min_attendance"],
                cancel_hours_before=data["cancel_hours_before"],
                company_seats=data["company_seats"],
                price=data["price"],
                trainer=data["trainer"],
                whole_category=data["whole_category"],
                note=data["note"],
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Session scheduled; its time is reserved on the machine."))
            return redirect("web:operator-training", session.pk)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    sessions = with_seats(
        TrainingSession.objects.filter(machine__platform_id__in=operated, end__gte=since)
        .select_related("machine__platform", "trainer")
        .order_by("start", "pk")
    )
    return render(
        request,
        "web/operator/trainings.html",
        {"sessions": sessions, "form": form, "now": timezone.now()},
        status=422 if form.errors else 200,
    )


@login_required
def training(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    session = _operated_session(request, pk)
    enrolments = list(session_enrolments(session))
    return render(
        request,
        "web/operator/training.html",
        {
            "session": session,
            "seated": [e for e in enrolments if not e.waiting],
            "waiting": [e for e in enrolments if e.waiting],
            "begun": session.start <= timezone.now(),
            "cancel_form": SessionCancelForm(),
        },
    )


@login_required
@require_POST
def training_attendance_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    session = _operated_session(request, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return refused(request, DomainError(_("Say whether the person came.")))
    person = User.objects.filter(pk=form.cleaned_data["person"]).first()
    try:
        if person is None:
            raise DomainError(_("This person has no seat in this session."))
        training_attendance(
            session=session,
            person=person,
            attended=form.cleaned_data["attended"],
            operator=request.user,
        )
    except DomainError as error:
        return refused(request, error)
    text = (
        _("%(person)s came: qualified.")
        if form.cleaned_data["attended"]
        else _("%(person)s recorded absent.")
    )
    return done(request, text % {"person": person.get_full_name()})


@login_required
@require_POST
def training_cancel_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    session = _operated_session(request, pk)
    form = SessionCancelForm(request.POST)
    if not form.is_valid():
        return refused(request, DomainError(str(next(iter(form.errors.values()))[0])))
    try:
        training_cancel(session=session, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return refused(request, error)
    messages.success(request, _("Session cancelled: those enrolled are told by e-mail."))
    return redirect("web:operator-trainings")
