"""The outbox with real parts: PostgreSQL, Redis, a Celery worker process and an SMTP server.

Each test runs its own ``redis-server`` on a free port and its own worker process (``celery
worker`` against the test database), so it can stop the broker or SIGKILL the worker at the
wrong moment and check that the message still arrives, and that a second copy, if any, carries
the same Message-ID.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone
from kombu import pools
from rest_framework.test import APIClient

from accounts.services import token_create
from bookings.services import booking_create
from config.celery import app
from notifications.models import Message, MessageStatus
from notifications.services import messages_relay
from tests.factories import MachineFactory, MembershipFactory
from tests.notifications.conftest import free_port

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class SlowSink:
    """Records every message as it arrives; can hold the first one's answer (a slow server)."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.hold_first = False
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        if self.hold_first and len(self.received) == 1:
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@pytest.fixture
def sink() -> Iterator[SlowSink]:
    handler = SlowSink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()


class Redis:
    """A redis-server of the test's own, which it may stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), 10, "redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def reconnect() -> None:
    """Drop the test process's broker connections (after the broker URL changed)."""
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture
def broker(settings: Any) -> Iterator[Redis]:
    """Our own Redis, and the test process publishing to it (eager mode off)."""
    server = Redis()
    server.start()
    previous = {
        "broker_url": app.conf.broker_url,
        "task_always_eager": app.conf.task_always_eager,
    }
    app.conf.update(broker_url=server.url, task_always_eager=False)
    reconnect()
    try:
        yield server
    finally:
        app.conf.update(**previous)
        reconnect()
        server.stop()


class Worker:
    """``celery worker`` in a process group of its own, on the test database."""

    def __init__(self, broker: Redis, sink: SlowSink, tmp_path: Path) -> None:
        database = connection.settings_dict
        # The embedded server listens on a socket: its folder is the host, percent-encoded.
        host = quote(database["HOST"] or "127.0.0.1", safe="")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{database['USER']}@{host}:"
            f"{database['PORT'] or 5432}/{database['NAME']}",
            "CELERY_BROKER_URL": broker.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",  # type: ignore[attr-defined]
            # Short enough for a test: a task lost with its worker comes back after 6 s, a
            # claim left by a dead worker is taken over after 4 s.
            "CELERY_VISIBILITY_TIMEOUT": "6",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "NOTIFICATIONS_CLAIM_SECONDS": "4",
            "NOTIFICATIONS_RETRY_MAX_SECONDS": "5",
        }
        self.log = tmp_path / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: b"ready" in self.log.read_bytes(), 60, "the worker to be ready")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None


@pytest.fixture
def worker(broker: Redis, sink: SlowSink, tmp_path: Path) -> Iterator[Worker]:
    process = Worker(broker, sink, tmp_path)
    try:
        yield process
    finally:
        process.stop()
        print(process.log.read_text(errors="replace")[-4000:])


def booking(**kwargs: Any) -> Any:
    membership = MembershipFactory(user__email="pme@example.fr")
    machine = MachineFactory(min_notice_hours=0)
    start = timezone.localtime(timezone.now(), machine.platform.tz).replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + timezone.timedelta(days=2)
    return membership, machine, start


def test_a_booking_confirmation_arrives_over_smtp_with_its_invitation(worker, sink):
    # given
    worker.start()
    membership, machine, start = booking()

    # when
    made = booking_create(
        machine=machine,
        company=membership.company,
        user=membership.user,
        start=start,
        end=start + timezone.timedelta(hours=2),
    )

    # then
    (mail,) = wait_for(lambda: sink.received, 30, "the confirmation")
    assert mail["To"] == "pme@example.fr"
    calendar = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert f"UID:booking-{made.pk}@" in calendar.get_content()
    message = wait_for(
        lambda: Message.objects.filter(status=MessageStatus.SENT).first(), 10, "the record"
    )
    assert mail["Message-ID"] == message.message_id


