"""Who a booking waiting for approval tells — its contacts and the platform's operators — in a
fixed number of queries however many there are."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, BookingStatus
from notifications.selectors import booking_contacts, booking_contacts_and_operators
from tests.conftest import paris
from tests.factories import UserFactory


def _booking(world, **fields):
    values = {
        "machine": world.machine,
        "company": world.company,
        "booked_by": world.member,
        "start": paris(2027, 1, 6, 10),
        "end": paris(2027, 1, 6, 11),
        "status": BookingStatus.PENDING,
        **fields,
    }
    return Booking.objects.create(**values)


def test_contacts_and_operators_in_email_order_without_the_actor(world):
    second = UserFactory(email="aaa-second@usinage-lyon.example.fr")
    away = UserFactory(email="away@usinage-lyon.example.fr", is_active=False)
    world.platform.operators.add(second, away)
    booking = Booking.objects.select_related("machine").get(pk=_booking(world).pk)

    with CaptureQueriesContext(connection) as queries:
        contacts, operators = booking_contacts_and_operators(booking=booking, exclude=None)

    assert len(queries) == 2  # the members, the operators: however many there are
    assert contacts == booking_contacts(booking=booking) == [world.member]
    assert operators == [second, world.operator]  # by e-mail; the inactive one is not told
    # The operator who acts is not told of their own act; nor is anyone when none is named.
    _, operators = booking_contacts_and_operators(booking=booking, exclude=world.operator)
    assert operators == [second]


def test_an_operator_booking_for_the_company_tells_its_admins(world):
    booking = _booking(world, booked_by=world.operator)

    contacts, operators = booking_contacts_and_operators(booking=booking, exclude=world.operator)

    assert contacts == [world.admin]
    assert operators == []


def test_an_internal_booking_has_no_contacts_but_its_operators(world):
    booking = _booking(world, company=None, booked_by=world.operator, kind="internal")

    contacts, operators = booking_contacts_and_operators(booking=booking, exclude=None)

    assert contacts == []
    assert operators == [world.operator]
