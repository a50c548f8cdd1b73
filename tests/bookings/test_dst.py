"""Europe/Paris changes time on 2027-03-28 (02:00 → 03:00) and 2027-10-31 (03:00 → 02:00).
Opening hours are wall-clock times: 08:00 stays 08:00, whatever UTC says."""

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
import time_machine

from bookings import exceptions as exc
from bookings.models import Booking
from bookings.selectors import machine_availability
from bookings.services import booking_create
from tests.conftest import paris
from tests.factories import MachineFactory, PlatformFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _mid_march():
    with time_machine.travel(paris(2027, 3, 1, 9), tick=False):
        yield


@pytest.fixture
def machine():
    return MachineFactory(max_advance_days=365)


def book(machine, member, start, end):
    return booking_create(
        machine=machine, company=member.company, user=member, start=start, end=end
    )


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ((2027, 3, 27), 7),  # Saturday, winter time: UTC+1
        ((2027, 3, 28), 6),  # Sunday, summer time from 02:00: UTC+2
        ((2027, 3, 29), 6),
        ((2027, 10, 30), 6),  # last day of summer time
        ((2027, 10, 31), 7),  # winter time again from 03:00
    ],
)
def test_opening_at_eight_stays_eight_local_across_the_change(machine, member, day, utc_hour):
    booking = book(machine, member, datetime(*day, 8, 0), datetime(*day, 10, 0))

    booking.refresh_from_db()
    assert booking.start == datetime(*day, utc_hour, 0, tzinfo=UTC)
    with pytest.raises(exc.OutsideOpeningHours):
        book(machine, member, datetime(*day, 7, 0), datetime(*day, 8, 0))


def test_half_past_two_on_the_spring_change_does_not_exist(machine, member):
    with pytest.raises(exc.InvalidLocalTime) as raised:
        book(machine, member, datetime(2027, 3, 28, 2, 30), datetime(2027, 3, 28, 4, 0))

    assert raised.value.code == "invalid_local_time"
    assert "2027-03-28 02:30" in raised.value.detail
    assert not Booking.objects.exists()


def test_half_past_two_on_the_autumn_change_is_ambiguous(machine, member):
    with pytest.raises(exc.InvalidLocalTime):
        book(machine, member, datetime(2027, 10, 31, 1, 0), datetime(2027, 10, 31, 2, 30))


def test_a_night_booking_over_the_autumn_change_lasts_and_costs_its_real_hours(member):
    platform = PlatformFactory(hours=[(day, time(0), time(0)) for day in range(7)])
    machine = MachineFactory(platform=platform, max_advance_days=365, max_minutes=600)

    booking = book(machine, member, datetime(2027, 10, 31, 0, 0), datetime(2027, 10, 31, 6, 0))

    booking.refresh_from_db()
    assert booking.start == datetime(2027, 10, 30, 22, tzinfo=UTC)
    assert booking.end == datetime(2027, 10, 31, 5, tzinfo=UTC)
    assert booking.price == Decimal("420.00")  # 7 real hours at 60 €/h


def test_slots_align_on_local_midnight_after_the_spring_change(member):
    platform = PlatformFactory(hours=[(day, time(0), time(0)) for day in range(7)])
    machine = MachineFactory(platform=platform, max_advance_days=365, slot_minutes=60)

    booking = book(machine, member, datetime(2027, 3, 28, 3, 0), datetime(2027, 3, 28, 5, 0))

    assert booking.start == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    with pytest.raises(exc.NotAligned):  # 03:30 local is not on a 60-minute slot
        book(machine, member, paris(2027, 3, 28, 5, 30), paris(2027, 3, 28, 7, 0))


def test_availability_on_the_autumn_change_keeps_local_opening_hours(machine):
    availability = machine_availability(
        machine=machine, start=paris(2027, 10, 31, 0), end=paris(2027, 11, 1, 0)
    )

    assert availability.free == [
        (datetime(2027, 10, 31, 7, tzinfo=UTC), datetime(2027, 10, 31, 17, tzinfo=UTC))
    ]
