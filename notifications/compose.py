"""One composer per event and recipient role: subject, template pair, context, invitation.

Composed at send time, from the objects as they are then, in the recipient's language and the
platform's time zone. A composer returns no context when its message is no longer relevant (a
reminder for a booking since cancelled or moved, a digest of an empty day): it is not sent.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import DocumentKind, Invoice
from bookings.ical import booking_invitation
from bookings.models import Booking, BookingStatus, Company
from core.dates import long_day
from platforms.models import Platform, Qualification

from .models import Message, MessageKind
from .offers import enrolment_context, expiring_context, freed_context, overrun_context
from .people import (
    address_context,
    invitation_context,
    password_reset_context,
    quoted,
    waiting_company_context,
)
from .selectors import bookings_of_day
from .webhook_people import webhook_paused_context

Context = dict[str, Any]

_inliner = css_inline.CSSInliner(load_remote_stylesheets=False)


def when(moment: datetime) -> str:
    """A local date and time as the recipient reads it ("lundi 4 janvier 2027, 09:00")."""
    local = timezone.localtime(moment)
    return f"{long_day(local)}, {local:%H:%M}"


def _booking_context(message: Message) -> Context | None:
    if message.booking_id is None:
        return None
    booking = (
        Booking.objects.select_related("machine__platform", "company", "booked_by")
        .filter(pk=message.booking_id)
        .first()
    )
    if booking is None:
        return None
    series = message.context.get("series")
    bookings = (
        list(Booking.objects.filter(pk__in=series).select_related("machine__platform"))
        if series
        else [booking]
    )
    bookings.sort(key=lambda b: b.start)
    context: Context = {
        "booking": booking,
        "bookings": bookings,
        "series": len(bookings) > 1,
        "machine": booking.machine,
        "company": booking.company,
        "member": booking.booked_by,
        "pending": booking.status == BookingStatus.PENDING,
    }
    if "previous_start" in message.context:
        context["previous_start"] = datetime.fromisoformat(message.context["previous_start"])
        context["previous_end"] = datetime.fromisoformat(message.context["previous_end"])
    if message.closure_id is not None:
        context["closure"] = message.closure
    return context


def _reminder_context(message: Message) -> Context | None:
    context = _booking_context(message)
    if context is None:
        return None
    booking = context["booking"]
    # As the booking is now: cancelled, moved away or already started → no stale reminder.
    if (
        booking.status != BookingStatus.CONFIRMED
        or booking.start.isoformat() != message.context.get("start")
        or booking.start <= timezone.now()
    ):
        return None
    return context


def _closure_context(message: Message) -> Context | None:
    context = _booking_context(message)
    if context is None or message.closure_id is None or not context["booking"].is_active:
        return None
    context["closure_start"] = datetime.fromisoformat(message.context["closure_start"])
    context["closure_end"] = datetime.fromisoformat(message.context["closure_end"])
    return context


def _approval_context(message: Message) -> Context | None:
    context = _booking_context(message)
    if context is None or not context["pending"]:
        return None  # decided already: nothing left to approve
    return context


def _qualification_context(message: Message) -> Context | None:
    if message.qualification_id is None:
        return None
    qualification = (
        Qualification.objects.select_related("machine__platform", "user")
        .filter(pk=message.qualification_id)
        .first()
    )
    if qualification is None:
        return None
    return {"qualification": qualification, "machine": qualification.machine}


def _company_context(message: Message) -> Context | None:
    company = Company.objects.filter(pk=message.context.get("company")).first()
    if company is None:
        return None
    # The decision told is the company's current one: a refusal since overturned is not sent.
    if (message.kind == MessageKind.COMPANY_VALIDATED) != company.is_validated:
        return None
    return {"company": company}


def _report_context(message: Message) -> Context | None:
    """A subscribed report: its figures were written into the message when it was recorded
    (the XLSX and PDF are attached), in the subscriber's language then."""
    context = dict(message.context)
    if "title" not in context:
        return None
    return context


