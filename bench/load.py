"""The load test (issue 28): the production shape on the benchmark network, its floor, then the
mix of ``bench/locustfile.py`` — one command.

What it does, on the seeded network of the given scale (bench/network.py, the databases of
booking_core.py):
1. adds the people of the mix (members of 300 companies with API tokens, an operator per
   platform, a funder following every platform), their password hashed once with the
   production hasher (Argon2) — signing in costs what it costs;
2. collects the static files and starts gunicorn (``config/gunicorn.py``: 3 workers), one Celery
   worker and its Redis (database 11, emptied after), ``DEBUG=0``, e-mails to a dummy backend;
3. the floor: ``/healthz`` alone, its worker CPU per request;
4. the mix: ``--users`` people ramped at ``--spawn-rate`` a second, ``--seconds`` long, with
   ``--signin-wave N`` people signing in once a second each on top;
5. writes per-endpoint p50/p95/p99, requests/s and failures, and the CPU seconds of each process
   group (gunicorn, Celery, PostgreSQL) per request, to ``bench/results/load_*.json``.

Usage:
    .venv/bin/python bench/load.py --platforms 50 --machines-per-platform 10 \\
        --bookings 1000000 --users 100 --seconds 120 [--signin-wave 10]
"""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PORT = 8766
REDIS_DATABASE = 11
PASSWORD = "load-test-password-1"
MEMBERS = 300


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--platforms", type=int, default=50)
    parser.add_argument("--machines-per-platform", type=int, default=10)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--floor-seconds", type=int, default=20)
    parser.add_argument("--signin-wave", type=int, default=0, help="sign-ins a second on top")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--redis", default=f"redis://127.0.0.1:6379/{REDIS_DATABASE}")
    return parser.parse_args()


def _people(args: argparse.Namespace) -> dict[str, Any]:
    """The mix's people, added once to the network's database (found again by later runs)."""
    import django

    django.setup()
    from axes.models import AccessAttempt
    from booking_core import seeded
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import ApiToken, User
    from accounts.services import token_create
    from billing.models import Programme
    from bookings.models import Company, Membership
    from platforms.models import Machine, Platform

    seeded(args)
    # A run stopped mid-way may have left sign-in failures: none locks the next run out.
    AccessAttempt.objects.filter(username__startswith="load-").delete()
    hashed = make_password(PASSWORD)  # the production hasher: signing in costs what it costs
    people: dict[str, Any] = {"password": PASSWORD, "members": [], "operators": []}
    with transaction.atomic():
        for company in Company.objects.order_by("pk")[:MEMBERS]:
            email = f"load-member-{company.pk}@bench.fr"
            user, _ = User.objects.get_or_create(
                email=email, defaults={"display_name": "Membre", "password": hashed}
            )
            Membership.objects.get_or_create(user=user, company=company)
            ApiToken.objects.filter(user=user).delete()
            _token, raw = token_create(user=user, name="load")
            people["members"].append({"email": email, "company": company.pk, "token": raw})
        platforms = list(Platform.objects.order_by("pk"))
        for platform in platforms:
            email = f"load-operator-{platform.pk}@bench.fr"
            user, _ = User.objects.get_or_create(
                email=email, defaults={"display_name": "Opérateur", "password": hashed}
            )
            platform.operators.add(user)
            people["operators"].append({"email": email, "platform": platform.pk})
        funder, _ = User.objects.get_or_create(
            email="load-funder@bench.fr", defaults={"display_name": "Suivi", "password": hashed}
        )
        programme, _ = Programme.objects.get_or_create(
            name="Load programme", defaults={"start_date": "2025-01-01"}
        )
        programme.platforms.set(platforms)
        programme.funders.add(funder)
        people["funder"] = funder.email
    people["machines"] = list(Machine.objects.values_list("pk", flat=True))
    return people


