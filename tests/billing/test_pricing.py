"""Prices (issue 27, 1): one function for the form, the API quote and the booking's snapshot;
hand-worked examples to the cent."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.pricing import quote
from bookings.models import CompanySize
from bookings.services import booking_create
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mill(db: Any) -> Any:
    machine = MachineFactory(
        name="Fraiseuse 5 axes",
        hourly_rate=Decimal("45.00"),
        setup_fee=Decimal("15.00"),
        minimum_charge=Decimal("0"),
        assisted_hourly_rate=Decimal("35.00"),
        vat_rate=Decimal("20.00"),
        min_notice_hours=0,
    )
    machine.platform.sme_percent = Decimal("80")
    machine.platform.other_percent = Decimal("100")
    machine.platform.save()
    return machine


def test_an_sme_with_assistance_pays_its_groups_share_of_each_line(mill: Any) -> None:
    sme = CompanyFactory(size_class=CompanySize.SMALL)
    result = quote(
        machine=mill,
        start=paris(2027, 1, 6, 10),
        end=paris(2027, 1, 6, 12, 30),
        company=sme,
        assisted=True,
    )
    # 45 × 80 % = 36.00 × 2.5 h = 90.00; setup 15 × 80 % = 12.00; assistance 28.00 × 2.5 = 70.00
    assert [line.total_ht for line in result.lines] == [
        Decimal("90.00"),
        Decimal("12.00"),
        Decimal("70.00"),
    ]
    assert (result.total_ht, result.total_vat, result.total_ttc) == (
        Decimal("172.00"),
        Decimal("34.40"),
        Decimal("206.40"),
    )


def test_a_large_company_pays_full_rates_and_a_short_booking_the_minimum(mill: Any) -> None:
    mill.minimum_charge = Decimal("50.00")
    mill.save()
    large = CompanyFactory(size_class=CompanySize.LARGE)
    result = quote(
        machine=mill, start=paris(2027, 1, 6, 10), end=paris(2027, 1, 6, 10, 30), company=large
    )
    # 45 × 0.5 = 22.50 + 15.00 setup = 37.50, then 12.50 up to the minimum of 50.00
    assert [line.total_ht for line in result.lines] == [
        Decimal("22.50"),
        Decimal("15.00"),
        Decimal("12.50"),
    ]
    assert result.total_ttc == Decimal("60.00")


def test_a_dst_night_counts_its_real_hours(mill: Any) -> None:
    mill.setup_fee = Decimal(0)
    mill.save()
    # 2027-03-28: 01:00 to 04:00 local is two real hours (02:00 → 03:00)
    result = quote(
        machine=mill,
        start=paris(2027, 3, 28, 1),
        end=paris(2027, 3, 28, 4),
        company=CompanyFactory(size_class=CompanySize.LARGE),
    )
    assert result.lines[0].quantity == Decimal("2.00")
    assert result.total_ht == Decimal("90.00")


def test_the_booking_keeps_its_quote_as_its_price(mill: Any, frozen_now: Any) -> None:
    member = MembershipFactory(company__size_class=CompanySize.MEDIUM)
    start, end = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)
    quoted = quote(machine=mill, start=start, end=end, company=member.company, assisted=True)
    booking = booking_create(
        machine=mill,
        company=member.company,
        user=member.user,
        start=start,
        end=end,
        assisted=True,
    )
    assert booking.price == quoted.total_ht == Decimal("140.00")
    assert booking.assisted


def test_the_api_quote_in_its_shape(mill: Any) -> None:
    answer = Client().get(
        f"/api/v1/machines/{mill.pk}/quote/",
        {"start": "2027-01-06T10:00:00+01:00", "end": "2027-01-06T12:00:00+01:00"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["currency"] == "EUR" and body["total_ht"] == "84.00"  # SME prices for a visitor
    assert body["lines"][0] == {
        "kind": "time",
        "subsidy": "0.00",
        "label": "Temps machine (heures)",
        "quantity": "2.00",
        "unit_price_ht": "36.00",
        "vat_rate": "20.00",
        "total_ht": "72.00",
    }
    assert (body["total_vat"], body["total_ttc"], body["subsidy"], body["to_pay_ttc"]) == (
        "16.80",
        "100.80",
        "0.00",
        "100.80",
    )


def test_a_quote_for_another_companys_group_is_refused(mill: Any) -> None:
    stranger = CompanyFactory(size_class=CompanySize.LARGE)
    client = Client()
    member = MembershipFactory()
    client.force_login(member.user)
    answer = client.get(
        f"/api/v1/machines/{mill.pk}/quote/",
        {
            "start": "2027-01-06T10:00:00+01:00",
            "end": "2027-01-06T12:00:00+01:00",
            "company": stranger.pk,
        },
    )
    assert answer.status_code == 400 and answer.json()["code"] == "unknown_company"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["start", "end", "company", "assisted"]),
        st.one_of(
            st.text(max_size=25),
            st.sampled_from(
                ["2027-01-06T10:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:00Z", "-1"]
            ),
        ),
    )
)
def test_hostile_quote_queries_get_a_clear_4xx(mill: Any, params: dict[str, str]) -> None:
    answer = Client().get(f"/api/v1/machines/{mill.pk}/quote/", params)
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert {"code", "detail"} <= set(answer.json())
