"""Usage-report benchmark on a seeded network, on PostgreSQL.

Measured side by side in one run, on the same data:
- ``usage_report`` for the last whole month over the whole network (what the API's JSON and
  the dashboard compute: totals, platforms, machines, categories, size classes, regions, the
  month, the previous period, new SMEs, open hours);
- one hand-written SQL query with ``GROUPING SETS`` (totals, platforms, machines, categories,
  size classes, regions in one ``GROUP BY``) producing the same booking figures — checked equal;
- the dashboard ``/reports/`` over its default twelve months, as staff, through Django's test
  client (server time: middleware, session, queries, template): computed (no snapshot), and
  read from the snapshot the beat refreshes (``snapshots_refresh``, timed too).

Usage (see bench/README.md), on the same seeded databases as booking_core.py:
    .venv/bin/python bench/reports.py --platforms 50 --machines-per-platform 10 --bookings 1000000
"""

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from booking_core import _stats, arguments, seeded  # noqa: E402

# The booking figures of the report, by grouping set. Bookings belong to the month by their
# start in Europe/Paris (every seeded platform's zone); internal blocks are left out.
HAND_WRITTEN = """
SELECT
    GROUPING(p.id) AS g_platform, GROUPING(b.machine_id) AS g_machine,
    GROUPING(m.category) AS g_category, GROUPING(c.size_class) AS g_size,
    GROUPING(c.region) AS g_region,
    p.id AS platform_id, b.machine_id, m.category, c.size_class, c.region,
    COUNT(DISTINCT c.siren) FILTER (
        WHERE b.status = 'completed' AND c.size_class IN ('micro', 'small', 'medium')
    ) AS smes_served,
    COUNT(DISTINCT c.siren) FILTER (WHERE b.status = 'completed') AS companies_served,
    SUM(b."end" - b.start) FILTER (
        WHERE b.status IN ('confirmed', 'completed', 'no_show')
    ) AS hours_booked,
    SUM(COALESCE(b.actual_end - b.actual_start, b."end" - b.start)) FILTER (
        WHERE b.status = 'completed'
    ) AS hours_used,
    SUM(b.price) FILTER (WHERE b.status IN ('completed', 'no_show')) AS revenue,
    COUNT(*) FILTER (WHERE b.status = 'pending') AS n_pending,
    COUNT(*) FILTER (WHERE b.status = 'confirmed') AS n_confirmed,
    COUNT(*) FILTER (WHERE b.status = 'completed') AS n_completed,
    COUNT(*) FILTER (WHERE b.status = 'cancelled' AND NOT b.late_cancellation) AS n_cancelled,
    COUNT(*) FILTER (WHERE b.status = 'cancelled' AND b.late_cancellation) AS n_late_cancelled,
    COUNT(*) FILTER (WHERE b.status = 'no_show') AS n_no_show,
    COUNT(*) FILTER (WHERE b.status = 'rejected') AS n_rejected
FROM bookings_booking b
JOIN platforms_machine m ON m.id = b.machine_id
JOIN platforms_platform p ON p.id = m.platform_id
JOIN bookings_company c ON c.id = b.company_id
WHERE b.kind = 'company'
  AND b.start >= (%(start)s::date)::timestamp AT TIME ZONE 'Europe/Paris'
  AND b.start < (%(end)s::date)::timestamp AT TIME ZONE 'Europe/Paris'
GROUP BY GROUPING SETS ((), (p.id), (b.machine_id), (m.category), (c.size_class), (c.region))
"""


def _hours(value: Any) -> float:
    return round(value.total_seconds() / 3600, 2) if value else 0.0


def _hand_written(start: date, end: date) -> dict[str, Any]:
    from django.db import connection

    from reports.selectors import STATUSES

    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN, {"start": start.isoformat(), "end": end.isoformat()})
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    figures: dict[str, Any] = {}
    for row in rows:
        flags = (
            row["g_platform"],
            row["g_machine"],
            row["g_category"],
            row["g_size"],
            row["g_region"],
        )
        key = {
            (1, 1, 1, 1, 1): ("totals", None),
            (0, 1, 1, 1, 1): ("platforms", row["platform_id"]),
            (1, 0, 1, 1, 1): ("machines", row["machine_id"]),
            (1, 1, 0, 1, 1): ("by_category", row["category"]),
            (1, 1, 1, 0, 1): ("by_size_class", row["size_class"]),
            (1, 1, 1, 1, 0): ("by_region", row["region"]),
        }[flags]
        figures[f"{key[0]}:{key[1]}"] = {
            "smes_served": row["smes_served"],
            "companies_served": row["companies_served"],
            "hours_booked": _hours(row["hours_booked"]),
            "hours_used": _hours(row["hours_used"]),
            "revenue": str((row["revenue"] or Decimal("0")).quantize(Decimal("0.01"))),
            "bookings": {status: row[f"n_{status}"] for status in STATUSES},
        }
    return figures


