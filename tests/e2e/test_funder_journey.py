"""The funder follows the programme: from the home page to its figures (progress toward the
target, monthly trends, machines), a download built in the background, a scheduled report —
in Chromium, at 1,280 and 390 px."""

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Programme
from bookings.models import Booking, BookingStatus, CompanySize
from reports.models import ReportSubscription
from tests.factories import CompanyFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"


@pytest.fixture
def programme_world(db: Any) -> dict[str, Any]:
    funder = UserFactory(email="suivi@bpifrance.fr", display_name="Claire Suivi")
    laser = MachineFactory(name="Découpe laser Trotec", hourly_rate=Decimal("60"))
    programme = Programme.objects.create(
        name="Industrie du futur", start_date=date(2026, 1, 1), target_smes=2000
    )
    programme.platforms.add(laser.platform)
    programme.funders.add(funder)
    now = timezone.now()
    for index, size in enumerate((CompanySize.MICRO, CompanySize.SMALL, CompanySize.INTERMEDIATE)):
        company = CompanyFactory(name=f"Entreprise {index}", size_class=size)
        start = (now - timedelta(days=20 + index)).replace(hour=9, minute=0, second=0)
        Booking.objects.create(
            machine=laser,
            company=company,
            start=start,
            end=start + timedelta(hours=2),
            status=BookingStatus.COMPLETED,
            price=Decimal("120"),
        )
    return {"funder": funder, "programme": programme}


@pytest.mark.parametrize("width", [1280, 390])
def test_the_funder_follows_the_programme(
    open_page: Any, live_server: Any, programme_world: dict[str, Any], width: int
) -> None:
    page, shot = open_page(width, "funder")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Adresse e-mail").fill("suivi@bpifrance.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    shot("home")
    page.get_by_role("link", name="Voir les chiffres du programme").click()
    # two SMEs served (the intermediate-size company is no SME), of a target of 2,000
    expect(page.locator(".programme__figure")).to_contain_text("2")
    expect(page.locator(".programme__figure")).to_contain_text("2\u00a0000")
    expect(page.locator(".chart__bar").first).to_be_attached()
    expect(page.locator("main")).to_contain_text("Découpe laser Trotec")
    shot("dashboard")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # twelve months of the whole programme: built in the background, then downloaded
    page.get_by_role("link", name="Télécharger XLSX").click()
    expect(page.get_by_text("Votre rapport est prêt.")).to_be_visible()
    shot("download-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger usage-").click()
    from openpyxl import load_workbook

    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert summary["PME servies"] == 2 and summary["Heures utilisées"] == 6.0
    # a quarterly report to the programme committee
    page.goto(f"{live_server.url}/reports/subscriptions/")
    page.get_by_label("Envoyer à").fill("comite@bpifrance.fr")
    page.get_by_label("Chaque").select_option("quarterly")
    page.get_by_role("button", name="S'abonner").click()
    expect(page.get_by_role("status").filter(has_text="Abonnement enregistré")).to_be_visible()
    expect(page.locator("main")).to_contain_text("comite@bpifrance.fr")
    shot("subscribed")
    assert ReportSubscription.objects.filter(email="comite@bpifrance.fr").exists()
    assert page.js_errors == []
