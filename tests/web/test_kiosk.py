"""A platform's tablet in kiosk mode (issue 30, 2): an operator makes it (its address shown
once), the tablet opens it; a member identifies by their personal code or badge and starts,
then stops, their booking; wrong codes are bounded; a revoked kiosk, another platform's machine
and a stranger's code get nothing."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.kiosk import kiosk_badge, kiosk_code_new
from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from platforms.services import kiosk_create
from tests.conftest import paris
from tests.factories import MachineFactory

pytestmark = [pytest.mark.django_db]

START = paris(2027, 1, 11, 10)


@pytest.fixture
def booked(member: Any, machine: Any, operator: Any, frozen_now: Any) -> Booking:
    return booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=START,
        end=START + timedelta(hours=2),
    )


@pytest.fixture
def tablet(machine: Any, operator: Any) -> Client:
    _kiosk, key = kiosk_create(platform=machine.platform, user=operator, name="Entrée atelier")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert client.get(f"/kiosk/open/?key={key}")["Location"] == "/kiosk/"
    return client


def test_an_operator_makes_a_kiosk_and_the_tablet_opens_it(machine: Any, operator: Any) -> None:
    desk = Client(HTTP_ACCEPT_LANGUAGE="fr")
    desk.force_login(operator)
    url = f"/operator/platforms/{machine.platform_id}/settings/"

    desk.post(url, {"action": "kiosk_new", "name": "Entrée atelier"})
    page = desk.get(url).content.decode()
    link = re.search(r'value="(http[^"]+/kiosk/open/\?key=[^"]+)"', page).group(1)
    assert link not in desk.get(url).content.decode()  # shown once

    tablet = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert tablet.get("/kiosk/").status_code == 403
    opened = tablet.get(link.split("8000", 1)[-1].replace("http://127.0.0.1", ""))
    assert opened.status_code == 302 and opened.cookies["kiosk"]["httponly"]
    home = tablet.get("/kiosk/")
    assert home.status_code == 200 and machine.name in home.content.decode()

    kiosk = machine.platform.kiosks.get()
    desk.post(url, {"action": "kiosk_revoke", "kiosk": kiosk.pk})
    assert tablet.get("/kiosk/").status_code == 403


def test_a_member_starts_then_stops_with_their_code(
    tablet: Client, booked: Booking, member: Any, machine: Any
) -> None:
    code = kiosk_code_new(user=member)
    url = f"/kiosk/machines/{machine.pk}/"

    with time_machine.travel(START - timedelta(minutes=5), tick=False):
        started = tablet.post(url, {"code": code})
    with time_machine.travel(START + timedelta(minutes=90), tick=False):
        stopped = tablet.post(url, {"code": code})

    assert "Démarré" in started.content.decode()
    assert "votre utilisation est enregistrée" in stopped.content.decode()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.COMPLETED and booked.measured
    assert booked.actual_start == START - timedelta(minutes=5)
    # the tablet signed nobody in
    assert tablet.get("/profile/").status_code == 302


def test_the_badge_identifies_until_a_new_one_is_made(
    tablet: Client, booked: Booking, member: Any, machine: Any
) -> None:
    old = kiosk_badge(user=member)
    profile = Client(HTTP_ACCEPT_LANGUAGE="fr")
    profile.force_login(member)
    assert "<svg" in profile.get("/profile/badge/").content.decode()
    profile.post("/profile/badge/")
    member.refresh_from_db()
    url = f"/kiosk/machines/{machine.pk}/"

    with time_machine.travel(START, tick=False):
        refused = tablet.post(url, {"code": old})
        started = tablet.post(url, {"code": kiosk_badge(user=member)})

    assert refused.status_code == 422
    assert started.status_code == 200 and "Démarré" in started.content.decode()


def test_wrong_codes_are_bounded_and_strangers_get_nothing(
    tablet: Client, booked: Booking, member: Any, machine: Any, make_member: Any, settings: Any
) -> None:
    settings.KIOSK_TAPS_PER_MINUTE = 3
    stranger = make_member()
    url = f"/kiosk/machines/{machine.pk}/"
    with time_machine.travel(START, tick=False):
        no_booking = tablet.post(url, {"code": kiosk_code_new(user=stranger)})
        wrong = tablet.post(url, {"code": "000000"})
        tablet.post(url, {"code": "000001"})
        bounded = tablet.post(url, {"code": kiosk_code_new(user=member)})

    assert no_booking.status_code == 422 and "aucune réservation" in no_booking.content.decode()
    assert wrong.status_code == 422
    assert bounded.status_code == 429
    booked.refresh_from_db()
    assert booked.actual_start is None
    elsewhere = MachineFactory()
    assert tablet.get(f"/kiosk/machines/{elsewhere.pk}/").status_code == 404


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(code=st.one_of(st.text(max_size=400), st.sampled_from(["FLB1:", "FLB1:x:y", "1234567"])))
def test_anything_typed_at_the_kiosk_answers_a_page(
    tablet: Client, booked: Booking, machine: Any, code: str
) -> None:
    answer = tablet.post(f"/kiosk/machines/{machine.pk}/", {"code": code.replace("\x00", "")})

    assert answer.status_code in (422, 429)
    booked.refresh_from_db()
    assert booked.actual_start is None


def test_the_kiosk_page_reads_a_fixed_number_of_queries(tablet: Client, machine: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        tablet.get("/kiosk/")
    for _ in range(8):
        MachineFactory(platform=machine.platform)
    with CaptureQueriesContext(connection) as many:
        page = tablet.get("/kiosk/")

    assert page.content.decode().count("kiosk__machine") >= 9
    assert len(many.captured_queries) == len(few.captured_queries)
