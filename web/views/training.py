"""Training sessions on the SME's pages: the sessions listed on a machine's page, enrolling
(oneself, or a member of a company one administers; a full session offers its waiting list),
and giving up a seat from the bookings' page."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import Enrolment, Membership, MembershipRole, TrainingSession
from bookings.selectors import enrolments_of, memberships_to_enrol, sessions_ahead
from bookings.services import training_enrol, training_withdraw
from core.exceptions import DomainError
from platforms.models import Machine

from ..forms import EnrolForm
from .common import HtmxHttpRequest


@dataclass(frozen=True)
class Offer:
    """A session as the machine page offers it: its seats left, and the person's seat."""

    session: TrainingSession
    seats_left: int
    mine: Enrolment | None


def _people(user: Any) -> list[tuple[int, str]]:
    choices = []
    for membership in memberships_to_enrol(user=user):
        name = _("Me") if membership.user_id == user.pk else membership.user.get_full_name()
        choices.append((membership.pk, f"{name} ({membership.company.name})"))
    return choices


def training_context(user: Any, machine: Machine) -> dict[str, Any]:
    """What the machine page shows of the sessions that qualify on it: the next ones, the
    seats the person (or their company) holds in them, and whom they may enrol."""
    sessions = list(sessions_ahead(machine=machine)[:6])
    mine = {e.session_id: e for e in enrolments_of(user=user).filter(session__in=sessions)}
    offers = [
        # ``seats_taken`` is counted by the queryset (``selectors.training.with_seats``).
        Offer(
            session,
            max(session.capacity - getattr(session, "seats_taken", 0), 0),
            mine.get(session.pk),
        )
        for session in sessions
    ]
    people = _people(user) if sessions else []
    return {
        "offers": offers,
        "next_offer": offers[0] if offers else None,
        "enrol_form": EnrolForm(people=people) if people else None,
    }


@login_required
@require_POST
def enrol(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(TrainingSession.objects.select_related("machine"), pk=pk)
    form = EnrolForm(request.POST, people=_people(request.user))
    back = reverse("web:machine", args=[session.machine_id]) + "#training"
    if not form.is_valid():
        messages.error(request, _("Choose who takes the seat."))
        return redirect(back)
    chosen = form.cleaned_data["membership"]
    membership = next((m for m in memberships_to_enrol(user=request.user) if m.pk == chosen), None)
    if membership is None:  # the membership ended meanwhile
        messages.error(request, _("Choose who takes the seat."))
        return redirect(back)
    try:
        enrolment = training_enrol(
            session=session,
            person=membership.user,
            actor=request.user,
            company=membership.company,
            waiting=form.cleaned_data["waiting"],
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(back)
    if enrolment.waiting:
        messages.success(
            request,
            _("On the waiting list: seats that free up are given in this order, by e-mail."),
        )
    else:
        messages.success(
            request,
            _("Seat taken: a confirmation is on its way by e-mail."),
        )
    return redirect(back)


@login_required
@require_POST
def withdraw(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Give up a seat (one's own, or a member's of a company one administers); anyone else's
    is a 404."""
    administered = Membership.objects.filter(
        user_id=request.user.pk or 0, role=MembershipRole.ADMIN
    ).values("company_id")
    enrolment = get_object_or_404(
        Enrolment.objects.filter(Q(user=request.user) | Q(company_id__in=administered)),
        pk=pk,
        withdrawn_at__isnull=True,
    )
    was_waiting = enrolment.waiting
    try:
        training_withdraw(enrolment=enrolment, actor=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("You have left the waiting list.")
            if was_waiting
            else _("The seat is given up; the first person waiting takes it."),
        )
    if request.POST.get("next") == "machine":
        return redirect(reverse("web:machine", args=[enrolment.session.machine_id]) + "#training")
    return redirect("web:bookings")
