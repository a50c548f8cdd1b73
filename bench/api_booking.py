"""Booking over HTTP against gunicorn on PostgreSQL: latency at each concurrency.

Starts gunicorn (2 workers: the machine has 2 cores) on the benchmark network of
bench/booking_core.py (500 machines, 200,000 bookings), then sends N requests to
``POST /api/v1/bookings/`` (token auth, validation, lock, rules, insert, audit, outbox), each
with its own ``Idempotency-Key`` as a client that retries safely sends it, from C concurrent
keep-alive connections, for each C of ``--concurrency`` (default 1, 10 and 50). Reports the
median and 95th percentile of each, and the answers by status. The bookings it creates are
deleted at the end.

By default a staff account books on the companies' behalf, and the bench companies have no
members, so no confirmation is recorded. ``--members`` books as the SMEs do: each company gets
an administrator with a token of their own, who books without naming the company (their only
one), and every booking records its confirmation in the outbox and hands it to Celery through
a real Redis (``--redis-url``, a database of its own, emptied at the end; no worker runs).

    .venv/bin/python bench/api_booking.py --requests 400 --concurrency 1 10 50 [--members]
"""

import argparse
import importlib.util
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOTE = "bench-api"
MEMBER_PREFIX = "bench-admin-"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _slots(
    machines: list[tuple[int, int]], companies: list[int], count: int, seed: int
) -> list[dict[str, Any]]:
    """Distinct one-hour weekday slots 46 to 85 days ahead: beyond the seeded bookings, inside
    the 90-day horizon, outside lunch breaks; a few still meet a closure or a quota."""
    rng = random.Random(seed)
    today = date.today()
    seen: set[tuple[int, date, int]] = set()
    slots = []
    while len(slots) < count:
        machine, _platform = rng.choice(machines)
        day = today + timedelta(days=rng.randint(46, 85))
        hour = rng.choice([9, 10, 11, 14, 15, 16])
        if day.weekday() >= 5 or (machine, day, hour) in seen:
            continue
        seen.add((machine, day, hour))
        slots.append(
            {
                "machine": machine,
                "company": rng.choice(companies),
                "start": f"{day.isoformat()}T{hour:02d}:00:00",
                "end": f"{day.isoformat()}T{hour + 1:02d}:00:00",
                "note": NOTE,
            }
        )
    return slots


def add_network_arguments(parser: argparse.ArgumentParser, database: str) -> None:
    """Which network to book on, and as whom."""
    parser.add_argument(
        "--members",
        action="store_true",
        help="book as each company's administrator, the confirmation in the outbox handed to "
        "a real Redis",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"
        ),
    )


def _this_checkouts_code() -> None:
    """Work from this checkout, and stop unless the application imported is its own. Loading
    the application puts the working directory at the head of ``sys.path``: a worktree's
    bench started from another checkout measured that checkout's code (bench/README.md,
    "Comparing two versions")."""
    os.chdir(ROOT)
    spec = importlib.util.find_spec("bookings")
    origin = Path(spec.origin if spec and spec.origin else "?").resolve()
    if not origin.is_relative_to(ROOT):
        sys.exit(f"bench: the application would be imported from {origin.parent}, not {ROOT}.")


def bench_environment(database_url: str, redis_url: str | None) -> dict[str, str]:
    """The settings the bench runs the application with: production's (DEBUG off), plain HTTP
    on loopback, a broker only when given one."""
    _this_checkouts_code()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        # Plain HTTP on loopback: no redirect to HTTPS.
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _bookable(members: bool) -> tuple[list[tuple[int, int]], list[int]]:
    """(machine, platform) pairs to book — members only those that need no qualification
    (staff need none anywhere) — and 500 companies."""
    from bookings.models import Company
    from platforms.models import Machine

    bookable = Machine.objects.filter(active=True)
    if members:
        bookable = bookable.filter(requires_qualification=False)
    machines = list(bookable.values_list("pk", "platform_id"))
    return machines, list(Company.objects.values_list("pk", flat=True)[:500])


