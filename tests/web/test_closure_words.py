"""Closures in words (issue 25, 8): the rule as people say it, maintenance said so to the SMEs
in the week."""

from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from platforms.models import ClosureKind
from platforms.services import closure_create
from tests.conftest import paris
from tests.factories import MachineFactory, UserFactory
from web.recurrence import closure_when

pytestmark = pytest.mark.django_db


@pytest.fixture
def laser(db: Any) -> Any:
    return MachineFactory(name="Découpe laser", min_notice_hours=0)


def _close(laser: Any, **kwargs: Any) -> Any:
    operator = UserFactory()
    laser.platform.operators.add(operator)
    return closure_create(platform=laser.platform, user=operator, machine=laser, **kwargs)


def test_a_weekly_maintenance_reads_as_its_rule(laser: Any) -> None:
    closure = _close(
        laser,
        title="Entretien",
        kind=ClosureKind.MAINTENANCE,
        start=datetime(2026, 12, 7, 8),
        end=datetime(2026, 12, 7, 10),
        frequency="WEEKLY",
        params="byweekday:TU",
        until=datetime(2027, 3, 31, 23, 59),
    )
    with translation.override("fr"):
        assert closure_when(closure, "Europe/Paris") == (
            "chaque mardi de 8 h à 10 h, à partir du 7 décembre 2026 jusqu'au 31 mars 2027"
        )
    with translation.override("en"):
        assert closure_when(closure, "Europe/Paris") == (
            "every Tuesday from 08:00 to 10:00, from 7 December 2026 until 31 March 2027"
        )


def test_monthly_one_off_and_several_days_read_as_said(laser: Any) -> None:
    monthly = _close(
        laser,
        title="Calibrage",
        start=datetime(2027, 1, 4, 13, 30),
        end=datetime(2027, 1, 4, 17),
        frequency="MONTHLY",
        params="byweekday:MO;bysetpos:1",
    )
    once = _close(
        laser, title="Inventaire", start=datetime(2027, 2, 1, 8), end=datetime(2027, 2, 1, 12)
    )
    days = _close(
        laser, title="Fêtes", start=datetime(2026, 12, 24, 8), end=datetime(2027, 1, 1, 18)
    )
    with translation.override("fr"):
        assert closure_when(monthly, "Europe/Paris") == (
            "le premier lundi de chaque mois, de 13 h 30 à 17 h, à partir du 4 janvier 2027"
        )
        assert closure_when(once, "Europe/Paris") == "le 1er février 2027, de 8 h à 12 h"
        assert closure_when(days, "Europe/Paris") == (
            "du 24 décembre 2026, 8 h, au 1er janvier 2027, 18 h"
        )


def test_the_week_tells_maintenance_from_closed(client: Any, laser: Any, frozen_now: Any) -> None:
    _close(
        laser,
        title="Entretien",
        kind=ClosureKind.MAINTENANCE,
        start=datetime(2027, 1, 5, 8),
        end=datetime(2027, 1, 5, 10),
    )
    _close(laser, title="Inventaire", start=datetime(2027, 1, 6, 8), end=datetime(2027, 1, 6, 10))
    page = client.get(reverse("web:machine", args=[laser.pk]), {"week": "2027-W01"})
    cells = {cell.start: cell.state for row in page.context["grid"].rows for cell in row.cells}
    assert cells[paris(2027, 1, 5, 8)] == "maintenance"
    assert cells[paris(2027, 1, 6, 8)] == "closed"
    text = page.content.decode()
    assert "Maintenance" in text and "Fermé" in text
