"""Usage measured at the machine: start and stop by a member (or an operator), when each is
allowed, the booking completed and billed as used, and a declared usage no longer measured."""

from datetime import timedelta

import pytest
import time_machine

from billing.models import BillableLine, LineKind, PlatformBilling
from bookings import exceptions as exc
from bookings.models import BookingStatus
from bookings.selectors.measure import booking_to_measure
from bookings.services import (
    booking_create,
    usage_measure_start,
    usage_measure_stop,
    usage_record,
)
from tests.conftest import paris

pytestmark = [pytest.mark.django_db]

START, END = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)


@pytest.fixture
def booking(machine, member, frozen_now):
    return booking_create(
        machine=machine, company=member.company, user=member, start=START, end=END
    )


def test_start_then_stop_records_the_measured_usage(booking, member, machine):
    PlatformBilling.objects.create(platform=machine.platform, bills_used_time=True)
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        assert booking_to_measure(machine=machine, user=member) == booking
        started = usage_measure_start(booking=booking, user=member)
    assert started.actual_start == START - timedelta(minutes=10) and started.measured
    with time_machine.travel(START + timedelta(minutes=35), tick=False):
        assert booking_to_measure(machine=machine, user=member) == booking
        stopped = usage_measure_stop(booking=booking, user=member)

    assert stopped.status == BookingStatus.COMPLETED
    assert stopped.actual_end == START + timedelta(minutes=35)
    # Billed as used: 45 minutes rounded up to the 30-minute slot, an hour at 60 €.
    time_line = BillableLine.objects.get(booking=booking, kind=LineKind.TIME)
    assert time_line.total_ht == 60


def test_an_overrun_is_stopped_after_the_booked_end(booking, member):
    with time_machine.travel(START, tick=False):
        usage_measure_start(booking=booking, user=member)
    with time_machine.travel(END + timedelta(minutes=40), tick=False):
        stopped = usage_measure_stop(booking=booking, user=member)

    assert stopped.actual_end == END + timedelta(minutes=40)


@pytest.mark.parametrize(
    ("moment", "error"),
    [
        (START - timedelta(minutes=16), exc.StartTooEarly),
        (END, exc.NotAllowed),
    ],
    ids=["too-early", "after-the-end"],
)
def test_start_only_around_the_booking(booking, member, moment, error):
    with time_machine.travel(moment, tick=False), pytest.raises(error):
        usage_measure_start(booking=booking, user=member)

    booking.refresh_from_db()
    assert booking.actual_start is None


def test_one_start_one_stop_and_only_for_the_company_or_its_operator(
    booking, member, make_member, operator
):
    with time_machine.travel(START, tick=False):
        with pytest.raises(exc.NotStarted):
            usage_measure_stop(booking=booking, user=member)
        with pytest.raises(exc.NotAllowed):
            usage_measure_start(booking=booking, user=make_member())
        usage_measure_start(booking=booking, user=operator)
        with pytest.raises(exc.UsageAlreadyStarted):
            usage_measure_start(booking=booking, user=member)


def test_usage_typed_in_after_is_declared_not_measured(booking, member, operator):
    with time_machine.travel(START, tick=False):
        usage_measure_start(booking=booking, user=member)
    with time_machine.travel(END, tick=False):
        usage_measure_stop(booking=booking, user=member)
        corrected = usage_record(booking=booking, user=operator, actual_start=START, actual_end=END)

    assert corrected.measured is False
