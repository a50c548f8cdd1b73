"""The page a machine's QR code opens (start, then stop, the booking under way) and the sheet
an operator prints."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from bookings.models import BookingStatus
from bookings.services import booking_create
from tests.conftest import paris

pytestmark = pytest.mark.django_db

START, END = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)


@pytest.fixture
def booking(machine: Any, member: Any, frozen_now: Any) -> Any:
    return booking_create(
        machine=machine, company=member.company, user=member, start=START, end=END
    )


def test_a_member_taps_start_then_stop(booking: Any, machine: Any, member: Any) -> None:
    client = Client()
    client.force_login(member)
    url = f"/machines/{machine.pk}/use/"

    with time_machine.travel(START - timedelta(minutes=5), tick=False):
        page = client.get(url).content.decode()
        assert "Démarrer" in page and "10:00–12:00" in page
        started = client.post(url, {"action": "start"}, follow=True)
        assert "Arrêter" in started.content.decode()
    with time_machine.travel(START + timedelta(minutes=50), tick=False):
        client.post(url, {"action": "stop"})

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED and booking.measured


def test_nothing_to_tap_for_another_company(booking: Any, machine: Any, make_member: Any) -> None:
    client = Client()
    client.force_login(make_member())

    with time_machine.travel(START, tick=False):
        page = client.get(f"/machines/{machine.pk}/use/").content.decode()
        client.post(f"/machines/{machine.pk}/use/", {"action": "start"})

    assert "Aucune réservation de votre entreprise" in page
    booking.refresh_from_db()
    assert booking.actual_start is None


def test_the_operator_prints_the_machines_qr_code(machine: Any, operator: Any) -> None:
    client = Client()
    client.force_login(operator)

    page = client.get(f"/operator/machines/{machine.pk}/qr/").content.decode()

    assert "<svg" in page and f"/machines/{machine.pk}/use/" in page
    assert machine.name in page and "data-print" in page
