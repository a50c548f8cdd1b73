"""Training in a browser (issue 29): an operator schedules a session on a machine that needs a
qualification; an SME member, refused the machine, follows the machine page to the session and
enrols; the trainer records her present; she books the machine; at 1,280 and 390 px."""

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus, Enrolment, TrainingSession
from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_sme_enrols_in_a_session_then_books_the_machine(
    open_page: Any, live_server: Any, width: int
) -> None:
    platform = PlatformFactory(name="Usine du Futur Lyon", city="Lyon")
    machine = MachineFactory(
        platform=platform,
        name="Découpe laser Trumpf",
        requires_qualification=True,
        min_notice_hours=1,
    )
    operator = UserFactory(email="camille@usine-lyon.fr", display_name="Camille Martin")
    platform.operators.add(operator)
    alice = MembershipFactory(user__email="alice@pme-dupont.fr", company__name="Mécanique Dupont")
    day = timezone.localtime(timezone.now(), platform.tz).date() + timedelta(days=3)

    # The operator schedules an afternoon session on the machine.
    desk, desk_shot = open_page(width, "training-operator")
    sign_in(desk, live_server, "camille@usine-lyon.fr")
    desk.goto(f"{live_server.url}/operator/training/")
    desk_shot("schedule-form")
    desk.locator("#id_machine").select_option(str(machine.pk))
    desk.locator("#id_start").fill(f"{day.isoformat()}T14:00")
    desk.locator("#id_end").fill(f"{day.isoformat()}T17:00")
    desk.locator("#id_capacity").fill("4")
    desk.locator("#id_price").fill("120")
    desk.get_by_role("button", name="Programmer").click()
    expect(desk.get_by_role("status")).to_contain_text("Session programmée")
    assert desk.evaluate("document.documentElement.scrollWidth") <= width
    desk_shot("scheduled")
    session = TrainingSession.objects.get()

    # Alice may not book yet; the machine page leads her to the session.
    page, shot = open_page(width, "training-sme")
    sign_in(page, live_server, "alice@pme-dupont.fr")
    page.goto(f"{live_server.url}/machines/{machine.pk}/")
    expect(page.locator(".machine__book")).to_contain_text("La prochaine session de formation")
    shot("not-qualified")
    page.get_by_role("link", name="S’inscrire à une formation").click()
    expect(page.locator("#training")).to_contain_text("4 places libres")
    page.locator("#training").get_by_role("button", name="M’inscrire").click()
    expect(page.get_by_role("status")).to_contain_text("Place réservée")
    expect(page.locator("#training")).to_contain_text("Vous avez une place")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot("enrolled")
    assert any(m.to == ["alice@pme-dupont.fr"] and "Votre place" in m.subject for m in mail.outbox)

    # The session begins: the trainer records Alice present, which qualifies her.
    with time_machine.travel(session.start + timedelta(minutes=30), tick=True):
        desk.goto(f"{live_server.url}/operator/training/{session.pk}/")
        desk.get_by_role("button", name=re.compile("^Présent")).click()
        expect(desk.get_by_role("status")).to_contain_text("habilitation accordée")
        desk_shot("attendance")
        assert Enrolment.objects.get().attended is True

        # Now she books the machine, the next morning.
        slot = f"{(day + timedelta(days=1)).isoformat()}T10:00"
        page.goto(f"{live_server.url}/machines/{machine.pk}/book/?start={slot}")
        page.get_by_role("button", name="Réserver ce créneau").click()
        expect(page.get_by_role("status").filter(has_text="Réservation confirmée")).to_be_visible()
        shot("booked")

    booked = Booking.objects.get(company=alice.company)
    start = datetime.combine(day + timedelta(days=1), time(10), tzinfo=platform.tz)
    assert (booked.start, booked.status) == (start, BookingStatus.CONFIRMED)
    assert page.js_errors == [] and desk.js_errors == []