def _invoice_context(message: Message) -> Context | None:
    """An invoice or a credit note: its figures, its PDF (Factur-X) attached as issued."""
    invoice = (
        Invoice.objects.select_related("platform", "company", "credited")
        .filter(pk=message.context.get("invoice"))
        .first()
    )
    if invoice is None:
        return None
    return {
        "invoice": invoice,
        "company": invoice.company,
        "credit": invoice.kind == DocumentKind.CREDIT_NOTE,
        "files": [(f"{invoice.number}.pdf", bytes(invoice.pdf), "application/pdf")],
    }


def _digest_context(message: Message) -> Context | None:
    platform = message.platform
    if platform is None:
        return None
    day = datetime.fromisoformat(message.context["day"]).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=platform.tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=platform.tz)
    bookings = list(bookings_of_day(platform=platform, start=start, end=end))
    if not bookings:
        return None
    return {
        "day": start,
        "bookings": bookings,
        "pending_count": sum(b.status == BookingStatus.PENDING for b in bookings),
    }


def _slot(context: Context) -> dict[str, str]:
    booking = context["booking"]
    return {"machine": booking.machine.name, "when": when(booking.start)}


def _session(context: Context) -> dict[str, str]:
    session = context["session"]
    return {"machine": session.machine.name, "when": when(session.start)}


@dataclass(frozen=True)
class Composer:
    subject: Callable[[Context], str]
    context: Callable[[Message], Context | None] = _booking_context
    # Attach the booking's iTIP invitation (REQUEST while active, CANCEL once it is not).
    invitation: bool = False
    # The recipient's preference that silences this optional message.
    optional: str | None = None
    # May go to an address with no account (``to_email``, in ``context["language"]``).
    to_address: bool = False


