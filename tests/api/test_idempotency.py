"""Safe retries: the same Idempotency-Key with the same body replays the first answer and
creates nothing; with another body it is refused; concurrent twins make one booking."""

import threading
import uuid
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import IdempotencyKey
from accounts.services import idempotency_keys_purge, token_create
from bookings.models import Booking
from platforms.models import Qualification
from tests.factories import MachineFactory, MembershipFactory

pytestmark = [pytest.mark.django_db]

SLOT = {"start": "2027-01-07T10:00:00", "end": "2027-01-07T11:00:00"}


def book(client, machine, key, **body):
    return client.post(
        "/api/v1/bookings/",
        {"machine": machine.pk, **SLOT, **body},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retried_booking_replays_the_first_answer_and_books_once(world, api_as):
    client = api_as("member_a")
    key = str(uuid.uuid4())
    before = Booking.objects.count()

    first = book(client, world.machine, key)
    retry = book(client, world.machine, key)

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == before + 1


def test_without_a_key_a_retry_is_refused_as_before(world, api_as):
    client = api_as("member_a")

    client.post("/api/v1/bookings/", {"machine": world.machine.pk, **SLOT}, format="json")
    again = client.post("/api/v1/bookings/", {"machine": world.machine.pk, **SLOT}, format="json")

    assert (again.status_code, again.json()["code"]) == (409, "slot_unavailable")


def test_the_same_key_with_another_body_is_422_and_creates_nothing(world, api_as):
    client = api_as("member_a")
    key = "order-42"
    book(client, world.machine, key)
    count = Booking.objects.count()

    other = book(client, world.machine, key, start="2027-01-08T10:00:00", end="2027-01-08T11:00:00")

    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Booking.objects.count() == count


def test_keys_belong_to_their_user(world, api_as):
    key = "shared-key"
    mine = book(api_as("member_a"), world.machine, key)
    theirs = book(
        api_as("member_b"),
        world.machine,
        key,
        start="2027-01-08T10:00:00",
        end="2027-01-08T11:00:00",
    )

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs


def test_a_refusal_is_replayed_too_and_a_transient_answer_is_not(world, api_as, monkeypatch):
    client = api_as("member_a")
    refused = book(
        client, world.machine, "k-refused", start="2027-01-06T11:00:00", end="2027-01-06T12:00:00"
    )
    replayed = book(
        client, world.machine, "k-refused", start="2027-01-06T11:00:00", end="2027-01-06T12:00:00"
    )
    assert refused.status_code == replayed.status_code == 409
    assert replayed["Idempotent-Replayed"] == "true"

    from bookings.services import create
    from core.exceptions import Busy

    def busy(*args, **kwargs):
        raise Busy()

    monkeypatch.setattr(create, "lock_machine", busy)
    assert book(client, world.machine, "k-busy").status_code == 503
    monkeypatch.undo()
    assert book(client, world.machine, "k-busy").status_code == 201


def test_series_and_qualification_requests_are_idempotent(world, api_as):
    client = api_as("member_b")
    series = {
        "machine": world.other_machine.pk,
        "start": "2027-01-11T10:00:00",
        "end": "2027-01-11T11:00:00",
        "frequency": "weekly",
        "count": 3,
    }
    first = client.post(
        "/api/v1/bookings/series/", series, format="json", HTTP_IDEMPOTENCY_KEY="s1"
    )
    again = client.post(
        "/api/v1/bookings/series/", series, format="json", HTTP_IDEMPOTENCY_KEY="s1"
    )
    url = f"/api/v1/machines/{world.other_machine.pk}/qualification/"
    asked = client.post(url, {"note": "CACES"}, format="json", HTTP_IDEMPOTENCY_KEY="q1")
    asked_again = client.post(url, {"note": "CACES"}, format="json", HTTP_IDEMPOTENCY_KEY="q1")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert Booking.objects.filter(machine=world.other_machine).count() == 3
    assert asked.status_code == asked_again.status_code == 201
    assert asked_again["Idempotent-Replayed"] == "true"
    assert Qualification.objects.filter(machine=world.other_machine).count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "café", "a\tb"])
def test_a_malformed_key_is_400(world, api_as, key):
    response = book(api_as("member_a"), world.machine, key)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")
    assert Booking.objects.count() == 1  # the world's own


def test_keys_expire_after_24_hours(world, api_as, frozen_now):
    client = api_as("member_a")
    book(client, world.machine, "k-old")

    with time_machine.travel(frozen_now + timedelta(hours=25), tick=False):
        assert idempotency_keys_purge() == 1
        # Reused a day later, the key is a new request (this slot is taken now: 409).
        again = book(client, world.machine, "k-old")
    assert again.status_code == 409
    assert "Idempotent-Replayed" not in again
    assert IdempotencyKey.objects.count() == 1


def test_the_key_is_documented_in_the_schema(world, api_as):
    schema = api_as("anonymous").get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/bookings/"]["post"]

    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    assert "422" in operation["responses"]


def _slot() -> tuple[str, str]:
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(datetime.combine(day, time(10, 0)))
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_booking_and_get_one_answer():
    # given
    machine = MachineFactory()
    membership = MembershipFactory()
    _, raw = token_create(user=membership.user, name="tests")
    start, end = _slot()
    body = {"machine": machine.pk, "start": start, "end": end}
    twins = 8
    barrier = threading.Barrier(twins)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="twin"
            )
            with lock:
                answers.append((response.status_code, response.content))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=send) for _ in range(twins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert len(answers) == twins
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    assert Booking.objects.filter(machine=machine).count() == 1