def bench_requests(
    count: int, seed: int, members: bool
) -> tuple[str, list[dict[str, Any]], dict[int, str]]:
    """The staff's token, ``count`` distinct booking bodies, and with ``members`` a token per
    company's administrator."""
    from accounts.models import User
    from accounts.services import token_create

    staff, _ = User.objects.get_or_create(
        email="bench-api@demo.fr", defaults={"is_staff": True, "display_name": "Bench API"}
    )
    _, token = token_create(user=staff, name="bench")
    machines, companies = _bookable(members)
    bodies = _slots(machines, companies, count, seed)
    return token, bodies, _member_tokens(companies) if members else {}


def _member_tokens(companies: list[int]) -> dict[int, str]:
    """An administrator per company, each with a token (removed at the end of the run)."""
    from accounts.models import User
    from accounts.services import token_create
    from bookings.models import Membership, MembershipRole

    tokens = {}
    for company in companies:
        user, _ = User.objects.get_or_create(
            email=f"{MEMBER_PREFIX}{company}@demo.fr", defaults={"display_name": "Bench admin"}
        )
        Membership.objects.get_or_create(
            user=user, company_id=company, defaults={"role": MembershipRole.ADMIN}
        )
        tokens[company] = token_create(user=user, name="bench")[1]
    return tokens


def _run(
    url: str, token: str, bodies: list[dict[str, Any]], concurrency: int, keyed: bool = False
) -> dict[str, Any]:
    local = threading.local()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def send(body: dict[str, Any]) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers["Authorization"] = f"Token {token}"
        # A client that retries safely sends a fresh Idempotency-Key with each new request.
        headers = {"Idempotency-Key": str(uuid.uuid4())} if keyed else {}
        member_token = body.get("_token")
        if member_token:
            headers["Authorization"] = f"Token {member_token}"
            body = {k: v for k, v in body.items() if k not in ("_token", "company")}
        started = time.perf_counter()
        response = session.post(url, json=body, headers=headers, timeout=30)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, bodies))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(bodies),
        "seconds": round(wall, 2),
        "requests_per_second": round(len(bodies) / wall, 1),
        "created_per_second": round(statuses.get(201, 0) / wall, 1),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=400, help="per concurrency")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--without-key", action="store_true", help="send booking requests without Idempotency-Key"
    )
    add_network_arguments(parser, "fablab_bench_500_200000")
    args = parser.parse_args()
    env = bench_environment(args.database_url, args.redis_url if args.members else None)
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from billing.models import BillableLine
    from bookings.models import Booking
    from platforms.models import Machine

    call_command("migrate", verbosity=0)
    if not Machine.objects.exists():
        sys.exit("Seed the network first: make bench (or bench/booking_core.py).")
    rounds = len(args.concurrency)
    token, bodies, tokens = bench_requests(args.requests * (rounds + 1), args.seed, args.members)
    for body in bodies if tokens else ():
        body["_token"] = tokens[body["company"]]

    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    results = {}
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        url = f"{base}/api/v1/bookings/"
        keyed = not args.without_key
        _run(url, token, bodies[: args.requests], min(args.concurrency), keyed=keyed)  # warm-up
        for index, concurrency in enumerate(args.concurrency, start=1):
            batch = bodies[index * args.requests : (index + 1) * args.requests]
            results[str(concurrency)] = _run(url, token, batch, concurrency, keyed=keyed)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        BillableLine.objects.filter(booking__note=NOTE).delete()
        Booking.objects.filter(note=NOTE).delete()  # their outbox rows with them
        if args.members:
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
            # The network as seeded again: companies without members (the staff path's).
            User.objects.filter(email__startswith=MEMBER_PREFIX).delete()
    report = {
        "database": args.database_url.rsplit("/", 1)[-1],
        "gunicorn_workers": args.workers,
        "idempotency_key": not args.without_key,
        "booked_by": "each company's administrator" if args.members else "staff",
        "by_concurrency": results,
        "taken_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out = ROOT / "bench" / "results" / "api_booking.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    for concurrency, figures in results.items():
        print(
            f"{concurrency:>3} clients: p50 {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"{figures['created_per_second']}/s created, {figures['statuses']}"
        )


if __name__ == "__main__":
    main()
