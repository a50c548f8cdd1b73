"""A waiting list in a browser (issue 29): an SME finds its slot taken and asks to be told if it
frees up; the company holding it cancels; the e-mail's link opens the booking form on that slot
and the SME books it; at 1,280 and 390 px."""

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus, WaitingEntry
from bookings.services import booking_create
from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_sme_waits_for_a_taken_slot_and_books_it_from_the_email(
    open_page: Any, live_server: Any, width: int
) -> None:
    platform = PlatformFactory(name="Usine du Futur Lyon", city="Lyon")
    machine = MachineFactory(platform=platform, name="Fraiseuse 5 axes DMG", min_notice_hours=1)
    alice = MembershipFactory(user__email="alice@pme-dupont.fr", company__name="Mécanique Dupont")
    bruno = MembershipFactory(user__email="bruno@atelier-martin.fr", company__name="Atelier Martin")
    day = timezone.localtime(timezone.now(), platform.tz).date() + timedelta(days=2)
    start = datetime.combine(day, time(10), tzinfo=platform.tz)
    taken = booking_create(
        machine=machine,
        company=bruno.company,
        user=bruno.user,
        start=start,
        end=start + timedelta(hours=2),
    )
    slot = f"{day.isoformat()}T10:00"

    # Alice asks for Bruno's slot: taken, so she may wait for it.
    page, shot = open_page(width, "waiting-list")
    sign_in(page, live_server, "alice@pme-dupont.fr")
    page.goto(f"{live_server.url}/machines/{machine.pk}/book/?start={slot}")
    page.locator("#id_length").select_option("120")
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("alert")).to_contain_text("n’est plus disponible")
    shot("taken")
    page.get_by_role("button", name="Prévenez-moi si ça se libère").click()
    expect(page.get_by_role("status")).to_contain_text("Vous êtes sur la liste d’attente")
    shot("waiting")
    page.get_by_role("link", name="Mes réservations et listes d’attente").click()
    expect(page.locator(".waiting-lists")).to_contain_text("Fraiseuse 5 axes DMG")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot("my-waiting-lists")

    # Bruno cancels: Alice gets an e-mail offering the slot.
    other, _ = open_page(width, "waiting-list-holder")
    sign_in(other, live_server, "bruno@atelier-martin.fr")
    other.goto(f"{live_server.url}/bookings/{taken.pk}/cancel/")
    other.get_by_role("button", name="Annuler cette réservation").click()
    expect(other.get_by_role("status").filter(has_text="annulée")).to_be_visible()
    (offer,) = [m for m in mail.outbox if m.to == ["alice@pme-dupont.fr"] and "libéré" in m.subject]
    link = re.search(r"https?://\S+/book/\?\S+", offer.body).group(0)

    # The link opens the form on that slot; she books it.
    page.goto(live_server.url + "/" + link.split("/", 3)[3])
    expect(page.locator("#id_start")).to_have_value(slot)
    expect(page.locator("#id_length")).to_have_value("120")
    shot("offer-opened")
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("status").filter(has_text="Réservation confirmée")).to_be_visible()
    shot("booked")
    booked = Booking.objects.get(company=alice.company)
    assert (booked.start, booked.status) == (start, BookingStatus.CONFIRMED)
    assert WaitingEntry.objects.get().booked_at is not None
    assert page.js_errors == [] and other.js_errors == []