def _cpu_seconds(processes: Any) -> float:
    """CPU seconds (user + system) the processes have used until now; gone ones count 0."""
    import psutil

    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _cpu(pids: list[int]) -> float:
    """CPU seconds of the processes and their children, as now."""
    import psutil

    family = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            family += [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return _cpu_seconds(family)


def _rss_mb(pid: int, *, children_only: bool = False) -> list[float]:
    """Resident memory of the process (or of its children: gunicorn's workers), in MB."""
    import psutil

    process = psutil.Process(pid)
    family = process.children(recursive=True) if children_only else [process]
    return [round(member.memory_info().rss / 2**20, 1) for member in family]


def _postgres_cpu() -> float:
    import psutil

    servers = psutil.process_iter(["name"])
    return _cpu_seconds(p for p in servers if p.info["name"] in ("postgres", "postmaster"))


def _locust(
    classes: list[str], users: int, rate: float, seconds: int, prefix: str, env: dict[str, str]
) -> dict[str, Any]:
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "-u",
            str(users),
            "-r",
            str(rate),
            "-t",
            f"{seconds}s",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )
    endpoints = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            name = row["Name"] if row["Name"] != "Aggregated" else "all"
            endpoints[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "per_second": round(float(row["Requests/s"] or 0), 1),
            }
    return endpoints


def main() -> None:
    args = _arguments()
    from booking_core import _database
    from shape import gunicorn

    database = _database(args)
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    people = _people(args)
    work = Path(tempfile.mkdtemp(prefix="fablab-load-"))
    (work / "people.json").write_text(json.dumps(people), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": args.redis,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",
        # Every simulated person comes from 127.0.0.1: the per-address sign-in limit, meant
        # for one client, would throttle the whole crowd.
        "SIGN_INS_PER_CLIENT_PER_MINUTE": "1000000",
        "STATIC_ROOT": str(work / "static"),
        "BENCH_LOAD_PEOPLE": str(work / "people.json"),
        "BENCH_SIGNIN_WAVE": str(args.signin_wave),
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    collect = [python, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    server = gunicorn(env, PORT)
    try:
        results: dict[str, Any] = {}
        phases = [
            ("floor", ["Floor"], 10, 10, args.floor_seconds),
            (
                "mix",
                ["Visitor", "Member", "Operator", "Funder"]
                + (["Newcomer"] if args.signin_wave else []),
                args.users + args.signin_wave,
                args.spawn_rate,
                args.seconds,
            ),
        ]
        for name, classes, users, rate, seconds in phases:
            cpu = (_cpu([server.pid]), _cpu([worker.pid]), _postgres_cpu())
            endpoints = _locust(classes, users, rate, seconds, str(work / name), env)
            used = (
                _cpu([server.pid]) - cpu[0],
                _cpu([worker.pid]) - cpu[1],
                _postgres_cpu() - cpu[2],
            )
            requests = max(endpoints.get("all", {}).get("requests", 0), 1)
            results[name] = {
                "endpoints": endpoints,
                "cpu_seconds": {
                    "gunicorn": round(used[0], 1),
                    "celery": round(used[1], 1),
                    "postgres": round(used[2], 1),
                },
                "gunicorn_cpu_ms_per_request": round(used[0] * 1000 / requests, 2),
                "postgres_cpu_ms_per_request": round(used[2] * 1000 / requests, 2),
            }
        results["memory_mb_after"] = {
            "gunicorn_workers": _rss_mb(server.pid, children_only=True),
            "celery": _rss_mb(worker.pid),
        }
        floor = results["floor"]["gunicorn_cpu_ms_per_request"] or 1
        results["mix"]["cpu_times_floor"] = round(
            results["mix"]["gunicorn_cpu_ms_per_request"] / floor, 1
        )
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=60)
        worker.wait(timeout=60)
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    report = {
        "scale": {
            "machines": len(people["machines"]),
            "bookings": args.bookings,
            "users": args.users,
            "signin_wave": args.signin_wave,
            "seconds": args.seconds,
        },
        "results": results,
    }
    wave = f"_wave{args.signin_wave}" if args.signin_wave else ""
    name = f"load_{len(people['machines'])}m_{args.bookings}b_{args.users}u{wave}.json"
    (ROOT / "bench" / "results" / name).write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{'endpoint':45} {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}")
    for endpoint, row in results["mix"]["endpoints"].items():
        print(
            f"{endpoint[:45]:45} {row['requests']:>6} {row['failures']:>5} "
            f"{row['p50_ms']:>6.0f} {row['p95_ms']:>6.0f} {row['p99_ms']:>6.0f}"
        )
    print(json.dumps({k: v for k, v in results["mix"].items() if k != "endpoints"}, indent=2))
    print("floor:", json.dumps({k: v for k, v in results["floor"].items() if k != "endpoints"}))
    print("memory after (MB):", json.dumps(results["memory_mb_after"]))


if __name__ == "__main__":
    main()
