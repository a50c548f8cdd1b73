"""The money pages (issue 27, 5): an SME's invoices and billing details, an operator's review,
consumables, waived fees, issuing, credit notes, the journal, the invoicing details — and
hostile input typed into each form answered with a form error, never a 500."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import BillableLine, BillingAccount, Invoice, LineKind, PlatformBilling
from billing.services.accounts import SELLER_FIELDS
from billing.services.invoices import invoices_issue
from billing.services.lines import consumable_add
from bookings.models import MembershipRole
from bookings.services import booking_create
from notifications.models import Message, MessageKind
from tests.conftest import paris
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.sampled_from(
        ["", "-1", "1e308", "NaN", "9" * 40, "<script>alert(1)</script>", "FR00\x00", "²", "  "]
    ),
    st.text(max_size=60),
)


def with_consumable(shop: Any, on: date = date(2026, 10, 12)) -> None:
    consumable_add(
        user=shop.operator,
        platform=shop.platform,
        company=shop.company,
        name="Filament PLA 1 kg",
        quantity=Decimal(2),
        unit_price_ht=Decimal("25.00"),
        vat_rate=Decimal("20.00"),
        on=on,
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_sme_finds_its_invoice_and_downloads_it(
    shop: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with_consumable(shop)
    with django_capture_on_commit_callbacks(execute=True):
        [invoice] = invoices_issue(month=date(2026, 10, 1), today=date(2026, 11, 5))[0]
    page = signed_in(shop.member).get("/invoices/")
    text = page.content.decode()
    assert page.status_code == 200 and invoice.number in text
    assert "60,00 €" in text and "Dépenses par mois" in text
    download = signed_in(shop.member).get(f"/invoices/{invoice.pk}/pdf/")
    assert download["Content-Type"] == "application/pdf"
    assert bytes(download.content) == bytes(invoice.pdf)
    # The billing contact was sent the document, the PDF attached when it goes.
    message = Message.objects.get(kind=MessageKind.INVOICE_ISSUED)
    assert message.to_email == "compta@pme.example.fr"
    from notifications.compose import compose

    email = compose(message)
    assert email is not None and email.to == ["compta@pme.example.fr"]
    assert invoice.number in email.subject
    [(name, content, kind)] = [a for a in email.attachments if isinstance(a, tuple)]
    assert (name, kind) == (f"{invoice.number}.pdf", "application/pdf")
    assert content == bytes(invoice.pdf)
    stranger = MembershipFactory().user
    assert signed_in(stranger).get(f"/invoices/{invoice.pk}/pdf/").status_code == 404
    assert invoice.number not in signed_in(stranger).get("/invoices/").content.decode()


def test_a_company_admin_declares_its_de_minimis_aid_and_gets_its_statement(shop: Any) -> None:
    admin = MembershipFactory(company=shop.company, role=MembershipRole.ADMIN).user
    answer = signed_in(admin).post(
        f"/invoices/companies/{shop.company.pk}/",
        {
            "email": "factures@pme.example.fr",
            "street": "3 avenue des Forges",
            "postcode": "69100",
            "city": "Villeurbanne",
            "de_minimis_declared": "120000",
        },
    )
    assert answer.status_code == 302
    account = BillingAccount.objects.get(company=shop.company)
    assert account.de_minimis_declared == Decimal("120000")
    assert account.de_minimis_declared_on is not None
    statement = signed_in(shop.member).get(f"/invoices/companies/{shop.company.pk}/de-minimis.pdf")
    assert statement["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(statement.content)).pages[0].extract_text()
    assert "120 000,00 €" in text and "300 000,00 €" in text
    # A plain member reads the details but may not change them.
    assert signed_in(shop.member).get(f"/invoices/companies/{shop.company.pk}/").status_code == 404


def test_the_quote_stops_the_aid_at_the_de_minimis_ceiling(shop: Any, settings: Any) -> None:
    settings.DE_MINIMIS_CEILING = Decimal("1000")
    BillingAccount.objects.filter(company=shop.company).update(
        de_minimis_declared=Decimal("990"), de_minimis_declared_on=date(2026, 9, 1)
    )
    client = signed_in(shop.member)
    with time_machine.travel(paris(2026, 10, 1, 9), tick=False):
        body = client.get(
            f"/api/v1/machines/{shop.mill.pk}/quote/",
            {
                "start": "2026-10-06T10:00:00+02:00",
                "end": "2026-10-06T12:00:00+02:00",
                "company": shop.company.pk,
            },
        ).json()
    # 84.00 excl. VAT: half would be 42.00, which would take 990.00 past 1,000.00: nothing.
    assert (body["total_ht"], body["subsidy"], body["to_pay_ttc"]) == ("84.00", "0.00", "100.80")
    assert "de minimis" in body["subsidy_note"]


def test_an_operator_reviews_adds_waives_issues_and_credits(
    booked: Any, django_capture_on_commit_callbacks: Any
) -> None:
    shop = booked
    client = signed_in(shop.operator)
    with time_machine.travel(paris(2026, 11, 2, 9), tick=False):
        page = client.get(f"/operator/billing/?platform={shop.platform.pk}&month=2026-10")
        assert page.status_code == 200 and shop.company.name in page.content.decode()
        client.post(
            "/operator/billing/consumable/",
            {
                "platform": shop.platform.pk,
                "company": shop.company.pk,
                "name": "Fraise carbure Ø6",
                "quantity": "1",
                "unit_price_ht": "18.50",
                "vat_rate": "20.00",
                "on": "2026-10-06",
            },
        )
        setup = BillableLine.objects.get(kind=LineKind.SETUP)
        client.post(f"/operator/billing/lines/{setup.pk}/waive/")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/operator/billing/issue/", {"platform": shop.platform.pk, "month": "2026-10"}
            )
        invoice = Invoice.objects.get()
        # 72.00 of machine time and 18.50 of tool; the setup waived
        assert invoice.total_ht == Decimal("90.50")
        answer = client.post(f"/operator/invoices/{invoice.pk}/credit/", {"reason": "Geste"})
        assert answer.status_code == 302
    assert Invoice.objects.filter(kind="credit_note", credited=invoice).count() == 1
    journal = client.get(
        f"/operator/billing/journal.csv?platform={shop.platform.pk}&month=2026-11"
    ).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(journal), delimiter=";"))[1:]

    def amount(text: str) -> Decimal:
        return Decimal(text.replace("\u202f", "").replace(" ", "").replace(",", "."))

    assert sum(amount(row[3]) for row in rows) == sum(amount(row[4]) for row in rows)
    assert {row[1] for row in rows} >= {"706", "44571", "441"}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field=st.sampled_from(
        [
            "siret",
            "vat_number",
            "iban",
            "bic",
            "invoice_prefix",
            "postcode",
            "payment_days",
            "no_show_percent",
            "legal_name",
        ]
    ),
    value=HOSTILE,
)
def test_hostile_invoicing_details_are_form_errors(shop: Any, field: str, value: str) -> None:
    policy = PlatformBilling.objects.get(platform=shop.platform)
    before = PlatformBilling.objects.filter(pk=policy.pk).values().get()
    data = {name: str(getattr(policy, name)) for name in SELLER_FIELDS if name != "bills_used_time"}
    data[field] = value
    answer = signed_in(shop.operator).post(
        f"/operator/platforms/{shop.platform.pk}/invoicing/", data
    )
    assert answer.status_code in (302, 422)
    if answer.status_code == 422:
        assert PlatformBilling.objects.filter(pk=policy.pk).values().get() == before


@pytest.fixture
def booked(shop: Any) -> Any:
    """The shop with a booking of its company (a customer consumables may be billed to)."""
    with time_machine.travel(paris(2026, 10, 1, 9), tick=False):
        booking_create(
            machine=shop.mill,
            company=shop.company,
            user=shop.member,
            start=paris(2026, 10, 6, 10),
            end=paris(2026, 10, 6, 12),
        )
    return shop


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field=st.sampled_from(["quantity", "unit_price_ht", "vat_rate", "on", "company", "name"]),
    value=HOSTILE,
)
def test_hostile_consumables_are_refused_without_a_line(
    booked: Any, field: str, value: str
) -> None:
    shop = booked
    before = BillableLine.objects.count()
    data = {
        "platform": str(shop.platform.pk),
        "company": str(shop.company.pk),
        "name": "Vis",
        "quantity": "1",
        "unit_price_ht": "2.00",
        "vat_rate": "20.00",
        "on": "2026-10-06",
    }
    data[field] = value
    answer = signed_in(shop.operator).post("/operator/billing/consumable/", data)
    assert answer.status_code == 302
    assert BillableLine.objects.count() in (before, before + 1)


def test_a_company_declares_its_de_minimis_aid_when_it_signs_up(client: Any) -> None:
    from tests.web.test_pages import SIGN_UP

    answer = client.post("/signup/", {**SIGN_UP, "de_minimis_declared": "45000"})
    assert answer.status_code == 302
    account = BillingAccount.objects.get(company__siret="73282932000074")
    assert account.de_minimis_declared == Decimal("45000")
    refused = client.post(
        "/signup/", {**SIGN_UP, "siret": "55210055400013", "de_minimis_declared": "-5"}
    )
    assert refused.status_code == 422
    assert not BillingAccount.objects.filter(company__siret="55210055400013").exists()
