"""Booking-core benchmark on a seeded network, on PostgreSQL.

Measures, with median and p95 of repeated runs and the number of queries of each call:
- ``machine_availability`` of a random machine over 4 weeks;
- ``machines_search`` over 7 days for a random category and region, and over the whole
  network;
- ``booking_create`` in a loop on random slots (what it creates is deleted afterwards).

Usage (see bench/README.md):
    .venv/bin/python bench/booking_core.py --platforms 50 --machines-per-platform 10 \\
        --bookings 200000
The network is seeded once per scale in its own database (fablab_bench_<machines>_<bookings>)
and reused by later runs.
"""

import argparse
import json
import os
import platform as host
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _database(args: argparse.Namespace) -> str:
    machines = args.platforms * args.machines_per_platform
    name = f"fablab_bench_{machines}_{args.bookings}"
    server = args.server.rstrip("/")
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def seeded(args: argparse.Namespace) -> None:
    """Migrate the scale's database and seed its network once (a later run reuses it)."""
    from django.core.management import call_command

    from bench.network import seed_network

    call_command("migrate", verbosity=0)
    seed_network(
        platforms=args.platforms,
        machines_per_platform=args.machines_per_platform,
        bookings=args.bookings,
        companies=args.companies,
        seed=args.seed,
    )
    settled()


def settled() -> None:
    """VACUUM ANALYZE, as autovacuum would have done to a network that has lived a while: on a
    freshly seeded one the whole-network search at 5,000 machines took 273 ms instead of 136
    (index-only scans need the visibility map; the planner needs the statistics). Quick when
    nothing changed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "runs": len(ordered),
    }


def _timed(func: Any, **kwargs: Any) -> tuple[float, int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = func(**kwargs)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), result


def arguments(description: str | None, *, runs: int) -> argparse.Namespace:
    """The scale of the seeded network (shared by the benchmarks on it), and point Django at
    its database, with no broker."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--platforms", type=int, default=50)
    parser.add_argument("--machines-per-platform", type=int, default=10)
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without the database name",
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = _database(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from billing.models import BillableLine
    from bookings.models import Booking, Company
    from bookings.selectors import machine_availability, machines_search
    from bookings.services import booking_create
    from core.exceptions import DomainError
    from platforms.models import Machine, MachineCategory
    from platforms.timezones import local_midnight, zone

    call_command("migrate", verbosity=0)
    import gc

    gc.freeze()  # as config/wsgi.py does once the application is loaded
    seed_started = time.perf_counter()
    from bench.network import seed_network

    seed_network(
        platforms=args.platforms,
        machines_per_platform=args.machines_per_platform,
        bookings=args.bookings,
        companies=args.companies,
        seed=args.seed,
    )
    settled()
    seed_seconds = time.perf_counter() - seed_started
    from django.db import reset_queries

    reset_queries()  # the seeding filled the query log: counts below start from empty
    rng = random.Random(args.seed)
    prefix = f"net{args.seed}-"
    machines = list(
        Machine.objects.filter(platform__slug__startswith=prefix).select_related("platform")
    )
    regions = sorted({machine.platform.region for machine in machines})
    categories = [choice for choice, _ in MachineCategory.choices]
    paris = zone("Europe/Paris")
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    results: dict[str, Any] = {}

    # Availability over 4 weeks for a random machine.
    samples, queries = [], []
    start = local_midnight(monday, paris)
    end = local_midnight(monday + timedelta(weeks=4), paris)
    for _ in range(args.runs):
        machine = rng.choice(machines)
        machine = Machine.objects.select_related("platform").get(pk=machine.pk)
        elapsed, count, _ = _timed(machine_availability, machine=machine, start=start, end=end)
        samples.append(elapsed)
        queries.append(count)
    results["machine_availability (4 weeks)"] = {**_stats(samples), "queries": max(queries)}

    # Search over 7 days for a category and a region, across the whole network; then the whole
    # network unfiltered (one statement).
    start = local_midnight(today + timedelta(days=1), paris)
    end = start + timedelta(days=7)
    samples, queries, hits = [], [], []
    for _ in range(max(args.runs // 4, 20)):
        elapsed, count, found = _timed(
            machines_search,
            start=start,
            end=end,
            category=rng.choice(categories),
            region=rng.choice(regions),
        )
        samples.append(elapsed)
        queries.append(count)
        hits.append(len(found))
    results["machines_search (7 days, category + region)"] = {
        **_stats(samples),
        "queries": max(queries),
        "machines_found_median": statistics.median(hits),
    }
    samples, queries = [], []
    for _ in range(max(args.runs // 10, 10)):
        elapsed, count, _ = _timed(machines_search, start=start, end=end)
        samples.append(elapsed)
        queries.append(count)
    results["machines_search (7 days, whole network)"] = {
        **_stats(samples),
        "queries": max(queries),
    }

    # booking_create on random slots, as the platform's operator (staff) for a random company.
    staff, _ = User.objects.get_or_create(
        email="bench@demo.fr", defaults={"is_staff": True, "display_name": "Bench"}
    )
    company_ids = list(Company.objects.values_list("pk", flat=True)[:500])
    samples, queries, outcomes, created = [], [], {}, []
    for _ in range(args.runs):
        machine = rng.choice(machines)
        day = today + timedelta(days=rng.randint(3, 60))
        hour = rng.randint(8, 16)
        slot_start = datetime(day.year, day.month, day.day, hour)
        try:
            elapsed, count, booking = _timed(
                booking_create,
                machine=machine,
                company=Company(pk=rng.choice(company_ids)),
                user=staff,
                start=slot_start,
                end=slot_start + timedelta(hours=1),
            )
            created.append(booking.pk)
            outcome = "created"
        except DomainError as error:
            elapsed, count, outcome = float("nan"), 0, error.code
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "created":
            samples.append(elapsed)
            queries.append(count)
    BillableLine.objects.filter(booking__in=created).delete()  # priced when booked
    Booking.objects.filter(pk__in=created).delete()
    results["booking_create (successful)"] = {
        **_stats(samples),
        "queries": max(queries),
        "outcomes": outcomes,
    }
    from django.db import connection

    return {
        "scale": {
            "platforms": args.platforms,
            "machines": len(machines),
            "bookings": Booking.objects.filter(machine__platform__slug__startswith=prefix).count(),
            "companies": args.companies,
            "seed": args.seed,
        },
        "seed_seconds_this_run": round(seed_seconds, 1),
        "database": connection.settings_dict["NAME"],
        "machine": {
            "cpu": host.processor() or host.machine(),
            "cores": os.cpu_count(),
            "python": host.python_version(),
            "postgresql": connection.cursor().connection.info.server_version,
        },
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "results": results,
    }


def main() -> None:
    args = arguments(__doc__, runs=200)
    report = run(args)
    scale = report["scale"]
    out = ROOT / "bench" / "results" / f"booking_core_{scale['machines']}m_{args.bookings}b.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"\n{scale['machines']} machines, {scale['bookings']:,} bookings ({out.relative_to(ROOT)})"
    )
    print("| operation | median ms | p95 ms | queries |")
    print("| --- | ---: | ---: | ---: |")
    for name, figures in report["results"].items():
        print(f"| {name} | {figures['median_ms']} | {figures['p95_ms']} | {figures['queries']} |")


if __name__ == "__main__":
    main()
