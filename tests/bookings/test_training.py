"""Training sessions: scheduling over the machine's time, seats and quotas, the waiting list,
attendance granting the qualification, and the sessions too few enrolled in."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from bookings import exceptions as exc
from bookings.models import Booking, BookingKind, BookingStatus, Enrolment, TrainingStatus
from bookings.selectors import enrolments_of, next_session_for, sessions_ahead
from bookings.services import (
    booking_cancel,
    booking_create,
    booking_move,
    training_attendance,
    training_cancel,
    training_enrol,
    training_schedule,
    training_withdraw,
    trainings_decide,
)
from platforms.models import MachineCategory, Qualification, QualificationStatus
from tests.conftest import paris
from tests.factories import MachineFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db]

START, END = paris(2027, 1, 13, 14), paris(2027, 1, 13, 17)  # a Wednesday, nine days ahead


@pytest.fixture
def session(machine, operator, frozen_now):
    return training_schedule(
        operator=operator,
        machine=machine,
        start=START,
        end=END,
        capacity=2,
        min_attendance=2,
        cancel_hours_before=48,
        price=Decimal("150.00"),
    )


def colleague_of(member, role="member"):
    user = MembershipFactory(company=member.company, role=role).user
    user.company = member.company
    return user


def enrol(session, person, **kwargs):
    return training_enrol(session=session, person=person, actor=person, **kwargs)


def test_a_session_reserves_its_machine(session, machine, member):
    block = session.block

    assert (block.kind, block.status) == (BookingKind.INTERNAL, BookingStatus.CONFIRMED)
    assert (block.start, block.end) == (START, END)
    with pytest.raises(exc.SlotUnavailable):
        booking_create(
            machine=machine,
            company=member.company,
            user=member,
            start=START,
            end=START + timedelta(hours=1),
        )


def test_a_session_over_booked_time_is_refused(machine, operator, member, frozen_now):
    booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=START,
        end=START.replace(hour=15),
    )

    with pytest.raises(exc.SlotUnavailable):
        training_schedule(operator=operator, machine=machine, start=START, end=END, capacity=4)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": START}, "after it starts"),
        ({"start": paris(2027, 1, 3, 9), "end": paris(2027, 1, 3, 10)}, "ahead"),
        ({"capacity": 0}, "seats"),
        ({"capacity": 101}, "seats"),
        ({"min_attendance": 3}, "minimum"),
        ({"company_seats": 5}, "per company"),
        ({"price": Decimal("-1")}, "price"),
    ],
)
def test_a_session_out_of_bounds_is_refused(machine, operator, frozen_now, changes, message):
    arguments = {"start": START, "end": END, "capacity": 2, **changes}

    with translation.override("en"), pytest.raises(exc.InvalidSession, match=message):
        training_schedule(operator=operator, machine=machine, **arguments)

    assert not Booking.objects.exists()


def test_only_an_operator_of_the_platform_schedules(machine, member, frozen_now):
    other_operator = UserFactory()
    MachineFactory().platform.operators.add(other_operator)

    for user in (member, other_operator):
        with pytest.raises(exc.NotAllowed):
            training_schedule(operator=user, machine=machine, start=START, end=END, capacity=2)


def test_seats_then_the_waiting_list(session, member, make_member):
    first, second, third = member, make_member(), make_member()

    enrol(session, first)
    enrol(session, second)
    with pytest.raises(exc.SessionFull):
        enrol(session, third)
    waiting = enrol(session, third, waiting=True)

    assert waiting.waiting
    listed = sessions_ahead(machine=session.machine).get()
    assert (listed.seats_taken, listed.waiting_count) == (2, 1)


def test_a_freed_seat_goes_to_the_first_person_waiting(session, member, make_member):
    seated = enrol(session, member)
    enrol(session, make_member())
    first_waiting = enrol(session, make_member(), waiting=True)
    second_waiting = enrol(session, make_member(), waiting=True)

    training_withdraw(enrolment=seated, actor=member)

    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert (first_waiting.waiting, second_waiting.waiting) == (False, True)
    assert first_waiting.seated_at is not None


def test_the_companys_seats_are_bounded(machine, operator, member, frozen_now):
    session = training_schedule(
        operator=operator, machine=machine, start=START, end=END, capacity=4, company_seats=1
    )
    enrol(session, member)

    with pytest.raises(exc.CompanySeatsTaken):
        enrol(session, colleague_of(member), waiting=True)


def test_who_may_enrol_whom(session, member, make_member):
    colleague, admin = colleague_of(member), colleague_of(member, role="admin")
    stranger = make_member()

    with pytest.raises(exc.NotCompanyAdmin):
        training_enrol(session=session, person=colleague, actor=member)
    with pytest.raises(exc.NotMember):
        training_enrol(session=session, person=stranger, actor=admin, company=member.company)

    enrolment = training_enrol(session=session, person=colleague, actor=admin)
    assert (enrolment.user, enrolment.company, enrolment.enrolled_by) == (
        colleague,
        member.company,
        admin,
    )
    with pytest.raises(exc.AlreadyEnrolled):
        enrol(session, colleague)


def test_enrolment_closes_when_the_session_begins_or_is_cancelled(session, operator, member):
    with time_machine.travel(START, tick=False), pytest.raises(exc.SessionClosed):
        enrol(session, member)

    training_cancel(session=session, actor=operator, reason="Formateur malade")
    with pytest.raises(exc.SessionClosed):
        enrol(session, member)


def test_an_unvalidated_company_does_not_enrol(session, member):
    member.company.validated_at = None
    member.company.save()

    with pytest.raises(exc.CompanyNotValidated):
        enrol(session, member)


def test_attendance_grants_the_qualification(session, operator, member, make_member):
    session.machine.requires_qualification = True
    session.machine.qualification_months = 24
    session.machine.save()
    absent = make_member()
    enrol(session, member)
    enrol(session, absent)

    with pytest.raises(exc.AttendanceNotYet):
        training_attendance(session=session, person=member, attended=True, operator=operator)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        training_attendance(session=session, person=member, attended=True, operator=operator)
        training_attendance(session=session, person=absent, attended=False, operator=operator)

    granted = Qualification.objects.get(user=member, machine=session.machine)
    assert granted.status == QualificationStatus.GRANTED
    assert granted.valid_until == paris(2029, 1, 13, 0).date()
    assert not Qualification.objects.filter(user=absent).exists()
    # The trainee now books the machine the training was on.
    booked = booking_create(
        machine=session.machine,
        company=member.company,
        user=member,
        start=paris(2027, 1, 15, 10),
        end=paris(2027, 1, 15, 11),
    )
    assert booked.status == BookingStatus.CONFIRMED


def test_a_category_session_qualifies_on_every_machine_of_the_category(operator, machine, member):
    sibling = MachineFactory(platform=machine.platform, category=machine.category)
    other_kind = MachineFactory(platform=machine.platform, category=MachineCategory.CNC_MACHINING)
    with time_machine.travel(paris(2027, 1, 4, 9), tick=False):
        session = training_schedule(
            operator=operator,
            machine=machine,
            start=START,
            end=END,
            capacity=2,
            whole_category=True,
        )
        enrol(session, member)
        assert next_session_for(machine=sibling) == session
        assert next_session_for(machine=other_kind) is None
    with time_machine.travel(START, tick=False):
        training_attendance(session=session, person=member, attended=True, operator=operator)

    qualified = set(Qualification.objects.filter(user=member).values_list("machine", flat=True))
    assert qualified == {machine.pk, sibling.pk}


def test_only_someone_with_a_seat_has_attendance(session, operator, member, make_member):
    enrol(session, member)
    enrol(session, make_member())
    waiting = make_member()
    enrol(session, waiting, waiting=True)

    with time_machine.travel(START, tick=False), pytest.raises(exc.NotEnrolled):
        training_attendance(session=session, person=waiting, attended=True, operator=operator)


def test_cancelling_frees_the_machine(session, operator, member, machine):
    enrol(session, member)

    training_cancel(session=session, actor=operator, reason="")

    session.refresh_from_db()
    session.block.refresh_from_db()
    assert session.status == TrainingStatus.CANCELLED
    assert session.block.status == BookingStatus.CANCELLED
    assert list(enrolments_of(user=member)) == []
    booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=START,
        end=START.replace(hour=15),
    )


def test_too_few_at_the_deadline_cancels_itself_enough_holds(machine, operator, member):
    with time_machine.travel(paris(2027, 1, 4, 9), tick=False):
        short = training_schedule(
            operator=operator, machine=machine, start=START, end=END, capacity=3, min_attendance=2
        )
        full_enough = training_schedule(
            operator=operator,
            machine=machine,
            start=START + timedelta(days=1),
            end=END + timedelta(days=1),
            capacity=3,
            min_attendance=1,
        )
        enrol(short, member)
        enrol(full_enough, member)

    # Not yet: the deadline is 48 hours before the start.
    with time_machine.travel(START - timedelta(hours=49), tick=False):
        assert trainings_decide() == (0, 0)
    with time_machine.travel(START - timedelta(hours=47), tick=False):
        assert trainings_decide() == (0, 1)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        assert trainings_decide() == (1, 0)
        assert trainings_decide() == (0, 0)

    short.refresh_from_db()
    full_enough.refresh_from_db()
    assert short.status == TrainingStatus.CANCELLED
    assert short.cancelled_by is None
    assert full_enough.status == TrainingStatus.SCHEDULED
    assert full_enough.held_at is not None


def test_withdrawing_is_for_the_person_their_admin_or_an_operator(session, member, make_member):
    enrolment = enrol(session, member)
    stranger = make_member()

    with pytest.raises(exc.NotCompanyAdmin):
        training_withdraw(enrolment=enrolment, actor=stranger)
    training_withdraw(enrolment=enrolment, actor=member)
    with pytest.raises(exc.NotEnrolled):
        training_withdraw(enrolment=enrolment, actor=member)
    assert Enrolment.objects.get().withdrawn_at is not None


def test_someone_who_left_the_company_still_gives_up_their_seat(session, member, make_member):
    seat = enrol(session, member)
    enrol(session, make_member())
    waiting = make_member()
    assert enrol(session, waiting, waiting=True).waiting
    member.memberships.all().delete()

    training_withdraw(enrolment=seat, actor=member)

    assert Enrolment.objects.get(user=waiting).waiting is False


def test_the_sessions_block_changes_only_with_the_session(session, operator):
    with pytest.raises(exc.HoldsTraining):
        booking_cancel(booking=session.block, user=operator)
    with pytest.raises(exc.HoldsTraining):
        booking_move(
            booking=session.block,
            user=operator,
            start=START + timedelta(days=1),
            end=END + timedelta(days=1),
        )

    training_cancel(session=session, actor=operator)
    session.block.refresh_from_db()
    assert session.block.status == BookingStatus.CANCELLED