COMPOSERS: dict[str, Composer] = {
    MessageKind.BOOKING_CONFIRMED: Composer(
        subject=lambda c: _("Booking confirmed: %(machine)s, %(when)s") % _slot(c),
        invitation=True,
    ),
    MessageKind.BOOKING_PENDING: Composer(
        subject=lambda c: _("Booking awaiting approval: %(machine)s, %(when)s") % _slot(c),
    ),
    MessageKind.BOOKING_APPROVED: Composer(
        subject=lambda c: _("Booking approved: %(machine)s, %(when)s") % _slot(c),
        invitation=True,
    ),
    MessageKind.BOOKING_REJECTED: Composer(
        subject=lambda c: _("Booking refused: %(machine)s, %(when)s") % _slot(c),
    ),
    MessageKind.BOOKING_MOVED: Composer(
        subject=lambda c: _("Booking moved: %(machine)s, now %(when)s") % _slot(c),
        invitation=True,
    ),
    MessageKind.BOOKING_CANCELLED: Composer(
        subject=lambda c: _("Booking cancelled: %(machine)s, %(when)s") % _slot(c),
        invitation=True,
    ),
    MessageKind.BOOKING_CLOSURE: Composer(
        subject=lambda c: (
            _("%(kind)s over your booking: %(machine)s, %(when)s")
            % {**_slot(c), "kind": c["closure"].get_kind_display()}
        ),
        context=_closure_context,
    ),
    MessageKind.BOOKING_REMINDER: Composer(
        subject=lambda c: _("Reminder: %(machine)s, %(when)s") % _slot(c),
        context=_reminder_context,
        optional="wants_reminders",
    ),
    MessageKind.BOOKING_NO_SHOW: Composer(
        subject=lambda c: _("Recorded as a no-show: %(machine)s, %(when)s") % _slot(c),
    ),
    MessageKind.QUALIFICATION_GRANTED: Composer(
        subject=lambda c: _("Qualification granted: %(machine)s") % {"machine": c["machine"].name},
        context=_qualification_context,
    ),
    MessageKind.QUALIFICATION_REFUSED: Composer(
        subject=lambda c: _("Qualification refused: %(machine)s") % {"machine": c["machine"].name},
        context=_qualification_context,
    ),
    MessageKind.QUALIFICATION_EXPIRING: Composer(
        subject=lambda c: (
            _("Your qualification on %(machine)s ends on %(day)s")
            % {"machine": c["machine"].name, "day": long_day(c["ends"])}
        ),
        context=expiring_context,
    ),
    MessageKind.SLOT_FREED: Composer(
        subject=lambda c: (
            _("Time freed on %(machine)s: %(when)s")
            % {"machine": c["machine"].name, "when": when(c["slot_start"])}
        ),
        context=freed_context,
    ),
    MessageKind.TRAINING_SEAT: Composer(
        subject=lambda c: _("Your seat: training on %(machine)s, %(when)s") % _session(c),
        context=enrolment_context,
    ),
    MessageKind.TRAINING_WAITING: Composer(
        subject=lambda c: _("On the waiting list: training on %(machine)s, %(when)s") % _session(c),
        context=enrolment_context,
    ),
    MessageKind.TRAINING_CANCELLED: Composer(
        subject=lambda c: _("Training cancelled: %(machine)s, %(when)s") % _session(c),
        context=enrolment_context,
    ),
    MessageKind.COMPANY_VALIDATED: Composer(
        subject=lambda c: _("%(company)s may now book") % {"company": c["company"].name},
        context=_company_context,
    ),
    MessageKind.COMPANY_REFUSED: Composer(
        subject=lambda c: _("%(company)s could not be validated") % {"company": c["company"].name},
        context=_company_context,
    ),
    MessageKind.ADDRESS_CONFIRMATION: Composer(
        subject=lambda c: _("Confirm your e-mail address"),
        context=address_context,
    ),
    MessageKind.PASSWORD_RESET: Composer(
        subject=lambda c: _("Your new password on the fab lab network"),
        context=password_reset_context,
    ),
    MessageKind.INVITATION: Composer(
        subject=lambda c: (
            _("Invitation to run “%(platform)s” with its operators")
            % {"platform": quoted(c["platform"].name)}
            if c["platform"] is not None
            else _("Invitation to the fab lab network, on behalf of “%(company)s”")
            % {"company": quoted(c["company"].name)}
        ),
        context=invitation_context,
        to_address=True,
    ),
    MessageKind.OPERATOR_COMPANY_WAITING: Composer(
        subject=lambda c: _("To validate: %(company)s signed up") % {"company": c["company"].name},
        context=waiting_company_context,
    ),
    MessageKind.USAGE_REPORT: Composer(
        subject=lambda c: c["title"] + " — " + c["period_label"],
        context=_report_context,
    ),
    MessageKind.INVOICE_ISSUED: Composer(
        subject=lambda c: (
            (
                _("Credit note %(number)s from %(platform)s")
                if c["credit"]
                else _("Invoice %(number)s from %(platform)s")
            )
            % {"number": c["invoice"].number, "platform": c["invoice"].platform.name}
        ),
        context=_invoice_context,
        to_address=True,
    ),
    MessageKind.BOOKING_CONFIRMED_COPY: Composer(
        subject=lambda c: (
            _("Copy: %(member)s booked %(machine)s, %(when)s")
            % {**_slot(c), "member": c["member"] or c["company"]}
        ),
        optional="wants_copies",
    ),
    MessageKind.OPERATOR_APPROVAL_NEEDED: Composer(
        subject=lambda c: (
            _("To approve: %(company)s on %(machine)s, %(when)s")
            % {**_slot(c), "company": c["company"]}
        ),
        context=_approval_context,
    ),
    MessageKind.OPERATOR_BOOKING_CANCELLED: Composer(
        subject=lambda c: (
            (
                _("Late cancellation by %(company)s: %(machine)s, %(when)s")
                if c["booking"].late_cancellation
                else _("Cancelled by %(company)s: %(machine)s, %(when)s")
            )
            % {**_slot(c), "company": c["company"]}
        ),
    ),
    MessageKind.OPERATOR_DIGEST: Composer(
        subject=lambda c: (
            ngettext(
                "Tomorrow: %(count)d booking", "Tomorrow: %(count)d bookings", len(c["bookings"])
            )
            % {"count": len(c["bookings"])}
        ),
        context=_digest_context,
        optional="wants_digests",
    ),
    MessageKind.USAGE_OVERRUN: Composer(
        subject=lambda c: (
            _("Your use of %(machine)s runs into the next booking") % {"machine": c["machine"].name}
        ),
        context=overrun_context,
    ),
    MessageKind.NEXT_DELAYED: Composer(
        subject=lambda c: (
            _("%(machine)s is still in use before your booking") % {"machine": c["machine"].name}
        ),
        context=overrun_context,
    ),
    MessageKind.WEBHOOK_PAUSED: Composer(
        subject=lambda c: _("Webhook paused: %(url)s") % {"url": c["endpoint"].url},
        context=webhook_paused_context,
    ),
}


