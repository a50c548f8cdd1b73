"""Sending webhooks, as the e-mail outbox sends messages: a delivery is claimed (locked, marked
sending, committed) before its POST, so two workers never send it at once; a 2xx delivers it;
anything else is tried again after a growing delay, up to ``WEBHOOKS_MAX_ATTEMPTS``; an
endpoint failing ``WEBHOOKS_PAUSE_AFTER`` times in a row is paused (what comes meanwhile
waits) and its owners told by e-mail.

Every POST is signed: ``X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with
the endpoint's secret>`` (docs/OPERATIONS.md shows a receiver checking it)."""

import hashlib
import hmac
import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import DomainError
from core.log_redaction import redact

from .models import MessageKind
from .services import Outgoing, messages_record
from .webhook_address import GuardedHTTPConnection, GuardedHTTPSConnection
from .webhook_models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .webhook_people import webhook_owners

logger = logging.getLogger(__name__)

RELAY_BATCH = 500
USER_AGENT = "fablab-booking-webhooks/1"


def signature(secret: str, body: str, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def signature_valid(secret: str, body: str, header: str, tolerance: int = 300) -> bool:
    """What a receiver does (documented, and used by the tests): the time within
    ``tolerance`` seconds, the HMAC equal in constant time."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        at = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - at) > tolerance:
        return False
    expected = signature(secret, body, at).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def _post(url: str, body: str, headers: dict[str, str]) -> int:
    """POST ``body``; the answer's status. No redirect is followed (a 3xx is a failure)."""
    parts = urlsplit(url)
    connection_class = GuardedHTTPSConnection if parts.scheme == "https" else GuardedHTTPConnection
    connection = connection_class(
        parts.hostname or "", parts.port, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    finally:
        connection.close()


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    claim_timeout = timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 3 + 30)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
            return None
        if delivery.endpoint.paused_at is not None:
            return None
        if delivery.status == DeliveryStatus.SENDING:
            if delivery.claimed_at and delivery.claimed_at + claim_timeout > now:
                return None
        elif delivery.next_attempt_at > now + timedelta(seconds=5):
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.save(update_fields=["status", "claimed_at", "attempts"])
    return delivery


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is due and its endpoint not paused; returns its status then."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    endpoint = delivery.endpoint
    at = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Id": delivery.event_id,
        "X-Signature": signature(endpoint.secret, delivery.body, at),
    }
    status: int | None = None
    error = ""
    try:
        status = _post(endpoint.url, delivery.body, headers)
    except DomainError as refused:
        error = refused.detail
    except Exception as failure:  # the network's errors are the receiver's, recorded
        error = redact(repr(failure))
    if status is not None and 200 <= status < 300:
        _delivered(delivery, status)
        return DeliveryStatus.DELIVERED
    if status is not None:
        error = f"HTTP {status}"
    return _failed(delivery, status, error[:500])


def _delivered(delivery: WebhookDelivery, status: int) -> None:
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            response_status=status,
            last_error="",
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failures=0)


def _backoff(attempts: int) -> int:
    base = settings.WEBHOOKS_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.WEBHOOKS_RETRY_MAX_SECONDS))


def _failed(delivery: WebhookDelivery, status: int | None, error: str) -> str:
    logger.warning(
        "Webhook delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error
    )
    final = delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            response_status=status,
            last_error=error,
            next_attempt_at=timezone.now() + timedelta(seconds=_backoff(delivery.attempts)),
        )
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        endpoint.failures += 1
        endpoint.save(update_fields=["failures"])
        if endpoint.paused_at is None and endpoint.failures >= settings.WEBHOOKS_PAUSE_AFTER:
            _pause(endpoint, error)
    return DeliveryStatus.FAILED if final else DeliveryStatus.PENDING


def _pause(endpoint: WebhookEndpoint, error: str) -> None:
    endpoint.paused_at = timezone.now()
    endpoint.save(update_fields=["paused_at"])
    owners_told_of_pause(endpoint=endpoint, error=error)


def owners_told_of_pause(*, endpoint: WebhookEndpoint, error: str) -> None:
    assert endpoint.paused_at is not None
    stamp = int(endpoint.paused_at.timestamp())
    messages_record(
        Outgoing(
            kind=MessageKind.WEBHOOK_PAUSED,
            recipient=user,
            platform=endpoint.platform,
            key=f"{MessageKind.WEBHOOK_PAUSED}:{endpoint.pk}:{stamp}:u{user.pk}",
            context={"endpoint": endpoint.pk, "error": error, "failures": endpoint.failures},
        )
        for user in webhook_owners(endpoint=endpoint)
    )


def deliveries_queue(ids: list[int]) -> None:
    """Hand deliveries to the workers (in-process without a broker); a broker that is down is
    not an error: the relay sends them."""
    from .tasks import webhook_deliver_task

    for delivery_id in ids:
        try:
            webhook_deliver_task.delay(delivery_id)
        except Exception:
            logger.warning("Webhook delivery %s not queued; the relay will", delivery_id)


def deliveries_relay(*, now: datetime | None = None) -> int:
    """Periodic (every minute): queue the deliveries due — retries whose delay ran out, those
    never queued, claims whose worker died — of endpoints not paused."""
    now = now or timezone.now()
    lost = now - timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 3 + 30)
    due = WebhookDelivery.objects.filter(endpoint__paused_at__isnull=True).filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=lost)
    )
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:RELAY_BATCH])
    deliveries_queue(ids)
    return len(ids)


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Periodic (daily): forget deliveries delivered or failed more than
    ``WEBHOOKS_KEEP_DAYS`` ago (the log keeps the recent ones). Returns how many."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.WEBHOOKS_KEEP_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(
        status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED), created_at__lt=before
    ).delete()
    return deleted
