"""What a new SME meets in the first minutes, in a real browser (issue 25): the machine's page
opens on a week with something to book; a 2-hour search books 2 hours at the price shown; a
booking moves through the week grid; on a phone the form stays within reach once a start is
chosen; the language switch after creating an API key answers a page."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from bookings.services import booking_create
from platforms.timezones import local_midnight, zone
from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = zone("Europe/Paris")


def _monday_in(weeks: int) -> Any:
    today = timezone.now().astimezone(PARIS).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.fixture
def alice(db: Any) -> Any:
    return MembershipFactory(
        user__email="alice@pme-dupont.fr", user__display_name="Alice Dupont"
    ).user


def test_the_machine_page_opens_on_a_week_with_something_to_book(
    open_page: Any, live_server: Any, alice: Any
) -> None:
    # Eight days of notice: this week has nothing bookable, whatever day it is.
    lathe = MachineFactory(name="Tour CN", min_notice_hours=8 * 24)
    page, shot = open_page(1280, "first-week")
    sign_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/machines/{lathe.pk}/")
    expect(page.locator("[data-grid] button[data-start]").first).to_be_visible()
    shot("first-bookable-week")
    assert page.js_errors == []


def test_a_two_hour_search_books_two_hours_at_the_price_shown(
    open_page: Any, live_server: Any, alice: Any
) -> None:
    mill = MachineFactory(
        name="Fraiseuse 5 axes", min_notice_hours=0, hourly_rate=Decimal("45.00"), max_minutes=480
    )
    page, shot = open_page(1280, "search-two-hours")
    sign_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/machines/?min_free=120")
    card = page.locator("#results .card").filter(has_text="Fraiseuse 5 axes")
    card.locator(".free-slots a").first.click()
    expect(page.locator("#id_length")).to_have_value("120")
    expect(page.locator("#booking-price")).to_contain_text("90,00 € HT pour 2,0 h")
    shot("form")
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("status").filter(has_text="Réservation confirmée")).to_be_visible()
    booking = Booking.objects.get(machine=mill)
    assert booking.end - booking.start == timedelta(hours=2)
    assert booking.price == Decimal("90.00")
    assert page.js_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_booking_moves_through_the_week_grid(
    open_page: Any, live_server: Any, alice: Any, width: int
) -> None:
    # given: Alice's 2-hour booking next Tuesday at 10:00
    laser = MachineFactory(name="Découpe laser", min_notice_hours=0, slot_minutes=30)
    monday = _monday_in(1)
    at = local_midnight(monday + timedelta(days=1), PARIS) + timedelta(hours=10)
    booking = booking_create(
        machine=laser,
        company=alice.memberships.get().company,
        user=alice,
        start=at,
        end=at + timedelta(hours=2),
    )
    page, shot = open_page(width, "move-grid")
    sign_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    page.get_by_role("link", name="Déplacer").first.click()
    # the week of the booking, its current slot marked, its length kept
    current = page.locator(".slot--current")
    expect(current).to_have_count(4)
    expect(page.locator("#id_length")).to_have_value("120")
    shot("move-page")
    # when: Wednesday 14:00 is chosen in the grid
    wednesday = (at + timedelta(days=1)).astimezone(PARIS).replace(hour=14).isoformat()[:16]
    page.locator(f"[data-grid] button[data-start^='{wednesday}']").click()
    expect(page.locator("#id_start")).to_have_value(wednesday)
    expect(page.locator("#move-form [data-selection]")).to_have_text("14:00 – 16:00")
    expect(page.locator(".is-selected, .is-in-range")).to_have_count(4)
    shot("chosen")
    page.get_by_role("button", name="Déplacer la réservation").click()
    expect(page.get_by_role("status").filter(has_text="Réservation déplacée")).to_be_visible()
    shot("moved")
    # then
    booking.refresh_from_db()
    assert booking.start.astimezone(PARIS).isoformat()[:16] == wednesday
    assert booking.end - booking.start == timedelta(hours=2)
    assert page.js_errors == []


def test_on_a_phone_the_form_stays_within_reach_after_choosing_a_start(
    open_page: Any, live_server: Any, alice: Any
) -> None:
    laser = MachineFactory(
        name="Découpe laser", min_notice_hours=0, slot_minutes=30, min_minutes=60
    )
    page, shot = open_page(390, "phone-range")
    sign_in(page, live_server, alice.email)
    monday = _monday_in(1)
    year, week, _day = monday.isocalendar()
    page.goto(f"{live_server.url}/machines/{laser.pk}/?week={year}-W{week:02d}")
    cell = page.locator("[data-grid] button[data-start]").nth(3)
    cell.scroll_into_view_if_needed()
    cell.click()
    # the page did not jump: the cell is still in view, and a bar leads to the form
    bar = page.locator("#selection-bar")
    expect(bar).to_be_visible()
    assert _in_viewport(page, cell) and _in_viewport(page, bar)
    expect(bar).to_contain_text(" – ")
    shot("bar")
    bar.get_by_role("link", name="Réserver ce créneau").click()
    form = page.locator("#booking-form")
    expect(form.locator("#id_length")).to_be_in_viewport()
    # the length is chosen next to the start
    form.locator("#id_length").select_option("120")
    expect(form.locator("#booking-price")).to_contain_text("pour 2,0 h")
    shot("form")
    form.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("status").filter(has_text="Réservation confirmée")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.end - booking.start == timedelta(hours=2)
    assert page.js_errors == []


def test_switching_language_after_creating_an_api_key_answers_a_page(
    open_page: Any, live_server: Any, alice: Any
) -> None:
    page, shot = open_page(1280, "api-key-language")
    sign_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/profile/")
    page.get_by_label("Nom de la nouvelle clé").fill("ERP")
    page.get_by_role("button", name="Créer une clé").click()
    expect(page.get_by_label("Nouvelle clé d'API")).to_be_visible()
    with page.expect_navigation() as answered:
        page.get_by_role("button", name="EN", exact=True).click()
    assert answered.value.status == 200
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    # a reload creates no second key
    page.reload()
    assert alice.api_tokens.count() == 1
    shot("english")
    assert page.js_errors == []