def _same(report: dict[str, Any], hand: dict[str, Any]) -> int:
    """Check the ORM's report against the hand-written figures; returns how many compared."""
    keys = ("smes_served", "companies_served", "hours_booked", "hours_used", "revenue", "bookings")
    compared = 0

    def check(name: str, ours: dict[str, Any]) -> None:
        nonlocal compared
        theirs = hand.get(name)
        if theirs is None:  # a group with no booking: the report shows zeros
            assert ours["bookings"]["completed"] == 0 and ours["hours_booked"] == 0, name
            return
        for key in keys:
            assert ours[key] == theirs[key], (name, key, ours[key], theirs[key])
        compared += 1

    check("totals:None", report["totals"])
    for row in report["platforms"]:
        check(f"platforms:{row['id']}", row)
    for row in report["machines"]:
        check(f"machines:{row['id']}", row)
    for group in ("by_category", "by_size_class", "by_region"):
        for name, row in report[group].items():
            check(f"{group}:{name}", row)
    return compared


def run(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking
    from reports.models import ReportSnapshot
    from reports.selectors import Scope, usage_report
    from reports.snapshots import snapshots_refresh

    settings.ALLOWED_HOSTS = ["*"]
    seeded(args)
    this_month = timezone.localdate().replace(day=1)
    start, end = (this_month - timedelta(days=1)).replace(day=1), this_month
    scope = Scope(platform_ids=None)
    runs = args.runs

    report_samples, report_queries = [], []
    for index in range(runs + 1):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            report = usage_report(scope=scope, start=start, end=end)
            elapsed = time.perf_counter() - began
        if index:
            report_samples.append(elapsed)
            report_queries.append(len(captured.captured_queries))
    sql_samples = []
    for index in range(runs + 1):
        began = time.perf_counter()
        hand = _hand_written(start, end)
        elapsed = time.perf_counter() - began
        if index:
            sql_samples.append(elapsed)
    compared = _same(report, hand)

    staff, _ = User.objects.get_or_create(
        email="bench@demo.fr", defaults={"is_staff": True, "display_name": "Bench"}
    )
    client = Client()
    client.force_login(staff)

    def dashboard(cold: bool) -> dict[str, Any]:
        samples, queries = [], []
        for index in range(max(runs // 2, 5) + 1):
            if cold:
                ReportSnapshot.objects.all().delete()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                answer = client.get("/reports/")
                elapsed = time.perf_counter() - began
            assert answer.status_code == 200, answer.status_code
            if index:
                samples.append(elapsed)
                queries.append(len(captured.captured_queries))
        return {**_stats(samples), "queries": max(queries)}

    cold = dashboard(cold=True)
    began = time.perf_counter()
    refreshed = snapshots_refresh()
    refresh_seconds = time.perf_counter() - began
    warm = dashboard(cold=False)

    ours, theirs = _stats(report_samples), _stats(sql_samples)
    return {
        "scale": {
            "machines": len(report["machines"]),
            "bookings": Booking.objects.count(),
            "bookings_in_month": sum(report["totals"]["bookings"].values()),
        },
        "month": {"start": start.isoformat(), "end": end.isoformat()},
        "database": connection.settings_dict["NAME"],
        "cores": os.cpu_count(),
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "results": {
            "usage_report (month, whole network)": {**ours, "queries": max(report_queries)},
            "hand-written GROUPING SETS (same figures)": {**theirs, "queries": 1},
            "ratio (median)": round(ours["median_ms"] / theirs["median_ms"], 2),
            "groups compared equal": compared,
            "/reports/ (12 months, whole network, computed)": cold,
            "/reports/ (12 months, whole network, snapshot of the last minutes)": warm,
            "snapshots_refresh (the beat: network, programmes, each platform)": {
                "seconds": round(refresh_seconds, 1),
                "views": refreshed,
            },
        },
    }


def main() -> None:
    args = arguments(__doc__, runs=20)
    report = run(args)
    scale = report["scale"]
    out = ROOT / "bench" / "results" / f"reports_{scale['machines']}m_{args.bookings}b.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report["results"], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
