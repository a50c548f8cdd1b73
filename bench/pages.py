"""Server time and queries of the SME's pages on a seeded network, on PostgreSQL.

Each page is asked through Django's test client, in-process (no network, no browser): the
time is what the server spends building the answer — middleware, session, queries, template.
- ``/machines/`` unfiltered (first page of the whole catalogue), filtered by category and
  region, and searching free time over 7 days (filtered, and the whole network);
- ``/machines/<id>/?week=`` of a random machine, next week, signed in as an SME member;
- ``/bookings/`` of the company with the most bookings, signed in as its member;
- ``/operator/platforms/<id>/?week=`` of a random platform, next week, as staff, and
  ``?day=`` one of its weekdays by half hours.

Usage (see bench/README.md), on the same seeded databases as booking_core.py:
    .venv/bin/python bench/pages.py --platforms 50 --machines-per-platform 10 --bookings 200000
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from booking_core import _stats, arguments, seeded  # noqa: E402


def _measure(client: Any, path: Any, runs: int, **params: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples, queries = [], []
    for index in range(runs + 1):
        data = params["data"]() if callable(params.get("data")) else params.get("data")
        target = path() if callable(path) else path
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            answer = client.get(target, data)
            elapsed = time.perf_counter() - started
        assert answer.status_code == 200, (target, answer.status_code)
        if index:  # the first request warms the session and the caches
            samples.append(elapsed)
            queries.append(len(captured.captured_queries))
    return {**_stats(samples), "queries": max(queries), "queries_min": min(queries)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking, Company, Membership
    from platforms.models import Machine

    settings.ALLOWED_HOSTS = ["*"]
    seeded(args)
    rng = random.Random(args.seed)
    prefix = f"net{args.seed}-"
    machines = list(
        Machine.objects.filter(platform__slug__startswith=prefix).select_related("platform")
    )
    busiest = Company.objects.annotate(count=Count("bookings")).order_by("-count").first()
    assert busiest is not None
    member, _ = User.objects.get_or_create(
        email="bench-member@demo.fr", defaults={"display_name": "Bench member"}
    )
    Membership.objects.get_or_create(user=member, company=busiest)
    anonymous, signed_in, staff_client = Client(), Client(), Client()
    signed_in.force_login(member)
    import gc

    gc.freeze()  # as config/wsgi.py does once the application is loaded
    staff, _ = User.objects.get_or_create(
        email="bench@demo.fr", defaults={"is_staff": True, "display_name": "Bench"}
    )
    staff_client.force_login(staff)
    platform_ids = sorted({m.platform_id for m in machines})
    today = timezone.localdate()
    first = today + timedelta(days=1)
    week_dates = {
        "available_from": first.isoformat(),
        "available_to": (first + timedelta(days=6)).isoformat(),
    }
    next_week = today + timedelta(days=7)
    week_label = "{}-W{:02d}".format(*next_week.isocalendar()[:2])
    regions = sorted({m.platform.region for m in machines})
    runs = args.runs
    results = {
        "/machines/ (whole network, first page)": _measure(anonymous, "/machines/", runs),
        "/machines/?category&region": _measure(
            anonymous,
            "/machines/",
            runs,
            data=lambda: {
                "category": rng.choice(["laser", "cnc", "additive"]),
                "region": rng.choice(regions),
            },
        ),
        "/machines/?category&region&7 days free": _measure(
            anonymous,
            "/machines/",
            runs,
            data=lambda: {
                **week_dates,
                "category": rng.choice(["laser", "cnc", "additive"]),
                "region": rng.choice(regions),
            },
        ),
        "/machines/?7 days free (whole network)": _measure(
            anonymous, "/machines/", max(runs // 4, 10), data=week_dates
        ),
        "/machines/<id>/?week= (signed in)": _measure(
            signed_in,
            lambda: f"/machines/{rng.choice(machines).pk}/",
            runs,
            data={"week": week_label},
        ),
        "/bookings/ (busiest company)": _measure(signed_in, "/bookings/", runs),
        f"/operator/platforms/<id>/?week= ({args.machines_per_platform} machines)": _measure(
            staff_client,
            lambda: f"/operator/platforms/{rng.choice(platform_ids)}/",
            runs,
            data={"week": week_label},
        ),
        f"/operator/platforms/<id>/?day= ({args.machines_per_platform} machines)": _measure(
            staff_client,
            lambda: f"/operator/platforms/{rng.choice(platform_ids)}/",
            runs,
            data=lambda: {"day": (next_week + timedelta(days=rng.randrange(5))).isoformat()},
        ),
    }
    return {
        "scale": {
            "machines": len(machines),
            "bookings": Booking.objects.filter(machine__platform__slug__startswith=prefix).count(),
            "busiest_company_bookings": busiest.count,  # type: ignore[attr-defined]
        },
        "database": connection.settings_dict["NAME"],
        "cores": os.cpu_count(),
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "results": results,
    }


def main() -> None:
    args = arguments(__doc__, runs=60)
    report = run(args)
    scale = report["scale"]
    out = ROOT / "bench" / "results" / f"pages_{scale['machines']}m_{args.bookings}b.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"\n{scale['machines']} machines, {scale['bookings']:,} bookings ({out.relative_to(ROOT)})"
    )
    print("| page | median ms | p95 ms | queries |")
    print("| --- | ---: | ---: | ---: |")
    for name, figures in report["results"].items():
        print(f"| {name} | {figures['median_ms']} | {figures['p95_ms']} | {figures['queries']} |")


if __name__ == "__main__":
    main()
