"""The dashboard's figures are at most REPORTS_SNAPSHOT_MINUTES old: a snapshot is the report
as computed then (equal to computing it directly), refreshed by the beat for the default views
and recomputed on demand once too old."""

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Programme
from bookings.models import Booking, BookingStatus
from reports.models import ReportSnapshot
from reports.selectors import Scope, report_scope, usage_report
from reports.snapshots import default_period, report_recent, snapshots_refresh
from tests.conftest import paris
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"start": date(2026, 10, 1), "end": date(2026, 11, 1)}
OCTOBER_PAGE = {"start": "2026-10-01", "last": "2026-10-31"}


def _by_id(report: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(report["machines"], key=lambda row: row["id"])


def test_a_snapshot_is_the_report_until_it_is_too_old(october: Any, settings: Any) -> None:
    settings.REPORTS_SNAPSHOT_MINUTES = 10
    scope = Scope(platform_ids=(october.laser.platform_id,))
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        first, at = report_recent(scope=scope, **OCTOBER)
        # what the JSON column keeps is what was computed, its machines busiest first
        computed = json.loads(json.dumps(usage_report(scope=scope, **OCTOBER)))
        assert [row["utilisation"] for row in first["machines"]] == sorted(
            (row["utilisation"] for row in computed["machines"]), reverse=True
        )
        assert {**first, "machines": _by_id(first)} == {**computed, "machines": _by_id(computed)}
        Booking.objects.filter(status=BookingStatus.PENDING).update(status=BookingStatus.CONFIRMED)
        with CaptureQueriesContext(connection) as queries:
            again, again_at = report_recent(scope=scope, **OCTOBER)
    assert len(queries) == 1 and again == first and again_at == at
    with time_machine.travel(paris(2026, 11, 20, 10, 11), tick=False):
        later, later_at = report_recent(scope=scope, **OCTOBER)
    assert later["totals"]["bookings"]["pending"] == 0 and later_at > at
    assert later["totals"]["bookings"]["confirmed"] == 2


def test_the_beat_refreshes_the_default_views_and_the_funder_reads_one(
    client: Any, october: Any
) -> None:
    funder = UserFactory()
    programme = Programme.objects.create(name="IdF", start_date=date(2026, 1, 1))
    programme.platforms.add(october.laser.platform)
    programme.funders.add(funder)
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        # the network, the programme, each of the two platforms
        assert snapshots_refresh() == 4
        assert ReportSnapshot.objects.count() == 4
        client.force_login(funder)
        client.get(reverse("web:bookings"))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("web:reports"))
    assert page.status_code == 200 and "20 novembre, 10:00" in page.content.decode()
    scope = report_scope(user=funder, programme_id=programme.pk)
    start, end = default_period(date(2026, 11, 20))
    computed = json.loads(json.dumps(usage_report(scope=scope, start=start, end=end)))
    shown = page.context["report"]
    assert shown["machine_count"] == len(computed["machines"]) == 2
    assert {**shown, "machines": _by_id(shown), "machine_count": 2} == {
        **computed,
        "machines": _by_id(computed),
        "machine_count": 2,
    }
    # session, user, the header's question, programmes, platforms, scope, the snapshot…
    assert len(queries) <= 12, len(queries)


def test_old_snapshots_are_dropped(october: Any, settings: Any) -> None:
    settings.REPORTS_SNAPSHOT_MINUTES = 10
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        report_recent(
            scope=Scope(platform_ids=(october.cnc.platform_id,)),
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
        )
    with time_machine.travel(paris(2026, 11, 20, 10) + timedelta(hours=2), tick=False):
        snapshots_refresh()
    assert ReportSnapshot.objects.filter(computed_at__lt=paris(2026, 11, 20, 11)).count() == 0


def test_the_dashboard_shows_a_new_snapshot_as_soon_as_it_replaces_the_old(
    client: Any, october: Any, funder: Any, settings: Any
) -> None:
    # The figures' part is rendered once per snapshot and page, never kept past its snapshot.
    settings.REPORTS_SNAPSHOT_MINUTES = 10
    confirmed = re.compile(r"Confirmée?s?</dt><dd>(\d+)</dd>")
    client.force_login(funder)
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        first = client.get(reverse("web:reports"), OCTOBER_PAGE).content.decode()
        Booking.objects.filter(status=BookingStatus.PENDING).update(status=BookingStatus.CONFIRMED)
        again = client.get(reverse("web:reports"), OCTOBER_PAGE).content.decode()
    assert confirmed.search(first).group(1) == confirmed.search(again).group(1) == "1"
    with time_machine.travel(paris(2026, 11, 20, 10, 11), tick=False):
        client.get(reverse("web:reports"), OCTOBER_PAGE)  # stale: a worker computes anew
        later = client.get(reverse("web:reports"), OCTOBER_PAGE).content.decode()
    assert confirmed.search(later).group(1) == "2"
    assert "20 novembre, 10:11" in later
