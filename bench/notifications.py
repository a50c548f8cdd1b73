"""Booking confirmations through the outbox, Redis and one worker to a local SMTP server.

In one run, on PostgreSQL (its own database, ``fablab_bench_notifications``) and a Redis of
its own: starts ``celery worker`` with 2 processes, a local SMTP sink (aiosmtpd), then
1. makes N bookings one after another (each commits, records its confirmation in the outbox
   and queues the send); measures, per message, the time from the outbox row's creation
   (inside the booking's transaction, so the commit is included) to the SMTP server's
   acceptance; the throughput is messages delivered per second from the first commit to the
   last acceptance;
   then makes N more in one transaction, so that their N sends are queued in a burst on
   commit, and measures throughput and latency from that commit: the pipeline's capacity;
2. queues N no-op tasks in a burst and measures the same from publication to execution.
Goals (issue 9): p95 under 2 s; throughput at least half the no-op task's. Issue 28: with one
worker process, bookings at 50 a second, confirmations within 5 s (p95):

    .venv/bin/python bench/notifications.py --bookings 2000
    .venv/bin/python bench/notifications.py --bookings 3000 --concurrency 1 --rate 50
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Handler:
    """aiosmtpd's handler: each message's Message-ID and when it was accepted, a line each."""

    def __init__(self, path: str) -> None:
        self.path = path

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with open(self.path, "a", encoding="utf-8") as accepted:
                    accepted.write(f"{line.split(b':', 1)[1].strip().decode()} {time.time()}\n")
                break
        await asyncio.sleep(0)
        return "250 OK"


def _serve(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    Controller(Handler(path), hostname="127.0.0.1", port=port).start()
    while True:
        time.sleep(3600)


class Sink:
    """The SMTP server in a process of its own: in the bench's process it waited for the
    interpreter lock while the bench booked, and slowed every delivery it measured."""

    def __init__(self, port: int) -> None:
        import multiprocessing
        import tempfile

        self.path = tempfile.mktemp(prefix="fablab-sink-")
        open(self.path, "w").close()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(port, self.path), daemon=True
        )
        self.process.start()
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)

    @property
    def accepted(self) -> dict[str, float]:
        with open(self.path, encoding="utf-8") as lines:
            return {
                key: float(moment)
                for key, moment in (line.split() for line in lines if line.strip())
            }

    def clear(self) -> None:
        open(self.path, "w").close()

    def stop(self) -> None:
        self.process.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--rate", type=float, default=0, help="bookings a second, one after another (0: at once)"
    )
    args = parser.parse_args()

    import psycopg

    database = "fablab_bench_notifications"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database}")
        conn.execute(f"CREATE DATABASE {database}")
    redis_port, smtp_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{args.server}/{database}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    redis_server = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    sink = Sink(smtp_port)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-c",
            str(args.concurrency),
            "--without-gossip",
            "--without-mingle",
            "-I",
            "bench.noop_task",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        import django

        django.setup()
        import redis
        from django.utils import timezone

        from bench.noop_task import noop
        from bookings.models import Company, CompanySize, Membership
        from bookings.services import booking_create
        from bookings.siret import siret_complete
        from notifications.compose import message_id_for
        from notifications.models import Message
        from platforms.models import OpeningHours, Region
        from tests.factories import MachineFactory, PlatformFactory, UserFactory

        client = redis.Redis.from_url(env["CELERY_BROKER_URL"])
        time.sleep(5)  # the worker's start
        platform = PlatformFactory(
            name="Bench", slug="bench", hours=[], contact_email="contact@bench.example.fr"
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(
                platform=platform,
                weekday=day,
                opens=datetime.min.time(),
                closes=datetime.min.time(),
            )
            for day in range(7)
        )
        machine = MachineFactory(platform=platform, min_notice_hours=0, max_advance_days=200)
        user = UserFactory(email="pme@bench.example.fr")
        company = Company.objects.create(
            name="PME",
            siret=siret_complete("4000000000001"),
            size_class=CompanySize.SMALL,
            region=Region.BRETAGNE,
        )
        Membership.objects.create(user=user, company=company)
        # Slots counted in UTC: in local time the 30th minute after 01:30 on the night of the
        # spring change does not exist.
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)

        # 1. confirmations
        began = time.time()
        for index in range(args.bookings):
            if args.rate:  # paced: the index-th booking at its time, none early
                time.sleep(max(0.0, began + index / args.rate - time.time()))
            slot = start + timedelta(minutes=30 * index)
            booking_create(
                machine=machine,
                company=company,
                user=user,
                start=slot,
                end=slot + timedelta(minutes=30),
            )
        booked = time.time()
        deadline = time.time() + 600
        while len(sink.accepted) < args.bookings and time.time() < deadline:
            time.sleep(0.2)

        rows = list(Message.objects.all())
        accepted = sink.accepted
        latencies = [
            accepted[message_id_for(row)] - row.created_at.timestamp()
            for row in rows
            if message_id_for(row) in accepted
        ]
        first = min(row.created_at.timestamp() for row in rows)
        last = max(accepted.values())
        confirmations = {
            "messages": len(rows),
            "delivered": len(latencies),
            "booking_rate_per_s": round(args.bookings / (booked - began), 1),
            "throughput_per_s": round(len(latencies) / (last - first), 1),
            "latency_p50_s": round(statistics.median(latencies), 3),
            "latency_p95_s": round(_percentile(latencies, 0.95), 3),
        }

        # 1b. a burst: the same number of bookings committed in one transaction, so their
        # sends are queued together, as fast as the no-op tasks below: the pipeline's capacity
        sink.clear()
        from django.db import transaction

        burst_start = start + timedelta(minutes=30 * args.bookings)
        with transaction.atomic():
            for index in range(args.bookings):
                slot = burst_start + timedelta(minutes=30 * index)
                booking_create(
                    machine=machine,
                    company=company,
                    user=user,
                    start=slot,
                    end=slot + timedelta(minutes=30),
                )
            burst_rows = list(Message.objects.filter(booking__start__gte=burst_start))
            committed = [time.time()]
            transaction.on_commit(lambda: committed.append(time.time()))
        while len(sink.accepted) < args.bookings and time.time() < deadline + 600:
            time.sleep(0.2)
        accepted = sink.accepted
        burst_latencies = [
            accepted[message_id_for(row)] - committed[0]
            for row in burst_rows
            if message_id_for(row) in accepted
        ]
        burst = {
            "messages": len(burst_rows),
            "delivered": len(burst_latencies),
            "queueing_s": round(committed[-1] - committed[0], 2),
            "throughput_per_s": round(
                len(burst_latencies) / (max(accepted.values()) - committed[0]), 1
            ),
            "latency_p50_s": round(statistics.median(burst_latencies), 3),
            "latency_p95_s": round(_percentile(burst_latencies, 0.95), 3),
        }

        # 2. the no-op task, published the same way (one per "commit", as fast as we can)
        client.delete("bench:noop")
        began = time.time()
        for _ in range(args.bookings):
            noop.delay(time.time())
        while client.llen("bench:noop") < args.bookings and time.time() < deadline:
            time.sleep(0.2)
        pairs = [tuple(map(float, item.split())) for item in client.lrange("bench:noop", 0, -1)]
        noop_latencies = [ran - published for published, ran in pairs]
        baseline = {
            "tasks": len(pairs),
            "throughput_per_s": round(len(pairs) / (max(ran for _, ran in pairs) - began), 1),
            "latency_p50_s": round(statistics.median(noop_latencies), 3),
            "latency_p95_s": round(_percentile(noop_latencies, 0.95), 3),
        }
        result = {
            "date": datetime.now().isoformat(timespec="seconds"),
            "bookings": args.bookings,
            "worker_processes": args.concurrency,
            "booking_rate_asked_per_s": args.rate or None,
            "confirmations_one_by_one": confirmations,
            "confirmations_burst": burst,
            "noop_task": baseline,
            "throughput_ratio": round(burst["throughput_per_s"] / baseline["throughput_per_s"], 2),
        }
        print(json.dumps(result, indent=2))
        paced = f"_{args.rate:g}per_s" if args.rate else ""
        name = f"notifications_{args.bookings}_c{args.concurrency}{paced}.json"
        out = ROOT / "bench" / "results" / name
        out.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        sink.stop()
        redis_server.terminate()


if __name__ == "__main__":
    main()
