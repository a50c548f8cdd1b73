"""Every figure of the usage report against the hand-built October (tests/reports/conftest.py),
whose answers are worked out by hand in the comments."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.selectors import Scope, usage_report
from tests.factories import MachineFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"start": date(2026, 10, 1), "end": date(2026, 11, 1)}


def _platform(october: Any) -> Scope:
    return Scope(platform_ids=(october.laser.platform_id,))


def test_the_months_totals(october: Any) -> None:
    report = usage_report(scope=_platform(october), **OCTOBER)
    totals = report["totals"]
    # SMEs: Dupont (two establishments, one SIREN) and the micro company; the ETI is served
    # but is not an SME
    assert (totals["smes_served"], totals["companies_served"]) == (2, 3)
    # the micro company was served in September: only Dupont is new
    assert totals["new_smes"] == 1
    # confirmed, completed and no-show: 2 + 1 + 3 + 1 + 2 + 2 + 1 (the 1 October 00:30 one)
    assert totals["hours_booked"] == 12.0
    # completed: 1.5 (recorded) + 1 (none recorded) + 2 (recorded, booked 3) + 2 + 1
    assert totals["hours_used"] == 7.5
    # 31 days × 10 h × 2 machines, less 4 h of closure and the 2 h of the other inside hours
    assert totals["open_hours"] == 614.0
    assert totals["utilisation"] == round(7.5 / 614, 4)
    # completed and no-show; the late cancellation's price is not revenue
    assert totals["revenue"] == "420.00"
    assert totals["bookings"] == {
        "pending": 1,
        "confirmed": 1,
        "completed": 5,
        "cancelled": 1,
        "late_cancelled": 1,
        "no_show": 1,
        "rejected": 1,
    }


def test_breakdowns_by_machine_category_size_and_region(october: Any) -> None:
    report = usage_report(scope=_platform(october), **OCTOBER)
    machines = {row["name"]: row for row in report["machines"]}
    assert machines["Laser"]["hours_used"] == 5.5 and machines["Laser"]["open_hours"] == 306.0
    assert machines["Fraiseuse"]["hours_used"] == 2.0
    assert machines["Fraiseuse"]["open_hours"] == 308.0
    assert (machines["Laser"]["revenue"], machines["Fraiseuse"]["revenue"]) == ("330.00", "90.00")
    assert report["by_category"]["laser"]["smes_served"] == 2
    assert report["by_category"]["cnc"]["smes_served"] == 1
    sizes = report["by_size_class"]
    assert {size: row["smes_served"] for size, row in sizes.items()} == {
        "small": 1,
        "medium": 1,
        "micro": 1,
        "intermediate": 0,
    }
    assert sizes["intermediate"]["companies_served"] == 1
    assert sizes["small"]["open_hours"] is None  # opening hours belong to machines
    assert report["by_region"]["84"]["bookings"]["completed"] == 2  # Dupont Lyon
    assert report["by_region"]["11"]["companies_served"] == 3
    [platform] = report["platforms"]
    assert platform["name"] == "Usine du Futur Lyon" and platform["hours_used"] == 7.5


def test_local_months_and_the_previous_period(october: Any) -> None:
    report = usage_report(scope=_platform(october), start=date(2026, 10, 1), end=date(2026, 12, 1))
    october_row, november_row = report["by_month"]
    assert (october_row["month"], november_row["month"]) == ("2026-10", "2026-11")
    assert october_row["hours_used"] == 7.5
    # 1 November 00:30 local (31 October, 23:30 UTC) is November's; Dupont is new in
    # October, not again in November
    assert november_row["bookings"]["completed"] == 1
    assert (october_row["new_smes"], november_row["new_smes"]) == (1, 0)
    # November: 30 days of 10 h on two machines, no closure
    assert november_row["open_hours"] == 600.0
    previous = usage_report(scope=_platform(october), **OCTOBER)["previous"]
    # 31 August – 30 September: the micro company (1 h) and the ETI at 23:30 on the 30th
    assert previous["period"] == {"start": "2026-08-31", "end": "2026-10-01"}
    assert (previous["smes_served"], previous["companies_served"]) == (1, 2)
    assert previous["hours_used"] == 1.5 and previous["revenue"] == "30.00"
    assert previous["open_hours"] == 620.0


def test_a_companys_own_usage_only(october: Any) -> None:
    report = usage_report(
        scope=Scope(platform_ids=None, company_ids=(october.micro.pk,)), **OCTOBER
    )
    totals = report["totals"]
    # its no-show, its completed booking after the clocks went back, and the one elsewhere
    assert totals["bookings"]["completed"] == 2 and totals["bookings"]["no_show"] == 1
    assert totals["revenue"] == "1119.00" and totals["open_hours"] is None
    assert {row["name"] for row in report["machines"]} == {"Laser", "Fraiseuse", "Robot ailleurs"}


def test_a_machine_and_a_region(october: Any) -> None:
    laser = usage_report(
        scope=Scope(platform_ids=(october.laser.platform_id,), machine_id=october.laser.pk),
        **OCTOBER,
    )
    assert laser["totals"]["hours_used"] == 5.5 and [m["name"] for m in laser["machines"]] == [
        "Laser"
    ]
    elsewhere = usage_report(scope=Scope(platform_ids=None, region="84"), **OCTOBER)
    assert elsewhere["totals"]["hours_used"] == 7.5  # the other platform is in Île-de-France


def test_the_query_count_does_not_grow_with_machines_or_months(october: Any) -> None:
    counts = []
    for extra, end in ((0, date(2026, 11, 1)), (20, date(2027, 10, 1))):
        for _ in range(extra):
            MachineFactory(platform=october.laser.platform)
        with CaptureQueriesContext(connection) as queries:
            usage_report(scope=_platform(october), start=date(2026, 10, 1), end=end, detail=True)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_hours_measured_at_the_machine_are_told_apart_from_declared_ones(october: Any) -> None:
    from bookings.models import Booking
    from tests.conftest import paris

    # the 1.5 h used on the laser on 5 October were started and stopped at the machine
    Booking.objects.filter(actual_start=paris(2026, 10, 5, 10)).update(measured=True)

    report = usage_report(scope=_platform(october), **OCTOBER)

    assert (report["totals"]["hours_used"], report["totals"]["hours_measured"]) == (7.5, 1.5)
    machines = {row["name"]: row for row in report["machines"]}
    assert (machines["Laser"]["hours_measured"], machines["Fraiseuse"]["hours_measured"]) == (
        1.5,
        0.0,
    )
    assert report["by_category"]["laser"]["hours_measured"] == 1.5
    assert [row["hours_measured"] for row in report["by_month"]] == [1.5]
