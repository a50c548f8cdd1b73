from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from bookings import exceptions as exc
from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from tests.conftest import paris
from tests.factories import MachineFactory, PlatformFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Frozen "now" is Monday 2027-01-04 09:00 in Paris; Wednesday is well inside notice and horizon.
WED_10 = paris(2027, 1, 6, 10, 0)
WED_12 = paris(2027, 1, 6, 12, 0)


def book(machine, user, start=WED_10, end=WED_12, **kwargs):
    return booking_create(
        machine=machine, company=user.company, user=user, start=start, end=end, **kwargs
    )


def test_a_member_books_a_free_slot_and_gets_a_confirmed_booking(machine, member):
    # when
    booking = book(machine, member, note="Découpe de prototypes")

    # then
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.start, booking.end) == (WED_10, WED_12)
    assert booking.company == member.company
    assert booking.booked_by == member
    assert booking.price == Decimal("120.00")  # 2 h at 60 €/h
    assert booking.version == 1


def test_a_machine_requiring_approval_gets_a_pending_booking(member):
    machine = MachineFactory(requires_approval=True)

    booking = book(machine, member)

    assert booking.status == BookingStatus.PENDING


def test_an_operator_books_on_behalf_of_a_company(machine, operator, member):
    booking = booking_create(
        machine=machine, company=member.company, user=operator, start=WED_10, end=WED_12
    )

    assert booking.booked_by == operator
    assert booking.company == member.company


def test_naive_times_are_wall_clock_times_of_the_platform(machine, member):
    booking = book(machine, member, start=datetime(2027, 1, 6, 10), end=datetime(2027, 1, 6, 12))

    assert booking.start == WED_10


@pytest.mark.parametrize(
    ("machine_kwargs", "start", "end", "error"),
    [
        ({"active": False}, WED_10, WED_12, exc.MachineInactive),
        ({}, WED_12, WED_10, exc.InvalidRange),
        ({}, WED_10, WED_10, exc.InvalidRange),
        ({}, paris(2027, 1, 6, 10, 15), WED_12, exc.NotAligned),
        ({}, WED_10, paris(2027, 1, 6, 11, 45), exc.NotAligned),
        ({"slot_minutes": 60}, paris(2027, 1, 6, 10, 30), WED_12, exc.NotAligned),
        ({}, paris(2027, 1, 6, 10, 0, 30), WED_12, exc.NotAligned),
        ({"min_minutes": 60}, WED_10, paris(2027, 1, 6, 10, 30), exc.TooShort),
        ({"max_minutes": 90}, WED_10, WED_12, exc.TooLong),
        # Notice is 24 h from Monday 09:00: Tuesday 08:30 is too soon, Tuesday 09:00 is not.
        ({}, paris(2027, 1, 5, 8, 30), paris(2027, 1, 5, 9, 30), exc.TooSoon),
        ({}, paris(2026, 12, 31, 10), paris(2026, 12, 31, 11), exc.TooSoon),
        ({"max_advance_days": 30}, paris(2027, 2, 3, 10), paris(2027, 2, 3, 11), exc.TooFar),
        ({}, paris(2027, 1, 6, 7, 0), paris(2027, 1, 6, 9, 0), exc.OutsideOpeningHours),
        ({}, paris(2027, 1, 6, 17, 0), paris(2027, 1, 6, 19, 0), exc.OutsideOpeningHours),
    ],
)
def test_a_rule_violation_raises_its_code_and_writes_nothing(
    member, machine_kwargs, start, end, error
):
    machine = MachineFactory(**machine_kwargs)

    with pytest.raises(error) as raised:
        book(machine, member, start=start, end=end)

    assert raised.value.code == error.code
    assert raised.value.detail  # a human message, not an empty string
    assert not Booking.objects.exists()


def test_the_notice_boundary_itself_is_allowed(machine, member):
    booking = book(machine, member, start=paris(2027, 1, 5, 9), end=paris(2027, 1, 5, 10))

    assert booking.pk


def test_the_horizon_boundary_itself_is_allowed(member):
    machine = MachineFactory(max_advance_days=30)

    booking = book(machine, member, start=paris(2027, 2, 3, 9), end=paris(2027, 2, 3, 10))

    assert booking.pk


def test_a_user_outside_the_company_gets_not_member(machine, member):
    stranger = UserFactory()

    with pytest.raises(exc.NotMember):
        booking_create(
            machine=machine, company=member.company, user=stranger, start=WED_10, end=WED_12
        )

    assert not Booking.objects.exists()


def test_an_operator_of_another_platform_gets_not_member(machine, member):
    other_operator = UserFactory()
    PlatformFactory().operators.add(other_operator)

    with pytest.raises(exc.NotMember):
        booking_create(
            machine=machine, company=member.company, user=other_operator, start=WED_10, end=WED_12
        )


def test_an_inactive_platform_makes_its_machines_inactive(machine, member):
    machine.platform.active = False
    machine.platform.save()

    with pytest.raises(exc.MachineInactive):
        book(machine, member)


