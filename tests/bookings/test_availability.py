from datetime import time, timedelta

import pytest

from bookings.models import Booking, BookingStatus
from bookings.selectors import machine_availability
from tests.conftest import paris
from tests.factories import MachineFactory, PlatformFactory

pytestmark = [pytest.mark.django_db]


def test_free_time_is_opening_hours_minus_bookings_and_their_buffer(member):
    # given: open 08:00–12:00 and 13:00–18:00 on Wednesdays, a 15-minute buffer
    platform = PlatformFactory(hours=[(2, time(8), time(12)), (2, time(13), time(18))])
    machine = MachineFactory(platform=platform, buffer_minutes=15)
    booking = Booking.objects.create(
        machine=machine,
        company=member.company,
        start=paris(2027, 1, 6, 9),
        end=paris(2027, 1, 6, 10),
    )
    Booking.objects.create(  # cancelled: frees its time
        machine=machine,
        company=member.company,
        start=paris(2027, 1, 6, 14),
        end=paris(2027, 1, 6, 15),
        status=BookingStatus.CANCELLED,
    )

    # when: the whole Wednesday
    availability = machine_availability(
        machine=machine, start=paris(2027, 1, 6, 0), end=paris(2027, 1, 7, 0)
    )

    # then
    assert availability.free == [
        (paris(2027, 1, 6, 8), paris(2027, 1, 6, 8, 45)),
        (paris(2027, 1, 6, 10, 15), paris(2027, 1, 6, 12)),
        (paris(2027, 1, 6, 13), paris(2027, 1, 6, 18)),
    ]
    assert [(b.start, b.end, b.booking_id) for b in availability.busy] == [
        (paris(2027, 1, 6, 9), paris(2027, 1, 6, 10), booking.pk)
    ]


def test_the_window_clips_free_time(machine):
    availability = machine_availability(
        machine=machine, start=paris(2027, 1, 6, 10, 30), end=paris(2027, 1, 6, 11)
    )

    assert availability.free == [(paris(2027, 1, 6, 10, 30), paris(2027, 1, 6, 11))]


def test_a_round_the_clock_platform_has_one_free_period_over_midnight():
    platform = PlatformFactory(hours=[(day, time(0), time(0)) for day in range(7)])
    machine = MachineFactory(platform=platform)

    availability = machine_availability(
        machine=machine, start=paris(2027, 1, 6, 20), end=paris(2027, 1, 7, 4)
    )

    assert availability.free == [(paris(2027, 1, 6, 20), paris(2027, 1, 7, 4))]


def test_availability_runs_three_queries_whatever_the_number_of_bookings(
    machine, member, django_assert_num_queries
):
    def count_queries_with(bookings, first_day):
        Booking.objects.bulk_create(
            Booking(
                machine=machine,
                company=member.company,
                start=paris(2027, 1, 4, 8) + timedelta(days=day, hours=hour),
                end=paris(2027, 1, 4, 8, 30) + timedelta(days=day, hours=hour),
            )
            for day in range(first_day, first_day + bookings // 5)
            for hour in range(5)
        )
        fresh = type(machine).objects.select_related("platform").get(pk=machine.pk)
        with django_assert_num_queries(3):  # opening hours, bookings, closures
            availability = machine_availability(
                machine=fresh, start=paris(2027, 1, 4), end=paris(2027, 2, 1)
            )
        return availability

    assert len(count_queries_with(5, first_day=0).busy) == 5
    assert len(count_queries_with(100, first_day=1).busy) == 105
