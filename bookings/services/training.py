"""Training sessions: scheduling and cancelling (operators), enrolling and withdrawing (SMEs),
attendance (the trainer), and the periodic decision on sessions too few enrolled in.

A session's seats are counted under a lock of its row, so the last seat goes to exactly one
person; a seat that frees goes to the first person on the waiting list. Attending grants the
qualification on the session's machine (or its whole category on the platform).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record, state_of
from core.datetimes import check_range
from core.events import announce
from platforms.models import Machine
from platforms.selectors import user_operates
from platforms.services import qualification_grant
from platforms.timezones import aware_strict

from ..exceptions import (
    AlreadyEnrolled,
    AttendanceNotYet,
    CompanyNotValidated,
    CompanySeatsTaken,
    InvalidSession,
    NotAllowed,
    NotCompanyAdmin,
    NotEnrolled,
    NotMember,
    SessionClosed,
    SessionFull,
    UnknownSession,
    WaitingListFull,
)
from ..models import Company, Enrolment, TrainingSession, TrainingStatus
from ..selectors import companies_of, user_is_company_admin, user_is_member
from ..selectors.training import session_machines, sessions_to_decide
from ..signals import enrolment_seated, enrolment_waiting, enrolment_withdrawn, training_cancelled
from .context import lock_company
from .create import booking_block
from .lifecycle import block_release

SESSION_FIELDS = ("machine", "start", "end", "capacity", "min_attendance", "price", "status")
MAX_SESSION_DAYS = 7


def training_schedule(
    *,
    operator: Any,
    machine: Machine,
    start: datetime,
    end: datetime,
    capacity: int,
    min_attendance: int = 1,
    cancel_hours_before: int = 48,
    company_seats: int | None = None,
    price: Decimal = Decimal("0"),
    trainer: Any = None,
    whole_category: bool = False,
    note: str = "",
) -> TrainingSession:
    """An operator of the machine's platform schedules a session on it; its time is reserved
    by an internal block (refused like any block over booked time)."""
    tz = machine.platform.tz
    start, end = aware_strict(start, tz), aware_strict(end, tz)
    check_range(start, end)
    trainer = trainer or operator
    _check_session(
        start=start,
        end=end,
        capacity=capacity,
        min_attendance=min_attendance,
        cancel_hours_before=cancel_hours_before,
        company_seats=company_seats,
        price=price,
    )
    if not user_operates(user=operator, platform=machine.platform):
        raise NotAllowed(_("Only an operator of this platform can schedule its training."))
    if not user_operates(user=trainer, platform=machine.platform):
        raise InvalidSession(reason=_("The trainer must be an operator of this platform."))
    with transaction.atomic():
        block = booking_block(
            machine=machine, user=operator, start=start, end=end, note=str(_("Training session"))
        )
        session = TrainingSession.objects.create(
            machine=machine,
            whole_category=whole_category,
            start=start,
            end=end,
            trainer=trainer,
            capacity=capacity,
            min_attendance=min_attendance,
            cancel_hours_before=cancel_hours_before,
            company_seats=company_seats,
            price=price,
            note=note,
            block=block,
            created_by=operator,
        )
        audit_record(
            actor=operator,
            action="training.scheduled",
            obj=session,
            after=state_of(session, SESSION_FIELDS),
        )
    return session


def _check_session(
    *,
    start: datetime,
    end: datetime,
    capacity: int,
    min_attendance: int,
    cancel_hours_before: int,
    company_seats: int | None,
    price: Decimal,
) -> None:
    """The bounds a session keeps, whoever schedules it (the form and the API say the same)."""
    if end <= start:
        raise InvalidSession(reason=_("The session must end after it starts."))
    if start <= timezone.now():
        raise InvalidSession(reason=_("A session is scheduled ahead."))
    if end - start > timedelta(days=MAX_SESSION_DAYS):
        raise InvalidSession(reason=_("A session lasts at most seven days."))
    if not 1 <= capacity <= 100:
        raise InvalidSession(reason=_("A session has between 1 and 100 seats."))
    if not 1 <= min_attendance <= capacity:
        raise InvalidSession(reason=_("The minimum attendance lies between 1 and the seats."))
    if company_seats is not None and not 1 <= company_seats <= capacity:
        raise InvalidSession(reason=_("The seats per company lie between 1 and the seats."))
    if not 0 <= cancel_hours_before <= 720:
        raise InvalidSession(reason=_("The decision falls at most 720 hours before the start."))
    if not Decimal("0") <= price <= Decimal("100000"):
        raise InvalidSession(reason=_("The price lies between 0 and 100,000 euros."))


def _lock_session(session: TrainingSession | int) -> TrainingSession:
    pk = session if isinstance(session, int) else session.pk
    found = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("machine__platform")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise UnknownSession()
    return found


def _open_for_enrolment(session: TrainingSession) -> None:
    machine = session.machine
    active = machine.active and machine.platform.active
    if not (session.is_scheduled and active) or session.start <= timezone.now():
        raise SessionClosed()


def _may_enrol(*, actor: Any, person: Any, company: Company, session: TrainingSession) -> None:
    """The person themselves, an administrator of their company, or an operator of the
    platform enrols a member of ``company``."""
    if not user_is_member(user=person, company=company):
        raise NotMember()
    _may_act_for(actor=actor, person=person, company=company, session=session)


def _may_act_for(*, actor: Any, person: Any, company: Company, session: TrainingSession) -> None:
    """The person themselves, an administrator of the company, or an operator of the
    platform (a seat is given up even by someone who has left the company since)."""
    if actor.pk == getattr(person, "pk", None):
        return
    if user_operates(user=actor, platform=session.machine.platform):
        return
    if not user_is_company_admin(user=actor, company=company):
        raise NotCompanyAdmin()


def training_enrol(
    *,
    session: TrainingSession | int,
    person: Any,
    actor: Any,
    company: Company | int | None = None,
    waiting: bool = False,
) -> Enrolment:
    """Give ``person`` a seat in ``session`` for ``company`` (their only one by default), or
    with ``waiting`` a place on its waiting list when it is full. The session's row lock counts
    the seats: the last one goes to exactly one person."""
    with transaction.atomic():
        locked = _lock_session(session)
        _open_for_enrolment(locked)
        if company is None:
            found = list(companies_of(user=person)[:2])
            if len(found) != 1:
                raise NotMember()
            company = found[0]
        company = lock_company(company)
        _may_enrol(actor=actor, person=person, company=company, session=locked)
        if not company.is_validated:
            raise CompanyNotValidated()
        enrolled = Enrolment.objects.filter(session=locked, withdrawn_at__isnull=True)
        if enrolled.filter(user=person).exists():
            raise AlreadyEnrolled()
        if locked.company_seats and (
            enrolled.filter(company=company).count() >= locked.company_seats
        ):
            raise CompanySeatsTaken(seats=locked.company_seats)
        seated = enrolled.filter(waiting=False).count()
        full = seated >= locked.capacity
        if full and not waiting:
            raise SessionFull()
        if full and enrolled.filter(waiting=True).count() >= locked.capacity:
            raise WaitingListFull()
        enrolment = Enrolment.objects.create(
            session=locked,
            user=person,
            company=company,
            enrolled_by=actor,
            waiting=full,
            seated_at=None if full else timezone.now(),
        )
        audit_record(
            actor=actor,
            action="training.waiting" if full else "training.enrolled",
            obj=enrolment,
            after=state_of(enrolment, ["session", "user", "company", "waiting"]),
        )
        if full:
            announce(enrolment_waiting, sender=Enrolment, enrolment=enrolment, actor=actor)
        else:
            announce(
                enrolment_seated,
                sender=Enrolment,
                enrolment=enrolment,
                actor=actor,
                from_waiting=False,
            )
    return enrolment


def training_withdraw(*, enrolment: Enrolment | int, actor: Any) -> Enrolment:
    """The person (or their company's administrator, or an operator) gives up a seat or a
    place on the waiting list before the session; a seat goes to the first person waiting."""
    pk = enrolment if isinstance(enrolment, int) else enrolment.pk
    found = Enrolment.objects.filter(pk=pk, withdrawn_at__isnull=True).first()
    if found is None:
        raise NotEnrolled()
    with transaction.atomic():
        locked = _lock_session(found.session_id)
        mine = (
            Enrolment.objects.select_for_update(of=("self",))
            .filter(pk=pk, withdrawn_at__isnull=True)
            .select_related("user", "company")
            .first()
        )
        if mine is None:
            raise NotEnrolled()
        _may_act_for(actor=actor, person=mine.user, company=mine.company, session=locked)
        if not locked.is_scheduled or locked.start <= timezone.now():
            raise SessionClosed()
        was_seated = not mine.waiting
        mine.withdrawn_at = timezone.now()
        mine.save(update_fields=["withdrawn_at"])
        audit_record(actor=actor, action="training.withdrawn", obj=mine)
        announce(
            enrolment_withdrawn,
            sender=Enrolment,
            enrolment=mine,
            actor=actor,
            was_seated=was_seated,
        )
        if was_seated:
            _seat_first_waiting(locked, actor=actor)
    return mine


def _seat_first_waiting(session: TrainingSession, *, actor: Any) -> Enrolment | None:
    first = (
        Enrolment.objects.filter(session=session, withdrawn_at__isnull=True, waiting=True)
        .order_by("created_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.waiting = False
    first.seated_at = timezone.now()
    first.save(update_fields=["waiting", "seated_at"])
    audit_record(actor=actor, action="training.seat_given", obj=first)
    announce(enrolment_seated, sender=Enrolment, enrolment=first, actor=actor, from_waiting=True)
    return first


def training_cancel(
    *, session: TrainingSession | int, actor: Any, reason: str = ""
) -> TrainingSession:
    """An operator cancels a session before it begins: its machine's time is freed, and
    everyone enrolled or waiting is told."""
    with transaction.atomic():
        locked = _lock_session(session)
        if not user_operates(user=actor, platform=locked.machine.platform):
            raise NotAllowed(_("Only an operator of this platform can cancel its training."))
        if not locked.is_scheduled or locked.start <= timezone.now():
            raise SessionClosed()
        _cancel_locked(locked, actor=actor, reason=reason)
    return locked


def _cancel_locked(locked: TrainingSession, *, actor: Any, reason: str) -> None:
    locked.status = TrainingStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = actor
    locked.cancellation_reason = reason
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason"])
    audit_record(actor=actor, action="training.cancelled", obj=locked)
    if locked.block is not None:
        block_release(booking=locked.block, actor=actor, reason=str(_("Training cancelled")))
    enrolments = list(
        Enrolment.objects.filter(session=locked, withdrawn_at__isnull=True).select_related(
            "user", "company"
        )
    )
    announce(
        training_cancelled,
        sender=TrainingSession,
        session=locked,
        enrolments=enrolments,
        actor=actor,
    )


def training_attendance(
    *, session: TrainingSession | int, person: Any, attended: bool, operator: Any
) -> Enrolment:
    """The trainer (an operator of the platform) records whether a person with a seat came;
    attending grants the qualification on the session's machines. Saying later that they did
    not come withdraws nothing already granted (an operator refuses a qualification apart)."""
    with transaction.atomic():
        locked = _lock_session(session)
        if not user_operates(user=operator, platform=locked.machine.platform):
            raise NotAllowed(_("Only an operator of this platform records attendance."))
        if not locked.is_scheduled:
            raise SessionClosed()
        if locked.start > timezone.now():
            raise AttendanceNotYet()
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .filter(session=locked, user_id=person.pk, withdrawn_at__isnull=True, waiting=False)
            .first()
        )
        if enrolment is None:
            raise NotEnrolled()
        before = state_of(enrolment, ["attended"])
        enrolment.attended = attended
        enrolment.attendance_by = operator
        enrolment.save(update_fields=["attended", "attendance_by"])
        audit_record(
            actor=operator,
            action="training.attendance",
            obj=enrolment,
            before=before,
            after=state_of(enrolment, ["attended"]),
        )
        if attended:
            for machine in session_machines(locked).select_related("platform"):
                qualification_grant(operator=operator, user=person, machine=machine)
    return enrolment


def trainings_decide(*, now: datetime | None = None) -> tuple[int, int]:
    """The periodic job: each session past its deadline is held if enough people have a seat,
    else cancelled (everyone told). Returns (held, cancelled)."""
    held = cancelled = 0
    for pk in sessions_to_decide(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            locked = _lock_session(pk)
            if locked.held_at is not None or not locked.is_scheduled:
                continue
            seated = Enrolment.objects.filter(
                session=locked, withdrawn_at__isnull=True, waiting=False
            ).count()
            if seated >= locked.min_attendance:
                locked.held_at = timezone.now()
                locked.save(update_fields=["held_at"])
                held += 1
            else:
                _cancel_locked(locked, actor=None, reason="")
                cancelled += 1
    return held, cancelled