def test_a_worker_killed_during_the_send_does_not_lose_the_message(worker, sink):
    # given: an SMTP server that holds its answer to the first message
    sink.hold_first = True
    worker.start()
    membership, machine, start = booking()
    booking_create(
        machine=machine,
        company=membership.company,
        user=membership.user,
        start=start,
        end=start + timezone.timedelta(hours=2),
    )
    wait_for(lambda: sink.received, 30, "the worker to start sending")
    assert Message.objects.get().status == MessageStatus.SENDING

    # when: the worker is killed while it waits for the server, then restarted
    worker.kill()
    sink.release.set()
    worker.start()

    # then: the broker gives the task back, the expired claim is taken over, and the message
    # is delivered; the copy the dead worker had started carries the same Message-ID
    message = wait_for(
        lambda: Message.objects.filter(status=MessageStatus.SENT).first(), 60, "the resend"
    )
    assert message.attempts == 2
    assert len(sink.received) == 2
    assert {mail["Message-ID"] for mail in sink.received} == {message.message_id}


def test_a_booking_made_while_redis_is_down_succeeds_and_is_confirmed_later(broker, worker, sink):
    # given: the broker is down
    membership, machine, start = booking()
    _, token = token_create(user=membership.user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    broker.stop()

    # when: the member books
    began = time.monotonic()
    response = client.post(
        "/api/v1/bookings/",
        {
            "machine": machine.pk,
            "company": membership.company.pk,
            "start": start.isoformat(),
            "end": (start + timezone.timedelta(hours=2)).isoformat(),
        },
        format="json",
    )
    took = time.monotonic() - began

    # then: booked at once (the broker's connect timeout, not a hang), the message waits
    assert response.status_code == 201, response.content
    assert took < 10
    message = Message.objects.get()
    assert message.status == MessageStatus.PENDING

    # when: Redis comes back, a worker runs, and the relay finds the message
    broker.start()
    worker.start()
    messages_relay(now=timezone.now() + timezone.timedelta(minutes=2))

    # then
    (mail,) = wait_for(lambda: sink.received, 30, "the relayed confirmation")
    message.refresh_from_db()
    assert mail["Message-ID"] == message.message_id
    wait_for(lambda: Message.objects.filter(status=MessageStatus.SENT).exists(), 10, "record")


def test_a_subscribed_report_arrives_over_smtp_with_its_spreadsheet_and_pdf(worker, sink):
    import io
    from datetime import date, timedelta
    from decimal import Decimal

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from billing.models import Programme
    from bookings.models import Booking, BookingStatus
    from reports.models import ReportDelivery
    from reports.services import reports_send_due, subscription_create
    from tests.factories import UserFactory

    # given: a programme's platform with a completed booking last month, and a subscription
    worker.start()
    membership, machine, _start = booking()
    funder = UserFactory(email="suivi@bpifrance.fr")
    programme = Programme.objects.create(name="Industrie du futur", start_date=date(2026, 1, 1))
    programme.platforms.add(machine.platform)
    programme.funders.add(funder)
    first_of_month = timezone.localdate().replace(day=1)
    begun = timezone.localtime(timezone.now(), machine.platform.tz).replace(
        year=(first_of_month - timedelta(days=1)).year,
        month=(first_of_month - timedelta(days=1)).month,
        day=10,
        hour=9,
        minute=0,
        second=0,
        microsecond=0,
    )
    Booking.objects.create(
        machine=machine,
        company=membership.company,
        start=begun,
        end=begun + timedelta(hours=3),
        status=BookingStatus.COMPLETED,
        price=Decimal("180"),
    )
    subscription_create(
        user=funder, email="comite@bpifrance.fr", frequency="monthly", programme_id=programme.pk
    )

    # when: the beat runs twice
    sent = reports_send_due() + reports_send_due()

    # then: one e-mail, with both files, through the worker and SMTP
    (mail,) = wait_for(lambda: sink.received, 60, "the report")
    assert sent == 1 and ReportDelivery.objects.count() == 1
    assert mail["To"] == "comite@bpifrance.fr"
    files = {part.get_filename(): part.get_payload(decode=True) for part in mail.iter_attachments()}
    xlsx = next(content for name, content in files.items() if name.endswith(".xlsx"))
    pdf = next(content for name, content in files.items() if name.endswith(".pdf"))
    summary = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(xlsx))["Synthèse"].iter_rows(values_only=True)
        if row[0]
    }
    assert summary["Heures utilisées"] == 3.0
    assert "180,00" in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    time.sleep(1)
    assert len(sink.received) == 1
