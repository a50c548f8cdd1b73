"""Training sessions: those open to enrol, the machines one qualifies on, a person's seats."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q, QuerySet, Value
from django.utils import timezone

from platforms.models import Machine

from ..models import Enrolment, Membership, MembershipRole, TrainingSession, TrainingStatus

SEATED = Q(enrolments__withdrawn_at__isnull=True, enrolments__waiting=False)
WAITING = Q(enrolments__withdrawn_at__isnull=True, enrolments__waiting=True)


def with_seats(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """``seats_taken`` and ``waiting_count`` on each session, in the same query."""
    return sessions.annotate(
        seats_taken=Count("enrolments", filter=SEATED),
        waiting_count=Count("enrolments", filter=WAITING),
    )


def sessions_ahead(
    *, machine: Machine | int | None = None, platform: Any = None, now: datetime | None = None
) -> QuerySet[TrainingSession]:
    """Scheduled sessions not begun yet, soonest first; those that qualify on ``machine``
    (held on it, or on its category across its platform) when one is named."""
    sessions = TrainingSession.objects.filter(
        status=TrainingStatus.SCHEDULED,
        start__gt=now or timezone.now(),
        machine__active=True,
        machine__platform__active=True,
    )
    if machine is not None:
        found = (
            machine if isinstance(machine, Machine) else Machine.objects.filter(pk=machine).first()
        )
        if found is None:
            return sessions.none()
        sessions = sessions.filter(
            Q(machine=found)
            | Q(
                whole_category=True,
                machine__platform_id=found.platform_id,
                machine__category=found.category,
            )
        )
    if platform is not None:
        sessions = sessions.filter(machine__platform=platform)
    return with_seats(sessions.select_related("machine__platform", "trainer")).order_by(
        "start", "pk"
    )


def next_session_for(*, machine: Machine) -> TrainingSession | None:
    """The next session with a seat or a waiting list that qualifies on ``machine``."""
    return sessions_ahead(machine=machine).first()


def session_machines(session: TrainingSession) -> QuerySet[Machine]:
    """The machines attending ``session`` qualifies on."""
    if not session.whole_category:
        return Machine.objects.filter(pk=session.machine_id)
    return Machine.objects.filter(
        platform_id=session.machine.platform_id,
        category=session.machine.category,
        active=True,
    )


def enrolments_of(*, user: Any) -> QuerySet[Enrolment]:
    """``user``'s seats and waiting places in sessions not over yet, soonest first."""
    if not getattr(user, "is_authenticated", False):
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(
            user=user,
            withdrawn_at__isnull=True,
            session__status=TrainingStatus.SCHEDULED,
            session__end__gt=timezone.now(),
        )
        .select_related("session__machine__platform", "company")
        .order_by("session__start", "pk")
    )


def session_enrolments(session: TrainingSession) -> QuerySet[Enrolment]:
    """Everyone still enrolled (seated first, then the waiting list in its order)."""
    return (
        Enrolment.objects.filter(session=session, withdrawn_at__isnull=True)
        .select_related("user", "company")
        .order_by("waiting", "created_at", "pk")
    )


def sessions_to_decide(*, now: datetime | None = None) -> QuerySet[TrainingSession]:
    """Scheduled sessions past their deadline (``cancel_hours_before`` the start), not decided
    yet and not begun."""
    now = now or timezone.now()
    deadline_passed = Q(
        start__lte=ExpressionWrapper(
            Value(now) + F("cancel_hours_before") * timedelta(hours=1),
            output_field=DateTimeField(),
        )
    )
    return TrainingSession.objects.filter(
        deadline_passed, status=TrainingStatus.SCHEDULED, held_at__isnull=True, start__gt=now
    ).order_by("start", "pk")


def memberships_to_enrol(*, user: Any) -> QuerySet[Membership]:
    """Whom ``user`` may enrol, as memberships (a person for a company): themselves in each
    validated company of theirs, and the members of those they administer."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    administered = Membership.objects.filter(user=user, role=MembershipRole.ADMIN).values(
        "company_id"
    )
    return (
        Membership.objects.filter(Q(user=user) | Q(company_id__in=administered))
        .filter(company__validated_at__isnull=False, user__is_active=True)
        .select_related("user", "company")
        .order_by("company__name", "user__display_name", "user__email")
    )
