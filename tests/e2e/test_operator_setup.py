"""The platform runs itself (issue 30): an operator sets the SMEs' price group, adds a machine
with a photo and prints its QR code; an SME books it, opens the address the QR code holds,
taps Start then Stop; the booking shows its usage measured at the machine. 1,280 and 390 px."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from platforms.models import Machine
from tests.e2e.conftest import sign_in
from tests.factories import MembershipFactory, PlatformFactory, UserFactory
from tests.platforms.test_machine_media import jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_operator_adds_a_machine_an_sme_books_it_and_measures_its_use(
    open_page: Any, live_server: Any, settings: Any, tmp_path: Any, width: int
) -> None:
    settings.MEDIA_ROOT = tmp_path
    platform = PlatformFactory(name="Usine du Futur Lyon", city="Lyon")
    platform.operators.add(UserFactory(email="camille@usine-lyon.fr"))
    MembershipFactory(user__email="alice@pme-dupont.fr", company__name="Mécanique Dupont")
    photo = tmp_path / "s5.jpg"
    photo.write_bytes(jpeg_with_gps((1000, 750)))

    desk, desk_shot = open_page(width, "setup-operator")
    sign_in(desk, live_server, "camille@usine-lyon.fr")
    desk.goto(f"{live_server.url}/operator/platforms/{platform.pk}/")
    desk.get_by_role("link", name="Plate-forme et équipe").click()
    desk.locator("#id_sme_percent").fill("80")
    desk.get_by_role("button", name="Enregistrer").click()
    expect(desk.get_by_role("status").filter(has_text="Enregistré")).to_be_visible()
    desk.get_by_role("link", name="Ajouter une machine").click()
    desk.locator("#id_name").fill("Imprimante 3D Ultimaker S5")
    desk.locator("#id_category").select_option("additive")
    desk.locator("#id_hourly_rate").fill("20")
    desk.locator("#id_min_notice_hours").fill("0")
    desk_shot("new-machine")
    desk.get_by_role("button", name="Ajouter la machine").click()
    expect(desk.get_by_role("status").filter(has_text="Machine ajoutée")).to_be_visible()
    desk.locator("#id_image").set_input_files(str(photo))
    desk.get_by_role("button", name="Ajouter la photo").click()
    expect(desk.get_by_role("status").filter(has_text="Photo ajoutée")).to_be_visible()
    desk.get_by_role("link", name="QR code à coller sur la machine").click()
    held = desk.locator(".qr-sheet__url").inner_text()
    desk_shot("qr-sheet")
    machine = Machine.objects.get(name="Imprimante 3D Ultimaker S5")
    assert machine.photos.count() == 1 and platform.machines.count() == 1
    assert re.search(rf"/machines/{machine.pk}/use/$", held)

    page, shot = open_page(width, "setup-sme")
    sign_in(page, live_server, "alice@pme-dupont.fr")
    page.goto(f"{live_server.url}/machines/{machine.pk}/")
    expect(page.locator(".gallery img").first).to_be_visible()
    page.get_by_role("link", name="Semaine suivante").click()
    page.wait_for_url("**/machines/*/?week=*")
    free = page.locator("[data-grid] button[data-start]")
    free.first.click()
    start = datetime.fromisoformat(free.first.get_attribute("data-start"))
    # SMEs pay 80 % of the 20 € rate: 8 € HT for the half hour
    expect(page.locator("#booking-price")).to_contain_text("8,00 € HT pour 0,5 h")
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("status").filter(has_text="Réservation confirmée")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.price == Decimal("8.00")

    with time_machine.travel(booking.start - timedelta(minutes=5), tick=True):
        page.goto(live_server.url + "/" + held.split("/", 3)[3])
        page.get_by_role("button", name="Démarrer").click()
        expect(page.get_by_role("status")).to_contain_text("Démarré")
        shot("started")
    with time_machine.travel(booking.start + timedelta(minutes=40), tick=True):
        page.get_by_role("button", name="Arrêter").click()
        expect(page.get_by_role("status")).to_contain_text("votre utilisation est enregistrée")
        page.goto(f"{live_server.url}/bookings/{booking.pk}/")
        expect(page.locator("main")).to_contain_text("mesurée à la machine")
        shot("booking-measured")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED and booking.measured
    assert booking.start == start
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.js_errors == [] and desk.js_errors == []
