"""Webhooks: registering an endpoint (its owner, address and events), the events recorded as
deliveries in the transaction that made them, and what an owner does with them (pause, resume,
send again, delete). Sending is in ``webhook_delivery``."""

import json
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from accounts.audit import audit_record
from billing.models import Invoice
from billing.signals import invoice_issued
from bookings.models import Booking, Company
from bookings.selectors import companies_administered_by, user_is_company_admin
from bookings.signals import (
    booking_approved,
    booking_cancelled,
    booking_created,
    booking_moved,
    booking_usage_recorded,
)
from platforms.models import Platform
from platforms.selectors import platforms_operated_by

from .exceptions import WebhookEventsInvalid, WebhookNotAllowed, WebhookNotFound
from .webhook_address import address_check
from .webhook_delivery import deliveries_queue
from .webhook_models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

# --- Who manages which endpoints ------------------------------------------------------------


def webhooks_managed_by(*, user: Any) -> QuerySet[WebhookEndpoint]:
    """The endpoints of the platforms ``user`` operates and of the companies they administer."""
    if not user.is_authenticated:
        return WebhookEndpoint.objects.none()
    platforms = platforms_operated_by(user=user).values("pk")
    companies = companies_administered_by(user=user).values("pk")
    return (
        WebhookEndpoint.objects.filter(Q(platform__in=platforms) | Q(company__in=companies))
        .select_related("platform", "company")
        .order_by("-created_at")
    )


def webhook_managed(*, user: Any, pk: int) -> WebhookEndpoint:
    endpoint = webhooks_managed_by(user=user).filter(pk=pk).first()
    if endpoint is None:
        raise WebhookNotFound()
    return endpoint


def _may_own(user: Any, platform: Platform | None, company: Company | None) -> bool:
    if platform is not None:
        return platforms_operated_by(user=user).filter(pk=platform.pk).exists()
    return company is not None and user_is_company_admin(user=user, company=company)


# --- Changes ---------------------------------------------------------------------------------


def webhook_create(
    *,
    user: Any,
    url: str,
    events: Iterable[str],
    platform: Platform | None = None,
    company: Company | None = None,
) -> WebhookEndpoint:
    """Register an endpoint for a platform its operators run, or a company its administrators
    run. The address is checked (``address_check``: https, a public host); the secret is made
    here and shown once by the caller."""
    if (platform is None) == (company is None) or not _may_own(user, platform, company):
        raise WebhookNotAllowed()
    wanted = sorted(set(events))
    if not wanted or not set(wanted) <= set(WebhookEvent.values):
        raise WebhookEventsInvalid()
    address_check(url)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url,
            events=wanted,
            platform=platform,
            company=company,
            secret=secrets.token_hex(32),
            created_by=user,
        )
        audit_record(
            actor=user, action="webhook.created", obj=endpoint, after={"url": url, "events": wanted}
        )
    return endpoint


def webhook_delete(*, endpoint: WebhookEndpoint, user: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=user, action="webhook.deleted", obj=endpoint, before={"url": endpoint.url}
        )
        endpoint.delete()


