"""A platform that invoices, its programme, an SME and its member, for billing's tests."""

from datetime import time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from billing.models import BillingAccount, PlatformBilling, Programme
from bookings.models import CompanySize
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory, UserFactory


@pytest.fixture
def shop(db: Any) -> Any:
    """A platform open day and night (a DST night can be booked), SMEs at 80 %, billing late
    cancellations at 50 % and no-shows in full; its mill; its operator; its programme paying
    half of SMEs' machine time up to 100 € a year; a small company and its member."""
    platform = PlatformFactory(
        sme_percent=Decimal(80),
        hours=[(day, time(0, 0), time(23, 30)) for day in range(7)],
    )
    PlatformBilling.objects.create(
        platform=platform,
        legal_name="Plateforme Usinage SAS",
        legal_form="SAS",
        share_capital="au capital de 50 000 €",
        street="12 rue de l'Industrie",
        postcode="69007",
        city="Lyon",
        siret="73282932000074",
        vat_number="FR44732829320",
        rcs="RCS Lyon 732 829 320",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        invoice_prefix="LYO",
        late_cancellation_percent=Decimal(50),
        no_show_percent=Decimal(100),
    )
    mill = MachineFactory(
        platform=platform,
        name="Fraiseuse 5 axes",
        hourly_rate=Decimal("45.00"),
        setup_fee=Decimal("15.00"),
        assisted_hourly_rate=Decimal("35.00"),
        vat_rate=Decimal("20.00"),
        min_notice_hours=24,
        max_advance_days=365,
    )
    programme = Programme.objects.create(
        name="Industrie du futur",
        start_date="2026-01-01",
        subsidy_rate=Decimal(50),
        subsidy_cap=Decimal(100),
    )
    programme.platforms.add(platform)
    membership = MembershipFactory(company__size_class=CompanySize.SMALL)
    BillingAccount.objects.create(
        company=membership.company,
        email="compta@pme.example.fr",
        street="3 avenue des Forges",
        postcode="69100",
        city="Villeurbanne",
    )
    operator = UserFactory()
    platform.operators.add(operator)

    return SimpleNamespace(
        platform=platform,
        mill=mill,
        programme=programme,
        company=membership.company,
        member=membership.user,
        operator=operator,
    )


def book_and_use(shop: Any, *, assisted: bool = False) -> Any:
    """The shop's member books the mill on 6 October 2026, 10:00–12:00 (on 1 October), and the
    operator records it used in full."""
    import time_machine

    from bookings.services import booking_create, usage_record
    from tests.conftest import paris

    with time_machine.travel(paris(2026, 10, 1, 9), tick=False):
        booking = booking_create(
            machine=shop.mill,
            company=shop.company,
            user=shop.member,
            start=paris(2026, 10, 6, 10),
            end=paris(2026, 10, 6, 12),
            assisted=assisted,
        )
    with time_machine.travel(paris(2026, 10, 6, 13), tick=False):
        usage_record(
            booking=booking,
            user=shop.operator,
            actual_start=paris(2026, 10, 6, 10),
            actual_end=paris(2026, 10, 6, 12),
        )
    return booking
