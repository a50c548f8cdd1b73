"""Waiting lists count as demand: in the report (per machine, per platform, in total) and on
the operator's week."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from bookings.services import booking_create, waiting_join
from reports.selectors import Scope, usage_report
from tests.conftest import paris
from tests.factories import MachineFactory

pytestmark = pytest.mark.django_db

JANUARY = {"start": date(2027, 1, 1), "end": date(2027, 2, 1)}


@pytest.fixture
def demand(machine: Any, make_member: Any, frozen_now: Any) -> Any:
    """A busy Wednesday on ``machine``: two people wait for it; a quiet second machine."""
    holder = make_member()
    start = paris(2027, 1, 6, 10)
    booking_create(
        machine=machine,
        company=holder.company,
        user=holder,
        start=start,
        end=start + timedelta(hours=2),
    )
    waiting = [make_member(), make_member()]
    for person in waiting:
        waiting_join(
            machine=machine,
            company=person.company,
            user=person,
            start=start,
            end=start + timedelta(hours=1),
        )
    quiet = MachineFactory(platform=machine.platform, name="Tour calme")
    return machine, quiet, waiting


def test_the_report_counts_the_people_who_waited(demand: Any) -> None:
    machine, quiet, waiting = demand

    report = usage_report(scope=Scope(platform_ids=(machine.platform_id,)), **JANUARY)

    assert report["totals"]["waiting"] == 2
    assert {row["id"]: row["waiting"] for row in report["machines"]} == {
        machine.pk: 2,
        quiet.pk: 0,
    }
    (platform,) = report["platforms"]
    assert platform["waiting"] == 2
    # A company's own report counts its own waiting only.
    own = usage_report(
        scope=Scope(platform_ids=None, company_ids=(waiting[0].company.pk,)), **JANUARY
    )
    assert own["totals"]["waiting"] == 1
    # Another month: nobody waited.
    assert (
        usage_report(
            scope=Scope(platform_ids=(machine.platform_id,)),
            start=date(2027, 2, 1),
            end=date(2027, 3, 1),
        )["totals"]["waiting"]
        == 0
    )


def test_the_operator_sees_the_weeks_waiting_per_machine(demand: Any, operator: Any) -> None:
    machine, quiet, _waiting = demand
    operator.preferred_language = "en"
    operator.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(operator)

    page = client.get(f"/operator/platforms/{machine.platform_id}/").content.decode()
    later = client.get(f"/operator/platforms/{machine.platform_id}/?week=2027-W03").content.decode()

    section = page[page.index("Waiting lists this week") :]
    assert machine.name in section and ">2</td>" in section
    assert quiet.name not in section
    assert "Nobody waited for a slot" in later
