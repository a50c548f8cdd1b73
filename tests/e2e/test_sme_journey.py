"""An SME finds a laser cutter, books a free slot of its week, sees it and cancels it; another
books a machine that needs approval and sees it pending; in French, then one page in English;
on a laptop (1,280 px) and a phone (390 px)."""

from typing import Any

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from platforms.models import MachineCategory
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"


@pytest.fixture
def network(db: Any) -> dict[str, Any]:
    lyon = PlatformFactory(name="Usine du Futur Lyon", city="Lyon", region="84")
    nantes = PlatformFactory(name="Fab'Atelier Nantes", city="Nantes", region="52")
    return {
        "laser": MachineFactory(
            platform=lyon,
            name="Découpe laser Trotec Speedy 400",
            category=MachineCategory.LASER_CUTTING,
            min_notice_hours=1,
            slot_minutes=30,
            min_minutes=60,
        ),
        "printer": MachineFactory(
            platform=nantes,
            name="Imprimante 3D métal EOS",
            category=MachineCategory.ADDITIVE_MANUFACTURING,
            min_notice_hours=0,
            requires_approval=True,
        ),
        "alice": MembershipFactory(
            user__email="alice@pme-dupont.fr",
            user__display_name="Alice Dupont",
            company__name="Mécanique Dupont",
        ).user,
        "bruno": MembershipFactory(
            user__email="bruno@atelier-martin.fr",
            user__display_name="Bruno Martin",
            company__name="Atelier Martin",
        ).user,
    }


def _sign_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def _no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_sme_books_a_laser_cutter_sees_it_and_cancels_it(
    open_page: Any, live_server: Any, network: dict[str, Any], width: int
) -> None:
    page, shot = open_page(width, "sme-books")
    # An SME signs in (French by default)
    _sign_in(page, live_server, "alice@pme-dupont.fr")
    shot("dashboard")
    # searches a laser cutter: the filter updates the results without a reload, in the URL
    page.goto(f"{live_server.url}/machines/")
    page.get_by_label("Catégorie").select_option("laser")
    page.wait_for_url("**/machines/?category=laser*")
    results = page.locator("#results .card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Usine du Futur Lyon")
    _no_sideways_scroll(page, width)
    shot("search-laser")
    # opens its week, goes to next week
    results.first.get_by_role("link", name="Voir sa semaine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Découpe laser Trotec Speedy 400")
    page.get_by_role("link", name="Semaine suivante").click()
    page.wait_for_url("**/machines/*/?week=*")
    free = page.locator("[data-grid] button[data-start]")
    expect(free.first).to_be_visible()
    _no_sideways_scroll(page, width)
    shot("week")
    # the grid is usable by keyboard: arrows move the focus between cells
    free.first.focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.row") == "1"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.day") == "1"
    # chooses a free range: first cell, then the last one (10:00–11:30)
    first = free.nth(4)
    last = free.nth(6)
    start, end = first.get_attribute("data-start"), last.get_attribute("data-end")
    first.click()
    last.click()
    expect(page.locator("#id_start")).to_have_value(start[:16])
    expect(page.locator("#id_length")).to_have_value("90")
    expect(page.locator("#booking-form [data-selection]")).to_have_text(
        f"{start[11:16]} – {end[11:16]}"
    )
    # the form says what the range costs before booking (issue 25, 3)
    expect(page.locator("#booking-price")).to_contain_text("HT pour 1,5 h")
    quoted = page.locator("#booking-price").inner_text()
    shot("range-chosen")
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("status").filter(has_text="Réservation confirmée")).to_be_visible()
    shot("booked")
    booking = Booking.objects.get()
    assert quoted.startswith(f"{booking.price:.2f} €".replace(".", ","))
    assert booking.start.isoformat(timespec="minutes") == _utc(start)
    assert booking.status == BookingStatus.CONFIRMED
    # the grid now shows it as theirs
    expect(page.locator(".slot--mine").first).to_be_visible()
    # sees it in their bookings
    page.get_by_role("link", name="Mes réservations").first.click()
    row = page.locator("#bookings").get_by_text("Découpe laser Trotec Speedy 400")
    expect(row.first).to_be_visible()
    expect(page.locator("#bookings")).to_contain_text("Confirmée")
    _no_sideways_scroll(page, width)
    shot("my-bookings")
    # cancels it, after reading the policy
    page.locator("#bookings").get_by_role("link", name="Annuler").first.click()
    expect(page.locator("main")).to_contain_text("annulation tardive")
    shot("cancel-policy")
    page.get_by_role("button", name="Annuler cette réservation").click()
    expect(page.get_by_role("status").filter(has_text="annulée")).to_be_visible()
    shot("cancelled")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert page.js_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_sme_books_a_machine_needing_approval_then_reads_a_page_in_english(
    open_page: Any, live_server: Any, network: dict[str, Any], width: int
) -> None:
    page, shot = open_page(width, "sme-pending")
    _sign_in(page, live_server, "bruno@atelier-martin.fr")
    page.goto(f"{live_server.url}/machines/{network['printer'].pk}/")
    expect(page.locator("main")).to_contain_text("La plateforme valide chaque réservation")
    page.get_by_role("link", name="Semaine suivante").click()
    page.wait_for_url("**/?week=*")
    free = page.locator("[data-grid] button[data-start]")
    free.nth(2).click()
    shot("chosen")
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("status").filter(has_text="en attente de validation")).to_be_visible()
    shot("pending")
    assert Booking.objects.get().status == BookingStatus.PENDING
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("Imprimante 3D métal EOS")
    shot("dashboard-pending")
    # one page in English: the switch in the header, remembered on the account
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Awaiting approval")).to_be_visible()
    page.goto(f"{live_server.url}/bookings/")
    expect(page.locator("#bookings")).to_contain_text("Pending approval")
    _no_sideways_scroll(page, width)
    shot("english")
    assert page.js_errors == []


def _utc(local_iso: str) -> str:
    from datetime import UTC, datetime

    return datetime.fromisoformat(local_iso).astimezone(UTC).isoformat(timespec="minutes")