def webhook_resume(*, endpoint: WebhookEndpoint, user: Any) -> int:
    """Un-pause an endpoint: what waited is sent now. Returns how many deliveries go."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(paused_at=None, failures=0)
        waiting = list(
            WebhookDelivery.objects.filter(
                endpoint=endpoint, status=DeliveryStatus.PENDING
            ).values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=waiting).update(next_attempt_at=timezone.now())
        audit_record(actor=user, action="webhook.resumed", obj=endpoint)
        transaction.on_commit(lambda: deliveries_queue(waiting))
    return len(waiting)


def delivery_resend(*, delivery: WebhookDelivery, user: Any) -> None:
    """Send a delivery again ("send again" in its log), whatever became of it; its event id
    stays, so a receiver that had it can tell."""
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
            status=DeliveryStatus.SENDING
        ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
        audit_record(actor=user, action="webhook.resent", obj=delivery.endpoint)
        transaction.on_commit(lambda: deliveries_queue([delivery.pk]))


# --- Events become deliveries ----------------------------------------------------------------


def _when(moment: Any, zone: Any) -> str | None:
    return timezone.localtime(moment, zone).isoformat() if moment else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def booking_payload(booking: Booking, **extra: Any) -> dict[str, Any]:
    platform = booking.machine.platform
    company = booking.company
    return {
        "id": booking.pk,
        "version": booking.version,
        "status": booking.status,
        "machine": {"id": booking.machine_id, "name": booking.machine.name},
        "platform": {"id": platform.pk, "name": platform.name},
        "company": (
            {"id": company.pk, "name": company.name, "siret": company.siret} if company else None
        ),
        "start": _when(booking.start, platform.tz),
        "end": _when(booking.end, platform.tz),
        "actual_start": _when(booking.actual_start, platform.tz),
        "actual_end": _when(booking.actual_end, platform.tz),
        "measured": booking.measured,
        "price_excl_vat": _money(booking.price),
        **extra,
    }


def invoice_payload(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "kind": invoice.kind,
        "number": invoice.number,
        "platform": {"id": invoice.platform_id, "name": invoice.platform.name},
        "company": {"id": invoice.company_id, "name": invoice.company.name},
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "total_excl_vat": _money(invoice.total_ht),
        "total_vat": _money(invoice.total_vat),
        "total_incl_vat": _money(invoice.total_ttc),
        "programme_aid": _money(invoice.subsidy),
        "to_pay": _money(invoice.to_pay),
        "currency": "EUR",
    }


def deliveries_record(
    *, event: str, event_id: str, platform_id: int, company_id: int | None, data: dict[str, Any]
) -> list[int]:
    """One delivery per endpoint that wants ``event`` — the platform's, the company's — in
    the current transaction, queued after commit. The same event recorded twice is one."""
    owners = Q(platform_id=platform_id)
    if company_id is not None:
        owners |= Q(company_id=company_id)
    endpoints = WebhookEndpoint.objects.filter(owners, events__contains=[event])
    ids: list[int] = []
    for endpoint in endpoints:
        body = json.dumps(
            {
                "id": event_id,
                "event": event,
                "created": timezone.now().isoformat(),
                "data": data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint, event=event, event_id=event_id, body=body
                )
        except IntegrityError:
            continue
        ids.append(delivery.pk)
    if ids:
        transaction.on_commit(lambda: deliveries_queue(ids))
    return ids


def _booking_event(event: str, booking: Booking, **extra: Any) -> None:
    if booking.company_id is None:
        return  # an operator's internal block is nobody's booking
    deliveries_record(
        event=event,
        event_id=f"{event}:{booking.pk}:v{booking.version}",
        platform_id=booking.machine.platform_id,
        company_id=booking.company_id,
        data=booking_payload(booking, **extra),
    )


@receiver(booking_created, dispatch_uid="webhooks.booking_created")
def _on_created(sender: Any, booking: Booking, series: Any = None, **kwargs: Any) -> None:
    for one in series or [booking]:
        _booking_event(WebhookEvent.BOOKING_CREATED, one)


@receiver(booking_approved, dispatch_uid="webhooks.booking_approved")
def _on_approved(sender: Any, booking: Booking, **kwargs: Any) -> None:
    _booking_event(WebhookEvent.BOOKING_APPROVED, booking)


@receiver(booking_moved, dispatch_uid="webhooks.booking_moved")
def _on_moved(
    sender: Any, booking: Booking, previous_start: Any, previous_end: Any, **kwargs: Any
) -> None:
    zone = booking.machine.platform.tz
    _booking_event(
        WebhookEvent.BOOKING_MOVED,
        booking,
        previous_start=_when(previous_start, zone),
        previous_end=_when(previous_end, zone),
    )


@receiver(booking_cancelled, dispatch_uid="webhooks.booking_cancelled")
def _on_cancelled(sender: Any, booking: Booking, **kwargs: Any) -> None:
    _booking_event(
        WebhookEvent.BOOKING_CANCELLED,
        booking,
        late_cancellation=booking.late_cancellation,
        cancellation_reason=booking.cancellation_reason,
    )


@receiver(booking_usage_recorded, dispatch_uid="webhooks.booking_usage_recorded")
def _on_completed(sender: Any, booking: Booking, **kwargs: Any) -> None:
    _booking_event(WebhookEvent.BOOKING_COMPLETED, booking)


@receiver(invoice_issued, dispatch_uid="webhooks.invoice_issued")
def _on_invoice(sender: Any, invoice: Invoice, **kwargs: Any) -> None:
    deliveries_record(
        event=WebhookEvent.INVOICE_ISSUED,
        event_id=f"{WebhookEvent.INVOICE_ISSUED}:{invoice.pk}",
        platform_id=invoice.platform_id,
        company_id=invoice.company_id,
        data=invoice_payload(invoice),
    )
