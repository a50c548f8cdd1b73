"""What an issued document is (issue 27, 3–4): a PDF/A-3 whose Factur-X XML passes the XSD and
carries the PDF's and the API's figures; numbered without a gap even when two runs race; never
changed by a credit note; chained by its hash; kept through an account's erasure."""

import hashlib
import io
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from accounts.services import account_erase
from billing.models import BillableLine, Invoice, LineKind, SubsidyGrant
from billing.services.invoices import credit_note_issue, invoices_issue
from billing.services.lines import consumable_add
from tests.billing.conftest import book_and_use
from tests.conftest import paris
from tests.factories import MembershipFactory

NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}
OCTOBER = date(2026, 10, 1)
ISSUE_DAY = date(2026, 11, 5)


def consumable(shop: Any, company: Any, amount: str, vat: str = "20.00") -> None:
    consumable_add(
        user=shop.operator,
        platform=shop.platform,
        company=company,
        name="Filament PLA 1 kg",
        quantity=Decimal(1),
        unit_price_ht=Decimal(amount),
        vat_rate=Decimal(vat),
        on=date(2026, 10, 12),
    )


def xml_of(document: Invoice) -> Any:
    _name, xml = get_xml_from_pdf(bytes(document.pdf), check_xsd=False)
    return xml, etree.fromstring(xml)


@pytest.mark.django_db
def test_the_embedded_xml_passes_the_xsd_and_says_what_the_pdf_and_the_api_say(shop: Any) -> None:
    book_and_use(shop)
    consumable(shop, shop.company, "10.00", vat="5.50")
    [invoice] = invoices_issue(month=OCTOBER, today=ISSUE_DAY)[0]
    xml, tree = xml_of(invoice)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    summation = tree.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    figures = {child.tag.split("}")[1]: child.text for child in summation}
    # 2 h at 36.00 + setup 12.00 = 84.00 at 20 %; 10.00 at 5.5 %; aid 50 % of 84.00
    assert figures["TaxBasisTotalAmount"] == "94.00"
    assert figures["TaxTotalAmount"] == "17.35"
    assert figures["GrandTotalAmount"] == "111.35"
    assert figures["TotalPrepaidAmount"] == "42.00"
    assert figures["DuePayableAmount"] == "69.35"
    assert tree.find(".//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", NS).text == (
        "732829320"
    )
    assert tree.find(".//ram:BuyerTradeParty/ram:Name", NS).text == shop.company.name
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(invoice.pdf)).pages)
    for printed in ("94,00 €", "17,35 €", "111,35 €", "42,00 €", "69,35 €", "LYO-2026-00001"):
        assert printed in text
    for mention in ("40 €", "Pas d'escompte", "prestations de services", "SIREN : 732829320"):
        assert mention in text
    reader = PdfReader(io.BytesIO(invoice.pdf))
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    client = Client()
    client.force_login(shop.member)
    body = client.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["total_ht"], body["total_vat"], body["total_ttc"]) == (
        "94.00",
        "17.35",
        "111.35",
    )
    assert (body["subsidy"], body["to_pay"]) == ("42.00", "69.35")
    assert [line["total_ht"] for line in body["lines"]] == ["72.00", "12.00", "10.00"]


@pytest.mark.django_db
def test_a_credit_note_leaves_its_invoice_unchanged_and_chains_to_it(shop: Any) -> None:
    book_and_use(shop)
    [invoice] = invoices_issue(month=OCTOBER, today=ISSUE_DAY)[0]
    before = Invoice.objects.filter(pk=invoice.pk).values().get()
    lines_before = list(invoice.lines.values())
    setup = invoice.lines.get(kind=LineKind.SETUP)
    with time_machine.travel(paris(2026, 11, 10, 9), tick=False):
        note = credit_note_issue(
            user=shop.operator, invoice=invoice, reason="Mise en route offerte", lines=[setup.pk]
        )
    assert Invoice.objects.filter(pk=invoice.pk).values().get() == before
    assert list(invoice.lines.values()) == lines_before
    assert (note.number, note.kind, note.credited_id) == (
        "LYO-2026-00002",
        "credit_note",
        invoice.pk,
    )
    assert (note.total_ht, note.total_ttc, note.subsidy) == (
        Decimal("12.00"),
        Decimal("14.40"),
        Decimal("6.00"),
    )
    assert note.previous_sha256 == invoice.sha256
    assert note.sha256 == hashlib.sha256(invoice.sha256.encode() + bytes(note.pdf)).hexdigest()
    _xml, tree = xml_of(note)
    assert tree.find(".//rsm:ExchangedDocument/ram:TypeCode", NS).text == "381"
    assert tree.find(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", NS).text == (
        invoice.number
    )
    # The aid credited leaves the ledger; the same line is not credited twice.
    assert sum(grant.amount for grant in SubsidyGrant.objects.all()) == Decimal("36.00")
    from billing.exceptions import NothingToCredit

    with pytest.raises(NothingToCredit):
        credit_note_issue(user=shop.operator, invoice=invoice, reason="Encore", lines=[setup.pk])


@pytest.mark.django_db
def test_erasing_an_account_keeps_its_companys_invoices(shop: Any) -> None:
    book_and_use(shop)
    [invoice] = invoices_issue(month=OCTOBER, today=ISSUE_DAY)[0]
    pdf = bytes(invoice.pdf)
    account_erase(user=shop.member)
    kept = Invoice.objects.get(pk=invoice.pk)
    assert bytes(kept.pdf) == pdf and kept.buyer["name"] == shop.company.name


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_number_without_gap_or_duplicate(shop: Any) -> None:
    companies = [shop.company] + [MembershipFactory().company for _ in range(5)]
    for company in companies:
        consumable(shop, company, "25.00")
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(list(invoices_issue(month=OCTOBER, today=ISSUE_DAY)[0]))
        except Exception as error:  # shown by the assertion below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(result, list) for result in results), results
    assert sum(len(result) for result in results) == len(companies)
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, len(companies) + 1))
    assert BillableLine.objects.filter(invoice__isnull=True).count() == 0
    assert Invoice.objects.values("company").distinct().count() == len(companies)
