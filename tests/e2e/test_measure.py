"""Usage measured at the machine in a browser (issue 30, 2): the operator prints the machine's
QR code; the member opens the address it holds on a phone, taps Start, then Stop; the booking
shows its measured usage. At 1,280 and 390 px."""

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_starts_and_stops_from_the_machines_qr_code(
    open_page: Any, live_server: Any, width: int
) -> None:
    platform = PlatformFactory(name="Usine du Futur Lyon", city="Lyon")
    machine = MachineFactory(platform=platform, name="Découpe laser Trumpf", min_notice_hours=1)
    operator = UserFactory(email="camille@usine-lyon.fr")
    platform.operators.add(operator)
    alice = MembershipFactory(user__email="alice@pme-dupont.fr", company__name="Mécanique Dupont")
    day = timezone.localtime(timezone.now(), platform.tz).date() + timedelta(days=2)
    start = datetime.combine(day, time(10), tzinfo=platform.tz)
    booked = booking_create(
        machine=machine,
        company=alice.company,
        user=alice.user,
        start=start,
        end=start + timedelta(hours=2),
    )

    desk, desk_shot = open_page(width, "measure-operator")
    sign_in(desk, live_server, "camille@usine-lyon.fr")
    desk.goto(f"{live_server.url}/operator/machines/{machine.pk}/")
    desk.get_by_role("link", name="QR code à coller sur la machine").click()
    expect(desk.locator(".qr-sheet svg")).to_be_visible()
    desk_shot("qr-sheet")
    held = desk.locator(".qr-sheet__url").inner_text()
    assert re.search(rf"/machines/{machine.pk}/use/$", held)

    page, shot = open_page(width, "measure-member")
    sign_in(page, live_server, "alice@pme-dupont.fr")
    with time_machine.travel(start - timedelta(minutes=5), tick=True):
        page.goto(live_server.url + "/" + held.split("/", 3)[3])
        shot("before")
        page.get_by_role("button", name="Démarrer").click()
        expect(page.get_by_role("status")).to_contain_text("Démarré")
        shot("started")
    with time_machine.travel(start + timedelta(minutes=50), tick=True):
        page.get_by_role("button", name="Arrêter").click()
        expect(page.get_by_role("status")).to_contain_text("votre utilisation est enregistrée")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot("stopped")

    booked.refresh_from_db()
    assert booked.status == BookingStatus.COMPLETED and booked.measured
    assert booked.actual_start == start - timedelta(minutes=5)
    assert page.js_errors == [] and desk.js_errors == []
    assert Booking.objects.count() == 1
