"""A booking waits a bounded time for the machine's lock, then answers 503 ``busy`` with
Retry-After; a lock failure or a deadlock is never reported as ``slot_unavailable``."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import token_create
from bookings.models import Booking
from bookings.services import booking_create
from core.exceptions import Busy
from platforms.models import Machine
from tests.factories import MachineFactory, MembershipFactory


def _slot() -> tuple[datetime, datetime]:
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(datetime.combine(day, time(10, 0)))
    return start, start + timedelta(hours=2)


@pytest.mark.django_db
def test_connections_carry_the_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "3s"


@pytest.mark.django_db(transaction=True)
def test_a_booking_that_waits_too_long_for_the_machine_answers_503_busy():
    # given: another transaction holds the machine's lock and keeps it
    machine = MachineFactory()
    membership = MembershipFactory()
    start, end = _slot()
    locked, release = threading.Event(), threading.Event()

    def hold_the_machine() -> None:
        try:
            with transaction.atomic():
                Machine.objects.select_for_update().get(pk=machine.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_machine)
    holder.start()
    assert locked.wait(timeout=10)
    _, raw = token_create(user=membership.user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")  # the test need not wait 3 s

    # when
    try:
        response = client.post(
            "/api/v1/bookings/",
            {"machine": machine.pk, "start": start.isoformat(), "end": end.isoformat()},
            format="json",
        )
    finally:
        release.set()
        holder.join(timeout=30)

    # then
    assert (response.status_code, response.json()["code"]) == (503, "busy")
    assert response["Retry-After"] == "2"
    assert not Booking.objects.exists()


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "sqlstate", ["55P03", "40P01", "40001"], ids=["lock timeout", "deadlock", "serialization"]
)
@pytest.mark.django_db
def test_lock_failures_and_deadlocks_are_busy_not_slot_unavailable(monkeypatch, sqlstate):
    from bookings.services import create

    machine = MachineFactory()
    membership = MembershipFactory()
    start, end = _slot()

    def fail(*args, **kwargs):
        error = OperationalError("could not obtain lock")
        error.__cause__ = _PgError(sqlstate)
        raise error

    monkeypatch.setattr(create, "lock_machine", fail)

    with pytest.raises(Busy):
        booking_create(
            machine=machine,
            company=membership.company,
            user=membership.user,
            start=start,
            end=end,
        )