def message_id_for(message: Message) -> str:
    """The e-mail's Message-ID, derived from the idempotency key: a second copy of the same
    message (the worker died between SMTP's acceptance and the record) carries the same one."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


def _one_line(text: str) -> str:
    # A name typed with a line break would otherwise be refused as a header injection.
    return " ".join(text.split())[:250]


def _sender(platform: Platform | None) -> str:
    if platform is None:
        return settings.DEFAULT_FROM_EMAIL  # the network speaks
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return formataddr((_one_line(platform.name), address))


def _booking_url(message: Message) -> str:
    """The booking's own page: the operator's for operators, the company's for its members."""
    if message.booking_id is None:
        return ""
    if message.kind.startswith("operator_"):
        return f"{settings.SITE_URL}/operator/bookings/{message.booking_id}/"
    return f"{settings.SITE_URL}/bookings/{message.booking_id}/"


def compose(message: Message) -> EmailMultiAlternatives | None:
    """The e-mail of ``message`` as it should go now, or None if it should not go at all:
    no active recipient with an address, an optional message the recipient declined, or a
    message no longer relevant."""
    recipient = message.recipient
    composer = COMPOSERS[message.kind]
    if recipient is None and not composer.to_address:
        return None
    if recipient is not None and not recipient.is_active:
        return None
    address = message.to_email or (recipient.email if recipient is not None else "")
    if not address:
        return None
    if composer.optional and not getattr(recipient, composer.optional):
        return None
    platform = message.platform
    zone = platform.tz if platform is not None else timezone.get_default_timezone()
    language = (
        recipient.preferred_language
        if recipient is not None
        else message.context.get("language") or settings.LANGUAGE_CODE
    )
    with translation.override(language), timezone.override(zone):
        context = composer.context(message)
        if context is None:
            return None
        context.update(
            {
                "message": message,
                "recipient": recipient,
                "platform": platform,
                "site_url": settings.SITE_URL,
                "optional": composer.optional,
                "booking_url": _booking_url(message),
            }
        )
        subject = _one_line(composer.subject(context))
        template = f"notifications/email/{message.kind}"
        # Paragraphs that did not apply leave blank lines behind.
        text = re.sub(r"\n{3,}", "\n\n", render_to_string(f"{template}.txt", context)).strip()
        html = _inliner.inline(render_to_string(f"{template}.html", context))
        email = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=_sender(platform),
            to=[address],
            reply_to=[platform.contact_email] if platform and platform.contact_email else None,
            headers={"Message-ID": message_id_for(message), "Auto-Submitted": "auto-generated"},
        )
        email.attach_alternative(html, "text/html")
        if composer.invitation and platform is not None:
            # Built now, from the booking's current version, in the recipient's language.
            method, ics = booking_invitation(
                bookings=context["bookings"],
                organizer=platform.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
                attendee=address,
                summary=f"{context['machine'].name} — {platform.name}",
            )
            part = MIMEText(ics.decode(), "calendar", "utf-8")
            part.set_param("method", method)
            part.add_header("Content-Disposition", "attachment", filename="booking.ics")
            email.attach(part)
        for name, content, content_type in context.get("files", ()):
            email.attach(name, content, content_type)
        for attachment in message.attachments.all():
            email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return email
