"""Invoices worked by hand (issue 27, 3): a month of an SME on a mill — booked time with
assistance, a late cancellation, a no-show, a DST night, consumables at two VAT rates, the
programme's subsidy capped mid-month — equals the issued invoice to the cent; the quote, the
booking's snapshot and the invoice line are one price."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from billing.models import BillableLine, Invoice, LineKind, SubsidyGrant
from billing.pricing import quote
from billing.services.invoices import invoices_issue
from billing.services.lines import consumable_add
from bookings.services import booking_cancel, booking_create, no_shows_mark, usage_record
from tests.conftest import paris

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def book(shop: Any, start: Any, end: Any, **extra: Any) -> Any:
    return booking_create(
        machine=shop.mill, company=shop.company, user=shop.member, start=start, end=end, **extra
    )


@pytest.fixture
def october(shop: Any) -> dict[str, Any]:
    """The month as it happened."""
    with time_machine.travel(paris(2026, 10, 1, 9), tick=False):
        assisted = book(shop, paris(2026, 10, 6, 10), paris(2026, 10, 6, 12), assisted=True)
        late = book(shop, paris(2026, 10, 13, 14), paris(2026, 10, 13, 15))
        absent = book(shop, paris(2026, 10, 20, 9), paris(2026, 10, 20, 10))
        # The night clocks go back: 01:00 to 04:00 lasts four hours.
        night = book(shop, paris(2026, 10, 25, 1), paris(2026, 10, 25, 4))
        quoted = quote(
            machine=shop.mill,
            start=paris(2026, 10, 6, 10),
            end=paris(2026, 10, 6, 12),
            company=shop.company,
            assisted=True,
            booking=assisted,
        )
    with time_machine.travel(paris(2026, 10, 6, 13), tick=False):
        usage_record(
            booking=assisted,
            user=shop.operator,
            actual_start=paris(2026, 10, 6, 10),
            actual_end=paris(2026, 10, 6, 11, 40),
        )
        consumable_add(
            user=shop.operator,
            platform=shop.platform,
            company=shop.company,
            name="Plaque PMMA 3 mm",
            quantity=Decimal(2),
            unit_price_ht=Decimal("15.50"),
            vat_rate=Decimal("20.00"),
            on=date(2026, 10, 6),
        )
    with time_machine.travel(paris(2026, 10, 13, 9), tick=False):
        booking_cancel(booking=late, user=shop.member, reason="Pièce pas prête")
    no_shows_mark(now=paris(2026, 10, 20, 14))
    with time_machine.travel(paris(2026, 10, 25, 9), tick=False):
        usage_record(
            booking=night,
            user=shop.operator,
            actual_start=paris(2026, 10, 25, 1),
            actual_end=paris(2026, 10, 25, 4),
        )
        consumable_add(
            user=shop.operator,
            platform=shop.platform,
            company=shop.company,
            name="Livret de formation",
            quantity=Decimal(1),
            unit_price_ht=Decimal("10.00"),
            vat_rate=Decimal("5.50"),
            on=date(2026, 10, 25),
        )
    return {"assisted": assisted, "absent": absent, "night": night, "quoted": quoted}


def issue() -> list[Invoice]:
    issued, incomplete = invoices_issue(month=OCTOBER, today=date(2026, 11, 5))
    assert incomplete == []
    return list(issued)


def test_a_month_worked_by_hand(shop: Any, october: dict[str, Any]) -> None:
    [invoice] = issue()
    rows = [
        (
            line.label.removeprefix("Fraiseuse 5 axes – "),
            line.quantity,
            line.unit_price_ht,
            line.vat_rate,
            line.total_ht,
            line.subsidy,
        )
        for line in invoice.lines.all()
    ]
    D = Decimal
    assert rows == [
        # 6 Oct, 10:00–12:00 assisted: SMEs pay 80 %: 36.00 an hour, setup 12.00, staff 28.00
        ("Temps machine (heures)", D("2.00"), D("36.00"), D("20.00"), D("72.00"), D("36.00")),
        ("Mise en route", D("1.00"), D("12.00"), D("20.00"), D("12.00"), D("6.00")),
        (
            "Assistance d'un technicien (heures)",
            D("2.00"),
            D("28.00"),
            D("20.00"),
            D("56.00"),
            D("28.00"),
        ),
        ("Plaque PMMA 3 mm", D("2.00"), D("15.50"), D("20.00"), D("31.00"), D("0.00")),
        # 13 Oct: cancelled 5 hours before, half of 48.00
        ("Annulation tardive (50 % de 48,00 €)", D(1), D("24.00"), D("20.00"), D("24.00"), 0),
        # 20 Oct: no-show, in full
        ("Absence (100 % de 48,00 €)", D(1), D("48.00"), D("20.00"), D("48.00"), D(0)),
        # 25 Oct, 01:00–04:00 on the night clocks go back: 4 hours; the cap of 100.00 is
        # reached here (70.00 so far, 30.00 of the 72.00), the setup gets nothing.
        ("Temps machine (heures)", D("4.00"), D("36.00"), D("20.00"), D("144.00"), D("30.00")),
        ("Mise en route", D("1.00"), D("12.00"), D("20.00"), D("12.00"), D("0.00")),
        ("Livret de formation", D("1.00"), D("10.00"), D("5.50"), D("10.00"), D("0.00")),
    ]
    # VAT: 20 % of 399.00 = 79.80; 5.5 % of 10.00 = 0.55
    assert (invoice.total_ht, invoice.total_vat, invoice.total_ttc) == (
        D("409.00"),
        D("80.35"),
        D("489.35"),
    )
    assert (invoice.subsidy, invoice.to_pay) == (D("100.00"), D("389.35"))
    assert invoice.number == "LYO-2026-00001"
    assert (invoice.period_start, invoice.period_end) == (date(2026, 10, 6), date(2026, 10, 25))
    assert invoice.due_on == date(2026, 12, 5)
    [grant] = SubsidyGrant.objects.all()
    assert (grant.siren, grant.amount, grant.granted_on, grant.service_year) == (
        shop.company.siret[:9],
        D("100.00"),
        date(2026, 11, 5),
        2026,
    )


def test_the_quote_is_the_snapshot_is_the_invoice_line(shop: Any, october: dict[str, Any]) -> None:
    quoted = october["quoted"]
    assisted = october["assisted"]
    assisted.refresh_from_db()
    assert assisted.price == quoted.total_ht == Decimal("140.00")
    [invoice] = issue()
    billed = [line for line in invoice.lines.all() if line.service_date == date(2026, 10, 6)]
    assert [(line.kind, line.total_ht, line.subsidy) for line in billed[:3]] == [
        (line.kind, line.total_ht, line.subsidy) for line in quoted.lines
    ]


def test_used_time_is_billed_rounded_up_to_the_slot(shop: Any) -> None:
    policy = shop.platform.billing
    policy.bills_used_time = True
    policy.save()
    with time_machine.travel(paris(2026, 10, 1, 9), tick=False):
        booking = book(shop, paris(2026, 10, 6, 10), paris(2026, 10, 6, 12))
    with time_machine.travel(paris(2026, 10, 6, 13), tick=False):
        # 50 minutes used: two 30-minute slots
        usage_record(
            booking=booking,
            user=shop.operator,
            actual_start=paris(2026, 10, 6, 10),
            actual_end=paris(2026, 10, 6, 10, 50),
        )
    time_line = BillableLine.objects.get(booking=booking, kind=LineKind.TIME)
    assert (time_line.quantity, time_line.total_ht) == (Decimal("1.00"), Decimal("36.00"))
    booking.refresh_from_db()
    assert booking.price == Decimal("48.00")  # with the setup


def test_a_second_run_issues_nothing_and_a_waived_fee_is_not_billed(
    shop: Any, october: dict[str, Any]
) -> None:
    from billing.services.lines import line_waive

    fee = BillableLine.objects.get(kind=LineKind.NO_SHOW)
    line_waive(user=shop.operator, line=fee)
    [invoice] = issue()
    assert invoice.total_ht == Decimal("361.00")  # 409.00 without the 48.00 no-show
    assert issue() == []
    assert Invoice.objects.count() == 1


def test_the_command_issues_a_month_once(shop: Any, october: dict[str, Any], capsys: Any) -> None:
    with time_machine.travel(paris(2026, 11, 5, 9), tick=False):
        call_command("invoices_issue", "--month", "2026-10")
        call_command("invoices_issue", "--month", "2026-10")
    out = capsys.readouterr().out
    assert "1 invoices issued for 2026-10, 489.35 € TTC." in out
    assert "0 invoices issued for 2026-10" in out


def test_a_month_not_over_is_not_invoiced(shop: Any) -> None:
    from django.core.management.base import CommandError

    with time_machine.travel(paris(2026, 10, 20, 9), tick=False), pytest.raises(CommandError):
        call_command("invoices_issue", "--month", "2026-10")
    with pytest.raises(CommandError):
        call_command("invoices_issue", "--month", "October")


def test_the_de_minimis_ceiling_stops_the_aid_on_the_invoice(
    shop: Any, october: dict[str, Any], settings: Any
) -> None:
    from billing.models import BillingAccount

    settings.DE_MINIMIS_CEILING = Decimal("1000.00")
    # Declared 950.00 in September: 50.00 left. The first line's aid (36.00) fits; the setup's
    # (6.00) fits (42.00); the assistance's 28.00 would pass 1,000.00: no more aid at all.
    BillingAccount.objects.filter(company=shop.company).update(
        de_minimis_declared=Decimal("950.00"), de_minimis_declared_on=date(2026, 9, 1)
    )
    [invoice] = issue()
    aids = [line.subsidy for line in invoice.lines.all()]
    assert aids[:3] == [Decimal("36.00"), Decimal("6.00"), Decimal("0.00")]
    assert invoice.subsidy == Decimal("42.00")


def test_the_monthly_job_waits_for_its_day_then_issues_each_platform(
    shop: Any, october: dict[str, Any]
) -> None:
    from billing.tasks import invoices_issue_due_task

    with time_machine.travel(paris(2026, 11, 3, 9), tick=False):
        invoices_issue_due_task.delay()
    assert not Invoice.objects.exists()  # operators review until the 5th
    with time_machine.travel(paris(2026, 11, 5, 9), tick=False):
        invoices_issue_due_task.delay()
        invoices_issue_due_task.delay()
    assert Invoice.objects.get().issued_on == date(2026, 11, 5)
