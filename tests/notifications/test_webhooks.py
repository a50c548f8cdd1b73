"""Webhooks against a receiver the test starts (a real HTTP server on a local port): the
signature verifies, a 500 is tried again until delivered exactly once, an endpoint failing again
and again is paused and its owners told, a loopback address is refused where production
settings are, and each owner hears only its own events."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import MembershipRole
from bookings.services import booking_cancel, booking_create
from notifications.models import Message, MessageKind
from notifications.webhook_delivery import deliveries_relay, signature_valid
from notifications.webhook_models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import paris
from tests.factories import MachineFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db]


class Receiver:
    """Records each POST; answers the statuses queued in ``answers`` (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/fablab"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver(settings: Any) -> Any:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 0
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def shop(db: Any) -> Any:
    machine = MachineFactory(name="Découpe laser Trumpf", min_notice_hours=0)
    operator = UserFactory()
    machine.platform.operators.add(operator)
    membership = MembershipFactory(company__name="Mécanique Dupont", role=MembershipRole.ADMIN)
    return machine, operator, membership


def register(user: Any, url: str, events: list[str], **owner: int) -> Any:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_authenticate(user)
    return client.post("/api/v1/webhooks/", {"url": url, "events": events, **owner}, format="json")


def book(machine: Any, membership: Any, day: int = 11) -> Any:
    return booking_create(
        machine=machine,
        company=membership.company,
        user=membership.user,
        start=paris(2027, 1, day, 10),
        end=paris(2027, 1, day, 11),
    )


def test_a_booking_reaches_the_receiver_signed(
    receiver, shop, frozen_now, django_capture_on_commit_callbacks
):
    machine, operator, membership = shop
    made = register(
        operator,
        receiver.url,
        ["booking.created", "booking.cancelled"],
        platform=machine.platform_id,
    )
    assert made.status_code == 201
    secret = made.json()["secret"]
    assert "secret" not in register(operator, receiver.url, ["booking.created"], platform=0).json()

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(machine, membership)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, user=membership.user)

    first, second = receiver.requests
    assert [e["event"] for e in receiver.events()] == ["booking.created", "booking.cancelled"]
    assert signature_valid(secret, first["body"], first["headers"]["X-Signature"])
    assert signature_valid(secret, second["body"], second["headers"]["X-Signature"])
    assert not signature_valid("another-secret", first["body"], first["headers"]["X-Signature"])
    assert not signature_valid(secret, first["body"] + " ", first["headers"]["X-Signature"])
    data = receiver.events()[0]["data"]
    assert data["company"]["name"] == "Mécanique Dupont"
    assert data["start"] == "2027-01-11T10:00:00+01:00"
    assert first["headers"]["X-Webhook-Event"] == "booking.created"
    assert first["headers"]["X-Webhook-Id"] == f"booking.created:{booking.pk}:v1"
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2


def test_a_500_is_tried_again_until_delivered_exactly_once(
    receiver, shop, frozen_now, django_capture_on_commit_callbacks
):
    machine, operator, membership = shop
    register(operator, receiver.url, ["booking.created"], platform=machine.platform_id)
    receiver.answers = [500, 503]

    with django_capture_on_commit_callbacks(execute=True):
        book(machine, membership)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    for _ in range(4):
        deliveries_relay(now=timezone.now() + timedelta(hours=2))

    delivery.refresh_from_db()
    assert len(receiver.requests) == 3
    assert len({r["headers"]["X-Webhook-Id"] for r in receiver.requests}) == 1
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 3, 200)
    assert WebhookEndpoint.objects.get().failures == 0


def test_an_endpoint_failing_again_and_again_is_paused_and_its_owners_told(
    receiver, shop, settings, frozen_now, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_PAUSE_AFTER = 3
    machine, operator, membership = shop
    register(operator, receiver.url, ["booking.created"], platform=machine.platform_id)
    receiver.answers = [500] * 10

    with django_capture_on_commit_callbacks(execute=True):
        book(machine, membership)
        book(machine, membership, day=12)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            deliveries_relay(now=timezone.now() + timedelta(hours=2))

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.paused_at is not None
    assert len(receiver.requests) == 3
    told = Message.objects.get(kind=MessageKind.WEBHOOK_PAUSED)
    assert told.recipient == operator
    assert told.status == "sent"
    assert told.subject == f"Webhook en pause : {receiver.url}"
    assert WebhookDelivery.objects.filter(status="pending").count() == 2

    # Once resumed, what waited goes: nothing was lost.
    receiver.answers = []
    client = APIClient()
    client.force_authenticate(operator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/webhooks/{endpoint.pk}/resume/").status_code == 200
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2


def test_a_loopback_address_is_refused_in_production_settings(
    receiver, shop, settings, frozen_now, django_capture_on_commit_callbacks
):
    machine, operator, membership = shop
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url in (
        receiver.url,
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
    ):
        answer = register(operator, url, ["booking.created"], platform=machine.platform_id)
        assert (answer.status_code, answer.json()["code"]) == (400, "webhook_address_refused"), url
    assert not WebhookEndpoint.objects.exists()

    # An endpoint registered while allowed (or a name that now resolves inward): the
    # connection itself is refused, nothing reaches the receiver.
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    register(operator, receiver.url, ["booking.created"], platform=machine.platform_id)
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with django_capture_on_commit_callbacks(execute=True):
        book(machine, membership)

    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.status == "pending"
    assert "privée" in delivery.last_error or "private" in delivery.last_error


def test_each_owner_hears_only_its_own(
    receiver, shop, frozen_now, django_capture_on_commit_callbacks
):
    machine, operator, membership = shop
    other = MembershipFactory(company__name="Tôlerie Martin")
    other_machine = MachineFactory(name="Plieuse")
    other_operator = UserFactory()
    other_machine.platform.operators.add(other_operator)
    register(
        membership.user, receiver.url + "/a", ["booking.created"], company=membership.company_id
    )
    register(
        other_operator,
        receiver.url + "/p2",
        ["booking.created"],
        platform=other_machine.platform_id,
    )
    register(operator, receiver.url + "/p1", ["booking.cancelled"], platform=machine.platform_id)

    with django_capture_on_commit_callbacks(execute=True):
        book(machine, membership)
        book(machine, other, day=12)

    events = receiver.events()
    assert len(events) == 1
    assert events[0]["data"]["company"]["name"] == "Mécanique Dupont"


def test_old_deliveries_are_forgotten_the_recent_and_waiting_kept(shop, settings) -> None:
    from notifications.webhook_delivery import deliveries_purge

    machine, _operator, _membership = shop
    endpoint = WebhookEndpoint.objects.create(
        url="https://erp.example.fr/hooks", events=["booking.created"], platform=machine.platform
    )
    for number, status in enumerate(["delivered", "failed", "pending", "delivered"]):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="booking.created",
            event_id=f"e{number}",
            body="{}",
            status=status,
        )
    WebhookDelivery.objects.exclude(event_id="e3").update(
        created_at=timezone.now() - timedelta(days=31)
    )

    assert deliveries_purge() == 2
    assert sorted(WebhookDelivery.objects.values_list("event_id", flat=True)) == ["e2", "e3"]
