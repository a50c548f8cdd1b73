"""Money in a browser (issue 27): an operator reviews last month's lines, adds a consumable,
waives a setup fee and issues the invoices; the SME finds its invoice with the programme's aid
and downloads the PDF; at 1,280 and 390 px."""

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Invoice, PlatformBilling, Programme
from bookings.models import CompanySize, MembershipRole
from bookings.services import booking_create, usage_record
from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def last_month_use() -> Any:
    """A platform that invoices, its programme paying half, and a booking of last month used."""
    platform = PlatformFactory(name="Usine du Futur Lyon", sme_percent=Decimal(80))
    PlatformBilling.objects.create(
        platform=platform,
        legal_name="Usine du Futur Lyon SAS",
        street="12 rue de l'Industrie",
        postcode="69007",
        city="Lyon",
        siret="73282932000074",
        vat_number="FR44732829320",
        iban="FR7630006000011234567890189",
        invoice_prefix="UFL",
    )
    mill = MachineFactory(
        platform=platform,
        name="Fraiseuse 5 axes",
        hourly_rate=Decimal("45.00"),
        setup_fee=Decimal("15.00"),
        min_notice_hours=0,
        max_advance_days=365,
    )
    programme = Programme.objects.create(
        name="Industrie du futur", start_date="2026-01-01", subsidy_rate=Decimal(50)
    )
    programme.platforms.add(platform)
    member = MembershipFactory(
        user__email="julien@mecanique.fr",
        company__name="Mécanique Bernard",
        company__size_class=CompanySize.SMALL,
        role=MembershipRole.ADMIN,
    )
    operator = UserFactory(email="camille@usine-lyon.fr")
    platform.operators.add(operator)
    tz = platform.tz
    day = timezone.localdate().replace(day=1) - timedelta(days=20)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    start = timezone.make_aware(timezone.datetime.combine(day, time(10)), tz)
    with time_machine.travel(start - timedelta(days=2), tick=False):
        booking = booking_create(
            machine=mill,
            company=member.company,
            user=member.user,
            start=start,
            end=start + timedelta(hours=2),
        )
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        usage_record(
            booking=booking,
            user=operator,
            actual_start=start,
            actual_end=start + timedelta(hours=2),
        )
    return day


@pytest.mark.parametrize("width", [1280, 390])
def test_an_operator_invoices_the_month_and_the_sme_finds_its_invoice(
    open_page: Any, live_server: Any, width: int
) -> None:
    day = last_month_use()
    page, shot = open_page(width, "billing")
    sign_in(page, live_server, "camille@usine-lyon.fr")
    page.goto(f"{live_server.url}/operator/")
    page.get_by_role("link", name="Facturation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Facturation de Usine du Futur Lyon"
    )
    expect(page.locator("main")).to_contain_text("Mécanique Bernard")
    shot("review")
    page.get_by_label("Entreprise").select_option(label="Mécanique Bernard")
    page.get_by_label("Désignation").fill("Fraise carbure Ø6")
    page.get_by_label("Quantité").fill("1")
    page.get_by_label("Prix unitaire HT (€)").fill("18.50")
    page.get_by_label("Date d'utilisation").fill(day.isoformat())
    page.get_by_role("button", name="Ajouter aux lignes à facturer").click()
    expect(page.get_by_role("status").filter(has_text="Fraise carbure")).to_be_visible()
    row = page.locator("tr", has_text="Mise en route")
    row.get_by_role("button", name="Abandonner").click()
    expect(page.locator("tr", has_text="Mise en route")).to_contain_text("abandonnée")
    shot("reviewed")
    page.get_by_role("button", name="Émettre maintenant les factures").click()
    expect(page.get_by_role("status").filter(has_text="1 facture émise")).to_be_visible()
    expect(page.locator("main")).to_contain_text("UFL-")
    shot("issued")
    invoice = Invoice.objects.get()
    # 2 h at 36.00 (SMEs pay 80 %) + 18.50 of tool; the setup waived; half of the time aided
    assert (invoice.total_ht, invoice.subsidy) == (Decimal("90.50"), Decimal("36.00"))
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, live_server, "julien@mecanique.fr")
    page.get_by_role("link", name="Factures").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factures")
    main = page.locator("main")
    expect(main).to_contain_text(invoice.number)
    expect(main).to_contain_text("36,00 €")
    shot("invoices")
    with page.expect_download() as download:
        page.get_by_role("link", name=invoice.number).click()
    assert download.value.suggested_filename == f"{invoice.number}.pdf"
    assert page.js_errors == []
