"""Every endpoint that changes a booking answers with the booking as it is after the change,
the same as a fresh GET of it."""

import pytest
import time_machine

from tests.conftest import paris

pytestmark = [pytest.mark.django_db]


def act(client, booking, action, body=None):
    return client.post(f"/api/v1/bookings/{booking.pk}/{action}/", body or {}, format="json")


def assert_fresh(client, response, booking):
    assert response.status_code == 200, response.json()
    assert response.json() == client.get(f"/api/v1/bookings/{booking.pk}/").json()
    return response.json()


def test_cancel_answers_the_cancelled_booking(world, api_as):
    client = api_as("member_a")

    body = assert_fresh(
        client, act(client, world.booking, "cancel", {"reason": "Plus besoin"}), world.booking
    )

    assert body["status"] == "cancelled"
    assert body["cancelled_at"] is not None
    assert body["cancellation_reason"] == "Plus besoin"
    assert body["version"] == 2


def test_reject_answers_the_rejected_booking(world, api_as):
    client = api_as("operator")

    body = assert_fresh(
        client, act(client, world.booking, "reject", {"reason": "Maintenance"}), world.booking
    )

    assert (body["status"], body["rejection_reason"], body["version"]) == (
        "rejected",
        "Maintenance",
        2,
    )


def test_approve_answers_the_confirmed_booking(world, api_as):
    client = api_as("operator")

    body = assert_fresh(client, act(client, world.booking, "approve"), world.booking)

    assert (body["status"], body["version"]) == ("confirmed", 2)


def test_move_answers_the_booking_at_its_new_time(world, api_as):
    client = api_as("member_a")
    body = {"start": "2027-01-08T10:00:00", "end": "2027-01-08T11:00:00"}

    answer = assert_fresh(client, act(client, world.booking, "move", body), world.booking)

    assert (answer["start"], answer["end"], answer["price"], answer["version"]) == (
        "2027-01-08T10:00:00+01:00",
        "2027-01-08T11:00:00+01:00",
        "60.00",
        2,
    )


def test_usage_answers_the_completed_booking(world, api_as):
    operator = api_as("operator")
    act(operator, world.booking, "approve")
    body = {"actual_start": "2027-01-06T10:05:00", "actual_end": "2027-01-06T11:40:00"}

    with time_machine.travel(paris(2027, 1, 6, 18), tick=False):
        answer = assert_fresh(operator, act(operator, world.booking, "usage", body), world.booking)

    assert (answer["status"], answer["actual_start"], answer["actual_end"]) == (
        "completed",
        "2027-01-06T10:05:00+01:00",
        "2027-01-06T11:40:00+01:00",
    )
    assert answer["version"] == 3
