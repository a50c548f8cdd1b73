"""An operator approves a pending booking; places a weekly maintenance over an existing
booking, cancels that booking with a reason (the SME gets the e-mail), skips one occurrence;
records usage; books on a company's behalf from the platform's day — in Chromium, at 1,280 and
390 px."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from platforms.models import ClosureInterval
from platforms.timezones import local_midnight, zone
from tests.factories import MachineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"


def _next_monday() -> Any:
    today = timezone.now().astimezone(zone("Europe/Paris")).date()
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture
def platform_world(db: Any) -> dict[str, Any]:
    operator = UserFactory(email="camille@fablab-lyon.fr", display_name="Camille Martin")
    printer = MachineFactory(name="Imprimante EOS", requires_approval=True, min_notice_hours=0)
    laser = MachineFactory(name="Laser Trotec", platform=printer.platform, min_notice_hours=0)
    printer.platform.operators.add(operator)
    membership = MembershipFactory(
        user__email="alice@pme-dupont.fr", company__name="Mécanique Dupont"
    )
    sme = membership.user
    sme.company = membership.company
    monday = _next_monday()
    tz = zone("Europe/Paris")
    at = local_midnight(monday, tz)
    pending = booking_create(
        machine=printer,
        company=sme.company,
        user=sme,
        start=at + timedelta(hours=14),
        end=at + timedelta(hours=15),
    )
    covered = booking_create(
        machine=laser,
        company=sme.company,
        user=sme,
        start=at + timedelta(hours=9),
        end=at + timedelta(hours=10),
    )
    return {
        "operator": operator,
        "printer": printer,
        "laser": laser,
        "sme": sme,
        "pending": pending,
        "covered": covered,
        "monday": monday,
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_operator_runs_the_platforms_calendar(
    open_page: Any, live_server: Any, platform_world: dict[str, Any], width: int
) -> None:
    world = platform_world
    page, shot = open_page(width, "operator")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Adresse e-mail").fill("camille@fablab-lyon.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    # an operator lands on their platforms' day
    page.wait_for_url("**/operator/")
    shot("day")
    # approves the pending booking, in place
    row = page.locator(f"#pending-{world['pending'].pk}")
    row.get_by_role("button", name="Accepter").click()
    expect(row).to_contain_text("Acceptée")
    shot("approved")
    world["pending"].refresh_from_db()
    assert world["pending"].status == BookingStatus.CONFIRMED
    # places a weekly maintenance on the laser over the SME's Monday booking
    page.goto(f"{live_server.url}/operator/platforms/{world['laser'].platform_id}/closures/")
    page.get_by_label("Machine").select_option(str(world["laser"].pk))
    page.get_by_label("Type").select_option("maintenance")
    page.get_by_label("Intitulé").fill("Entretien du lundi")
    page.get_by_label("Premier jour").fill(world["monday"].isoformat())
    page.locator("#id_opens").fill("08:00")
    page.locator("#id_closes").fill("12:00")
    page.get_by_label("Répéter").select_option("weekly")
    page.locator("input[name=weekdays][value=MO]").check()
    page.get_by_role("button", name="Voir les réservations couvertes").click()
    expect(page.get_by_role("status").filter(has_text="couvrirait 1 réservation")).to_be_visible()
    shot("closure-preview")
    page.get_by_role("button", name="La placer").click()
    expect(page.locator("main")).to_contain_text("Mécanique Dupont")
    shot("closure-placed")
    # cancels the covered booking with a reason; the SME is told by e-mail
    page.get_by_role("link", name="Annuler avec un motif ou déplacer").click()
    page.get_by_label("Motif, transmis à l’entreprise").fill("Maintenance du laser")
    page.get_by_role("button", name="Annuler cette réservation").click()
    expect(page.locator("main")).to_contain_text("Annulée")
    shot("cancelled")
    world["covered"].refresh_from_db()
    assert world["covered"].status == BookingStatus.CANCELLED
    assert any(
        "alice@pme-dupont.fr" in message.to and "Maintenance du laser" in message.body
        for message in mail.outbox
    )
    # skips the maintenance of the Monday after, one occurrence only
    page.goto(f"{live_server.url}/operator/platforms/{world['laser'].platform_id}/closures/")
    page.get_by_role("link", name="Entretien du lundi").click()
    second = page.locator(".op-row").filter(has_text="Ignorer celle-ci").nth(1)
    second.get_by_role("button", name="Ignorer celle-ci").click()
    expect(page.get_by_role("status").filter(has_text="Ignorée")).to_be_visible()
    shot("occurrence-skipped")
    tz = zone("Europe/Paris")
    starts = set(ClosureInterval.objects.values_list("start", flat=True))
    assert local_midnight(world["monday"], tz) + timedelta(hours=8) in starts
    assert (
        local_midnight(world["monday"] + timedelta(days=7), tz) + timedelta(hours=8) not in starts
    )
    # records the usage of a finished booking
    finished = Booking.objects.create(
        machine=world["printer"],
        company=world["sme"].company,
        start=timezone.now() - timedelta(hours=3),
        end=timezone.now() - timedelta(hours=2),
        status=BookingStatus.CONFIRMED,
    )
    page.goto(f"{live_server.url}/operator/bookings/{finished.pk}/")
    page.get_by_role("button", name="Enregistrer l'usage").click()
    expect(page.get_by_role("status").filter(has_text="Usage enregistré")).to_be_visible()
    shot("usage")
    finished.refresh_from_db()
    assert finished.status == BookingStatus.COMPLETED
    # books on the company's behalf: the platform's week, Tuesday by half hours, 14:30 free
    tuesday = world["monday"] + timedelta(days=1)
    year, week, _ = world["monday"].isocalendar()
    page.goto(
        f"{live_server.url}/operator/platforms/{world['printer'].platform_id}/"
        f"?week={year}-W{week:02d}"
    )
    shot("week")
    page.locator(f'.week__days a[href="?day={tuesday.isoformat()}"]').click()
    shot("tuesday")
    # the half hours scroll inside their frame; the page itself keeps the screen's width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Réserver Imprimante EOS, 14:30").click()
    expect(page.locator("#id_start")).to_have_value(f"{tuesday.isoformat()}T14:30")
    page.get_by_label("Pour l'entreprise").select_option(label="Mécanique Dupont")
    page.get_by_role("button", name="Réserver", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Réservé")).to_be_visible()
    shot("booked-on-behalf")
    made = Booking.objects.filter(booked_by=world["operator"]).get()
    assert made.company == world["sme"].company
    assert made.start == local_midnight(tuesday, tz) + timedelta(hours=14, minutes=30)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.js_errors == []
