"""With JavaScript on, a refusal is seen where the action was: a slot taken meanwhile, an
approval already decided (issue 25, 1)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create, booking_reject
from platforms.timezones import local_midnight, zone
from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = zone("Europe/Paris")


def _next_monday() -> Any:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


@pytest.mark.parametrize("width", [1280, 390])
def test_a_slot_taken_meanwhile_says_so_in_the_form(
    open_page: Any, live_server: Any, width: int
) -> None:
    # given: Alice has chosen next Monday 10:00–11:00 on the laser's week …
    laser = MachineFactory(name="Découpe laser", min_notice_hours=0, slot_minutes=60)
    alice = MembershipFactory(user__email="alice@pme-dupont.fr").user
    rival = MembershipFactory()
    page, shot = open_page(width, "refused-slot")
    sign_in(page, live_server, "alice@pme-dupont.fr")
    monday = _next_monday()
    year, week, _day = monday.isocalendar()
    page.goto(f"{live_server.url}/machines/{laser.pk}/?week={year}-W{week:02d}")
    at = local_midnight(monday, PARIS) + timedelta(hours=10)
    local = at.astimezone(PARIS).isoformat()[:16]
    cell = page.locator(f"[data-grid] button[data-start^='{local}']")
    cell.click()
    # … when another company books it first
    booking_create(
        machine=laser,
        company=rival.company,
        user=rival.user,
        start=at,
        end=at + timedelta(hours=1),
    )

    # when
    page.get_by_role("button", name="Réserver ce créneau").click()

    # then: the refusal is on the page, in French, and nothing was booked for Alice
    expect(page.locator("#booking-form")).to_contain_text("plus disponible")
    shot("slot-taken")
    assert not Booking.objects.filter(booked_by=alice).exists()
    assert page.js_errors == []


def test_an_approval_already_decided_says_so_in_place(open_page: Any, live_server: Any) -> None:
    # given: a booking awaiting approval on the operator's day …
    operator = UserFactory(email="camille@fablab-lyon.fr")
    printer = MachineFactory(requires_approval=True, min_notice_hours=0)
    printer.platform.operators.add(operator)
    sme = MembershipFactory()
    at = local_midnight(_next_monday(), PARIS) + timedelta(hours=14)
    pending = booking_create(
        machine=printer, company=sme.company, user=sme.user, start=at, end=at + timedelta(hours=1)
    )
    page, shot = open_page(1280, "refused-approval")
    sign_in(page, live_server, "camille@fablab-lyon.fr")
    page.goto(f"{live_server.url}/operator/")
    row = page.locator(f"#pending-{pending.pk}")
    expect(row).to_be_visible()
    # … refused meanwhile by a colleague
    booking_reject(booking=pending, user=UserFactory(is_staff=True), reason="Machine en panne")

    # when
    row.get_by_role("button", name="Accepter").click()

    # then
    expect(row).to_contain_text("attente")
    shot("approval-stale")
    pending.refresh_from_db()
    assert pending.status == BookingStatus.REJECTED
    assert page.js_errors == []
