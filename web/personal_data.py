"""A person's data as they download it (the GDPR's right of access): their account, their
memberships, the bookings they made, their qualifications, their seats in training sessions and
their waiting lists, the messages sent to them (the outbox keeps no body: what it recorded), their
API keys and report subscriptions."""

from typing import Any

from accounts.models import ApiToken, User
from accounts.two_factor import has_second_factor
from bookings.models import Booking, Enrolment, Membership, WaitingEntry
from notifications.models import Message
from platforms.models import Qualification
from reports.models import ReportSubscription


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(*, user: User) -> dict[str, Any]:
    """Everything kept about ``user``, by kind; a fixed number of queries."""
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "wants_reminders": user.wants_reminders,
            "wants_digests": user.wants_digests,
            "wants_copies": user.wants_copies,
            "two_factor": has_second_factor(user),
            "kiosk_code_set": bool(user.kiosk_code),
            "passkeys": [
                {
                    "name": key.name,
                    "created": _when(key.created_at),
                    "last_used": _when(key.last_used_at),
                }
                for key in user.passkeys.all()
            ],
        },
        "memberships": [
            {
                "company": m.company.name,
                "siret": m.company.siret,
                "role": m.role,
                "since": _when(m.created_at),
            }
            for m in Membership.objects.filter(user=user).select_related("company")
        ],
        "bookings_made": [
            {
                "id": b.pk,
                "machine": b.machine.name,
                "platform": b.machine.platform.name,
                "company": b.company.name if b.company else None,
                "start": _when(b.start),
                "end": _when(b.end),
                "status": b.status,
                "note": b.note,
                "price": str(b.price),
            }
            for b in Booking.objects.filter(booked_by=user)
            .select_related("machine__platform", "company")
            .order_by("start")
        ],
        "qualifications": [
            {
                "machine": q.machine.name,
                "platform": q.machine.platform.name,
                "status": q.status,
                "valid_until": _when(q.valid_until),
            }
            for q in Qualification.objects.filter(user=user).select_related("machine__platform")
        ],
        "messages": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "to": m.to_email,
                "status": m.status,
                "created_at": _when(m.created_at),
                "sent_at": _when(m.sent_at),
            }
            for m in Message.objects.filter(recipient=user).order_by("created_at")
        ],
        "training_sessions": [
            {
                "machine": e.session.machine.name,
                "platform": e.session.machine.platform.name,
                "company": e.company.name,
                "start": _when(e.session.start),
                "waiting": e.waiting,
                "withdrawn_at": _when(e.withdrawn_at),
                "attended": e.attended,
            }
            for e in Enrolment.objects.filter(user=user).select_related(
                "session__machine__platform", "company"
            )
        ],
        "waiting_lists": [
            {
                "machine": w.machine.name,
                "platform": w.machine.platform.name,
                "start": _when(w.start),
                "end": _when(w.end),
                "left_at": _when(w.left_at),
                "booked_at": _when(w.booked_at),
            }
            for w in WaitingEntry.objects.filter(user=user).select_related("machine__platform")
        ],
        "api_keys": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _when(t.created_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user)
        ],
        "report_subscriptions": [
            {"email": s.email, "frequency": s.frequency, "active": s.active}
            for s in ReportSubscription.objects.filter(owner=user)
        ],
    }
