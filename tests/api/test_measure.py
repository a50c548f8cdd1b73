"""Start and stop at the machine through the API: POST /bookings/<id>/start/ and /stop/."""

import pytest
import time_machine

from bookings.services import booking_approve
from tests.conftest import paris

pytestmark = [pytest.mark.django_db]


def test_the_company_starts_and_stops_its_booking(world, api_as):
    url = f"/api/v1/bookings/{world.booking.pk}/"
    client = api_as("member_a")
    pending = client.post(url + "start/")
    booking_approve(booking=world.booking, user=world.users["operator"])

    early = client.post(url + "start/")
    with time_machine.travel(paris(2027, 1, 6, 9, 50), tick=False):
        stranger = api_as("member_b").post(url + "start/")
        started = client.post(url + "start/")
        again = client.post(url + "start/")
    with time_machine.travel(paris(2027, 1, 6, 11, 20), tick=False):
        stopped = client.post(url + "stop/")

    assert (pending.status_code, pending.json()["code"]) == (409, "not_confirmed")
    assert (early.status_code, early.json()["code"]) == (400, "start_too_early")
    assert stranger.status_code == 404
    assert started.status_code == 200 and started.json()["measured"] is True
    assert started.json()["actual_start"] == "2027-01-06T09:50:00+01:00"
    assert (again.status_code, again.json()["code"]) == (409, "usage_already_started")
    assert stopped.status_code == 200, stopped.content
    body = stopped.json()
    assert (body["status"], body["actual_end"]) == ("completed", "2027-01-06T11:20:00+01:00")


def test_stopping_what_never_started_is_refused(world, api_as):
    booking_approve(booking=world.booking, user=world.users["operator"])
    with time_machine.travel(paris(2027, 1, 6, 10, 5), tick=False):
        answer = api_as("operator").post(f"/api/v1/bookings/{world.booking.pk}/stop/")

    assert (answer.status_code, answer.json()["code"]) == (409, "usage_not_started")
