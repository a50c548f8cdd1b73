"""What one booking request costs the database, counted (never timed): every statement is a
round trip on the path the SMEs wait on (docs/PERFORMANCE.md)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from notifications.models import Message

pytestmark = [pytest.mark.django_db]


def _book(client, world, hour):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/bookings/",
            {
                "machine": world.other_machine.pk,
                "start": f"2027-01-07T{hour:02d}:00:00",
                "end": f"2027-01-07T{hour + 1:02d}:00:00",
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
    assert response.status_code == 201, response.json()
    return response, [" ".join(q["sql"].split()[:3]) for q in queries.captured_queries]


def test_a_member_books_with_a_key_in_a_fixed_number_of_statements(world, api_as):
    client = api_as("member_b")
    _book(client, world, 9)  # the token's first use is recorded once a minute: not counted

    response, statements = _book(client, world, 10)

    # The confirmation is in the outbox, written in the booking's transaction.
    assert Message.objects.filter(booking_id=response.json()["id"]).exists()
    # token; the request's transaction (a savepoint inside the test's own); the member's only
    # company; machine locked with its platform, the company, the membership and the company's
    # members (who hears of it is among them); the rules' one query with the booking and its
    # audit entry (on SQLite: the query, the booking, the entry); the outbox rows; the answer
    # kept under the key; the end of the transaction.
    assert len(statements) == (8 if connection.vendor == "postgresql" else 10), statements
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 1, statements
    assert Booking.objects.filter(pk=response.json()["id"]).exists()


def test_the_answer_is_what_drfs_own_serializer_would_write(world, api_as):
    from rest_framework import serializers

    from bookings.api.bookings import BookingSerializer

    response, _ = _book(api_as("member_b"), world, 11)
    booking = Booking.objects.select_related("machine", "company").get(pk=response.json()["id"])
    Booking.objects.filter(pk=booking.pk).update(note="<script>alert(1)</script>")
    booking.refresh_from_db()

    shared = BookingSerializer(booking).data
    fresh = serializers.Serializer.to_representation(BookingSerializer(booking), booking)

    assert shared == fresh
    assert response.json() == {**fresh, "note": ""}
    assert BookingSerializer([booking, booking], many=True).data == [fresh, fresh]
