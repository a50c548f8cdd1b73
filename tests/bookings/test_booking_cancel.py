import pytest
import time_machine

from bookings import exceptions as exc
from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, booking_create
from tests.conftest import paris
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

START = paris(2027, 1, 8, 10, 0)  # Friday
END = paris(2027, 1, 8, 12, 0)


@pytest.fixture
def booking(machine, member):
    with time_machine.travel(paris(2027, 1, 4, 9, 0), tick=False):
        return booking_create(
            machine=machine, company=member.company, user=member, start=START, end=END
        )


def cancel_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return booking_cancel(**kwargs)


def test_a_member_cancels_ahead_of_the_notice_without_penalty(booking, member):
    # when: 48 h before, the notice being 24 h
    cancelled = cancel_at(
        paris(2027, 1, 6, 10), booking=booking, user=member, reason="Projet reporté"
    )

    # then
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.late_cancellation is False
    assert booking.cancelled_by == member
    assert booking.cancellation_reason == "Projet reporté"
    assert booking.cancelled_at == paris(2027, 1, 6, 10)
    assert booking.version == 2 == cancelled.version


def test_a_member_cancelling_inside_the_notice_is_flagged_late(booking, member):
    cancel_at(paris(2027, 1, 7, 18), booking=booking, user=member)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.late_cancellation is True


def test_a_member_cannot_cancel_a_started_booking(booking, member):
    with pytest.raises(exc.AlreadyStarted):
        cancel_at(paris(2027, 1, 8, 10, 30), booking=booking, user=member)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.version == 1


def test_an_operator_cancels_at_any_time_and_is_never_late(booking, operator):
    cancel_at(paris(2027, 1, 8, 10, 30), booking=booking, user=operator, reason="Panne laser")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.late_cancellation is False


def test_someone_from_another_company_cannot_cancel(booking, make_member):
    with pytest.raises(exc.NotAllowed):
        cancel_at(paris(2027, 1, 5, 10), booking=booking, user=make_member())
    with pytest.raises(exc.NotAllowed):
        cancel_at(paris(2027, 1, 5, 10), booking=booking, user=UserFactory())

    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_a_cancelled_booking_cannot_be_cancelled_again(booking, member):
    cancel_at(paris(2027, 1, 5, 10), booking=booking, user=member)

    with pytest.raises(exc.NotCancellable):
        cancel_at(paris(2027, 1, 5, 11), booking=booking, user=member)

    assert Booking.objects.get().version == 2


def test_a_cancelled_slot_can_be_booked_again(booking, member, make_member):
    cancel_at(paris(2027, 1, 5, 10), booking=booking, user=member)
    rival = make_member()

    with time_machine.travel(paris(2027, 1, 5, 11), tick=False):
        again = booking_create(
            machine=booking.machine, company=rival.company, user=rival, start=START, end=END
        )

    assert again.status == BookingStatus.CONFIRMED