def test_a_range_across_the_lunch_break_is_outside_opening_hours(member):
    from datetime import time

    platform = PlatformFactory(
        hours=[(2, time(8), time(12)), (2, time(13), time(18))]  # Wednesdays only
    )
    machine = MachineFactory(platform=platform)

    with pytest.raises(exc.OutsideOpeningHours):
        book(machine, member, start=paris(2027, 1, 6, 11), end=paris(2027, 1, 6, 14))
    with pytest.raises(exc.OutsideOpeningHours):  # Thursday: closed all day
        book(machine, member, start=paris(2027, 1, 7, 9), end=paris(2027, 1, 7, 10))
    assert book(machine, member, start=paris(2027, 1, 6, 13), end=paris(2027, 1, 6, 18)).pk


def test_touching_opening_ranges_make_one_open_period(member):
    from datetime import time

    platform = PlatformFactory(hours=[(2, time(8), time(12)), (2, time(12), time(18))])
    machine = MachineFactory(platform=platform)

    assert book(machine, member, start=paris(2027, 1, 6, 11), end=paris(2027, 1, 6, 13)).pk


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        # not a member AND inactive machine: membership is checked first
        (WED_10, WED_12, exc.NotMember),
    ],
)
def test_membership_is_checked_before_the_machine(start, end, error):
    machine = MachineFactory(active=False)
    user = UserFactory()
    from tests.factories import CompanyFactory

    with pytest.raises(error):
        booking_create(machine=machine, company=CompanyFactory(), user=user, start=start, end=end)


def test_checks_run_in_the_documented_order(member):
    # Misaligned, too short, too soon and outside opening hours at once: alignment comes first.
    machine = MachineFactory(min_minutes=60)
    with pytest.raises(exc.NotAligned):
        book(machine, member, start=paris(2027, 1, 4, 6, 10), end=paris(2027, 1, 4, 6, 40))
    # Too short and too soon: length comes before notice.
    with pytest.raises(exc.TooShort):
        book(machine, member, start=paris(2027, 1, 4, 10), end=paris(2027, 1, 4, 10, 30))
    # Too soon and outside opening hours: notice comes before opening hours.
    with pytest.raises(exc.TooSoon):
        book(machine, member, start=paris(2027, 1, 4, 19), end=paris(2027, 1, 4, 20))


class TestOverlap:
    def test_adjacent_bookings_are_allowed(self, machine, member):
        book(machine, member, start=WED_10, end=WED_12)

        after = book(machine, member, start=WED_12, end=WED_12 + timedelta(hours=1))
        before = book(machine, member, start=WED_10 - timedelta(hours=1), end=WED_10)

        assert Booking.objects.count() == 3
        assert after.pk and before.pk

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (WED_10, WED_12),  # the same slot
            (paris(2027, 1, 6, 9), paris(2027, 1, 6, 10, 30)),  # overlaps the start
            (paris(2027, 1, 6, 11, 30), paris(2027, 1, 6, 13)),  # overlaps the end
            (paris(2027, 1, 6, 10, 30), paris(2027, 1, 6, 11)),  # inside
            (paris(2027, 1, 6, 9), paris(2027, 1, 6, 13)),  # around
        ],
    )
    def test_overlapping_bookings_are_refused(self, machine, member, start, end):
        first = book(machine, member)

        with pytest.raises(exc.SlotUnavailable) as raised:
            book(machine, member, start=start, end=end)

        assert raised.value.status == 409
        assert list(Booking.objects.values_list("pk", flat=True)) == [first.pk]

    def test_another_company_cannot_take_a_booked_slot(self, machine, member, make_member):
        book(machine, member)
        rival = make_member()

        with pytest.raises(exc.SlotUnavailable):
            book(machine, rival)

    def test_another_machine_is_independent(self, machine, member):
        other = MachineFactory(platform=machine.platform)
        book(machine, member)

        assert book(other, member).pk

    def test_the_buffer_keeps_bookings_apart(self, member):
        machine = MachineFactory(buffer_minutes=15)
        book(machine, member)

        with pytest.raises(exc.SlotUnavailable):
            book(machine, member, start=WED_12, end=WED_12 + timedelta(hours=1))
        with pytest.raises(exc.SlotUnavailable):
            book(machine, member, start=WED_10 - timedelta(hours=1), end=WED_10)
        assert book(machine, member, start=paris(2027, 1, 6, 12, 30), end=paris(2027, 1, 6, 13))
        assert Booking.objects.count() == 2

    def test_cancelled_and_rejected_bookings_free_their_slot(self, machine, member):
        for status in (BookingStatus.CANCELLED, BookingStatus.REJECTED):
            Booking.objects.create(
                machine=machine, company=member.company, start=WED_10, end=WED_12, status=status
            )

        assert book(machine, member).status == BookingStatus.CONFIRMED

    def test_a_pending_booking_holds_its_slot(self, member):
        machine = MachineFactory(requires_approval=True)
        book(machine, member)

        with pytest.raises(exc.SlotUnavailable):
            book(machine, member)
