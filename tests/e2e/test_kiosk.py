"""The platform's tablet in kiosk mode, in a browser (issue 30, 2): opened from the address an
operator made, it lists the machines; a member taps theirs, types their personal code, and
their booking starts. 1,280 and 390 px."""

from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts.kiosk import kiosk_code_new
from bookings.models import Booking
from bookings.services import booking_create
from platforms.services import kiosk_create
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_starts_their_booking_at_the_kiosk(
    open_page: Any, live_server: Any, width: int
) -> None:
    platform = PlatformFactory(name="Usine du Futur Lyon", city="Lyon")
    machine = MachineFactory(platform=platform, name="Découpe laser Trumpf", min_notice_hours=1)
    MachineFactory(platform=platform, name="Fraiseuse 5 axes DMG")
    operator = UserFactory(email="camille@usine-lyon.fr")
    platform.operators.add(operator)
    alice = MembershipFactory(user__email="alice@pme-dupont.fr", company__name="Mécanique Dupont")
    day = timezone.localtime(timezone.now(), platform.tz).date() + timedelta(days=2)
    start = datetime.combine(day, time(10), tzinfo=platform.tz)
    booking_create(
        machine=machine,
        company=alice.company,
        user=alice.user,
        start=start,
        end=start + timedelta(hours=2),
    )
    _kiosk, key = kiosk_create(platform=platform, user=operator, name="Entrée atelier")
    code = kiosk_code_new(user=alice.user)

    page, shot = open_page(width, "kiosk")
    with time_machine.travel(start - timedelta(minutes=5), tick=True):
        page.goto(f"{live_server.url}/kiosk/open/?key={key}")
        expect(page.get_by_role("heading", name="Usine du Futur Lyon")).to_be_visible()
        expect(page.get_by_role("link", name="Fraiseuse 5 axes DMG")).to_be_visible()
        shot("machines")
        page.get_by_role("link", name="Découpe laser Trumpf").click()
        page.get_by_label("Votre code personnel, ou scannez votre badge").fill(code)
        shot("code")
        page.get_by_role("button", name="Démarrer ou arrêter").click()
        expect(page.get_by_role("status")).to_contain_text("Démarré")
        shot("started")

    assert Booking.objects.get().actual_start is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.js_errors == []
