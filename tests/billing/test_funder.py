"""The funder follows the programme's money (issue 27, 2): the aid granted and the budget left,
per platform, region, size class and company — in the report's JSON, on the dashboard and in
the workbook; a company, never a person."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from billing.services.invoices import invoices_issue
from tests.billing.conftest import book_and_use
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(shop: Any) -> Any:
    shop.programme.budget = Decimal(10000)
    shop.programme.save()
    funder = UserFactory(email="suivi@bpifrance.example")
    shop.programme.funders.add(funder)
    book_and_use(shop)
    invoices_issue(month=date(2026, 10, 1), today=date(2026, 11, 5))
    shop.funder = funder
    return shop


def test_the_report_counts_the_aid_granted_and_the_budget_left(funded: Any) -> None:
    client = Client()
    client.force_login(funded.funder)
    query = {"start": "2026-11-01", "end": "2026-12-01", "programme": funded.programme.pk}
    subsidy = client.get("/api/v1/reports/usage/", query).json()["subsidy"]
    # half of 84.00 (72.00 of time, 12.00 of setup)
    assert subsidy["granted"] == "42.00"
    assert (subsidy["budget"], subsidy["budget_left"]) == ("10000.00", "9958.00")
    assert subsidy["by_platform"] == [
        {"id": funded.platform.pk, "name": funded.platform.name, "granted": "42.00"}
    ]
    assert subsidy["by_size_class"] == {"small": "42.00"}
    [company] = subsidy["companies"]
    assert company == {
        "siren": funded.company.siret[:9],
        "name": funded.company.name,
        "size_class": "small",
        "region": funded.company.region,
        "granted": "42.00",
        "cap_left_this_year": "58.00",
    }
    page = client.get("/reports/", {"start": "2026-11-01", "last": "2026-11-30"})
    text = page.content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert "Aide du programme" in text and "9 958,00 €" in text
    assert funded.member.email not in text and funded.member.display_name not in text
    workbook = client.get(
        "/reports/download/",
        {"start": "2026-11-01", "last": "2026-11-30", "format": "xlsx"},
    )
    assert workbook.status_code == 200  # a month of one platform: built at once
    sheet = load_workbook(io.BytesIO(workbook.content))["Aide du programme"]
    assert [cell.value for cell in sheet[2]][:2] == [funded.company.name, funded.company.siret[:9]]
