"""Listeners of what bookings and platforms announce: each writes its outbox rows in the
transaction of the change (connected in ``NotificationsConfig.ready``)."""

from datetime import datetime
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from accounts.models import User
from accounts.signals import account_erased, address_to_confirm, password_reset_requested
from billing.models import BillingAccount, Invoice
from billing.signals import invoice_issued
from bookings.models import Booking, BookingStatus, Company, Invitation
from bookings.selectors import bookings_affected_by_closure
from bookings.signals import (
    booking_approved,
    booking_cancelled,
    booking_created,
    booking_moved,
    booking_rejected,
    bookings_marked_no_show,
    company_refused,
    company_registered,
    company_validated,
    member_invited,
)
from platforms.models import Closure, ClosureInterval, Qualification
from platforms.signals import (
    closure_occurrence_moved,
    closure_placed,
    qualification_granted,
    qualification_refused,
)

from .models import MessageKind
from .selectors import (
    booking_contacts,
    booking_contacts_and_operators,
    booking_recipients,
    company_admins,
    operators_told_of_company,
    platform_of_decision,
)
from .services import Outgoing, messages_record


def _about(
    kind: str,
    booking: Booking,
    users: list[User],
    *,
    tag: str = "",
    closure: Closure | None = None,
    **context: Any,
) -> list[Outgoing]:
    """Outgoing messages about ``booking`` at its current version, one per recipient."""
    return [
        Outgoing(
            kind=kind,
            recipient=user,
            platform=booking.machine.platform,
            booking=booking,
            closure=closure,
            key=f"{kind}:{booking.pk}:v{booking.version}{tag}:u{user.pk}",
            context=context,
        )
        for user in users
    ]


def _confirmation(kind: str, booking: Booking, **context: Any) -> list[Outgoing]:
    contacts, copies = booking_recipients(booking=booking)
    outgoing = _about(kind, booking, contacts, **context)
    outgoing += _about(MessageKind.BOOKING_CONFIRMED_COPY, booking, copies, **context)
    return outgoing


@receiver(booking_created, dispatch_uid="notifications.booking_created")
def _on_booking_created(sender: Any, booking: Booking, actor: Any, **kwargs: Any) -> None:
    series = kwargs.get("series")
    context: dict[str, Any] = {"series": [b.pk for b in series]} if series else {}
    if booking.status == BookingStatus.PENDING:
        contacts, operators = booking_contacts_and_operators(booking=booking, exclude=actor)
        outgoing = _about(MessageKind.BOOKING_PENDING, booking, contacts, **context)
        outgoing += _about(MessageKind.OPERATOR_APPROVAL_NEEDED, booking, operators, **context)
    else:
        outgoing = _confirmation(MessageKind.BOOKING_CONFIRMED, booking, **context)
    messages_record(outgoing)


@receiver(booking_approved, dispatch_uid="notifications.booking_approved")
def _on_booking_approved(sender: Any, booking: Booking, **kwargs: Any) -> None:
    messages_record(_confirmation(MessageKind.BOOKING_APPROVED, booking))


@receiver(booking_rejected, dispatch_uid="notifications.booking_rejected")
def _on_booking_rejected(sender: Any, booking: Booking, **kwargs: Any) -> None:
    messages_record(
        _about(MessageKind.BOOKING_REJECTED, booking, booking_contacts(booking=booking))
    )


@receiver(booking_moved, dispatch_uid="notifications.booking_moved")
def _on_booking_moved(
    sender: Any, booking: Booking, actor: Any, previous_start: Any, previous_end: Any, **kw: Any
) -> None:
    operators: list[User] = []
    if booking.status == BookingStatus.PENDING:
        # Moved by its member onto a machine that needs approval: to be approved again.
        contacts, operators = booking_contacts_and_operators(booking=booking, exclude=actor)
    else:
        contacts = booking_contacts(booking=booking)
    outgoing = _about(
        MessageKind.BOOKING_MOVED,
        booking,
        contacts,
        previous_start=previous_start.isoformat(),
        previous_end=previous_end.isoformat(),
    )
    outgoing += _about(MessageKind.OPERATOR_APPROVAL_NEEDED, booking, operators)
    messages_record(outgoing)


@receiver(booking_cancelled, dispatch_uid="notifications.booking_cancelled")
def _on_booking_cancelled(
    sender: Any, booking: Booking, actor: Any, by_operator: bool, **kwargs: Any
) -> None:
    operators: list[User] = []
    if by_operator:
        contacts = booking_contacts(booking=booking)
    else:
        contacts, operators = booking_contacts_and_operators(booking=booking, exclude=actor)
    outgoing = _about(MessageKind.BOOKING_CANCELLED, booking, contacts, by_operator=by_operator)
    outgoing += _about(MessageKind.OPERATOR_BOOKING_CANCELLED, booking, operators)
    messages_record(outgoing)


@receiver(bookings_marked_no_show, dispatch_uid="notifications.bookings_marked_no_show")
def _on_no_shows(sender: Any, bookings: list[Booking], **kwargs: Any) -> None:
    messages_record(
        item
        for booking in bookings
        for item in _about(MessageKind.BOOKING_NO_SHOW, booking, booking_contacts(booking=booking))
    )


def _closure_over_bookings(
    closure: Closure, *, tag: str, moved: tuple[datetime, datetime] | None = None
) -> None:
    """Tell the members whose active bookings the closure (or its moved occurrence) covers."""
    spans = (
        [moved]
        if moved
        else list(ClosureInterval.objects.filter(closure=closure).values_list("start", "end"))
    )
    outgoing = []
    for booking in bookings_affected_by_closure(closure=closure):
        # The occurrence that falls on the booking: what the message names.
        hit = next(((s, e) for s, e in spans if s < booking.end and e > booking.start), None)
        if hit is None:
            continue
        outgoing += _about(
            MessageKind.BOOKING_CLOSURE,
            booking,
            booking_contacts(booking=booking),
            tag=f":c{closure.pk}{tag}",
            closure=closure,
            closure_start=hit[0].isoformat(),
            closure_end=hit[1].isoformat(),
        )
    messages_record(outgoing)


@receiver(closure_placed, dispatch_uid="notifications.closure_placed")
def _on_closure_placed(sender: Any, closure: Any, **kwargs: Any) -> None:
    _closure_over_bookings(closure, tag="")


@receiver(closure_occurrence_moved, dispatch_uid="notifications.closure_occurrence_moved")
def _on_closure_occurrence_moved(
    sender: Any, closure: Any, start: Any, end: Any, **kwargs: Any
) -> None:
    _closure_over_bookings(closure, tag=f":m{int(start.timestamp())}", moved=(start, end))


def _qualification(kind: str, qualification: Qualification) -> None:
    # A qualification may be granted, refused and granted again: each decision is an event.
    stamp = (
        qualification.granted_at if kind == MessageKind.QUALIFICATION_GRANTED else None
    ) or timezone.now()
    messages_record(
        [
            Outgoing(
                kind=kind,
                recipient=qualification.user,
                platform=qualification.machine.platform,
                qualification=qualification,
                key=f"{kind}:{qualification.pk}:{stamp.isoformat()}:u{qualification.user_id}",
            )
        ]
    )


@receiver(qualification_granted, dispatch_uid="notifications.qualification_granted")
def _on_qualification_granted(sender: Any, qualification: Qualification, **kwargs: Any) -> None:
    _qualification(MessageKind.QUALIFICATION_GRANTED, qualification)


@receiver(qualification_refused, dispatch_uid="notifications.qualification_refused")
def _on_qualification_refused(sender: Any, qualification: Qualification, **kwargs: Any) -> None:
    _qualification(MessageKind.QUALIFICATION_REFUSED, qualification)


def _company_decision(kind: str, company: Company, actor: Any, stamp: Any) -> None:
    platform = platform_of_decision(actor=actor)
    if platform is None:
        return
    messages_record(
        Outgoing(
            kind=kind,
            recipient=admin,
            platform=platform,
            # A company refused and then validated hears of each decision.
            key=f"{kind}:{company.pk}:{stamp.isoformat()}:u{admin.pk}",
            context={"company": company.pk},
        )
        for admin in company_admins(company=company)
    )


@receiver(company_validated, dispatch_uid="notifications.company_validated")
def _on_company_validated(sender: Any, company: Company, actor: Any, **kwargs: Any) -> None:
    _company_decision(MessageKind.COMPANY_VALIDATED, company, actor, company.validated_at)


@receiver(company_refused, dispatch_uid="notifications.company_refused")
def _on_company_refused(sender: Any, company: Company, actor: Any, **kwargs: Any) -> None:
    _company_decision(MessageKind.COMPANY_REFUSED, company, actor, company.refused_at)


@receiver(company_registered, dispatch_uid="notifications.company_registered")
def _on_company_registered(sender: Any, company: Company, **kwargs: Any) -> None:
    messages_record(
        Outgoing(
            kind=MessageKind.OPERATOR_COMPANY_WAITING,
            recipient=operator,
            platform=None,
            key=f"{MessageKind.OPERATOR_COMPANY_WAITING}:{company.pk}:u{operator.pk}",
            context={"company": company.pk},
        )
        for operator in operators_told_of_company(company=company)
    )


# One link per address in this many minutes, however often it is asked for.
ADDRESS_LINK_EVERY = 10


@receiver(address_to_confirm, dispatch_uid="notifications.address_to_confirm")
def _on_address_to_confirm(sender: Any, user: User, email: str, **kwargs: Any) -> None:
    now = timezone.now()
    window = int(now.timestamp() // (ADDRESS_LINK_EVERY * 60))
    messages_record(
        [
            Outgoing(
                kind=MessageKind.ADDRESS_CONFIRMATION,
                recipient=user,
                platform=None,
                key=f"{MessageKind.ADDRESS_CONFIRMATION}:u{user.pk}:{email.lower()}:{window}",
                to_email=email,
                context={"email": email},
            )
        ]
    )


@receiver(password_reset_requested, dispatch_uid="notifications.password_reset_requested")
def _on_password_reset_requested(
    sender: Any, user: User, reason: str = "asked", **kwargs: Any
) -> None:
    # The request may come again (the link is made at send time, so the last one works).
    messages_record(
        [
            Outgoing(
                kind=MessageKind.PASSWORD_RESET,
                recipient=user,
                platform=None,
                key=f"{MessageKind.PASSWORD_RESET}:u{user.pk}:{timezone.now().isoformat()}",
                context={"reason": reason},
            )
        ]
    )


@receiver(member_invited, dispatch_uid="notifications.member_invited")
def _on_member_invited(sender: Any, invitation: Invitation, actor: Any, **kwargs: Any) -> None:
    """To the account with the invited address when there is one (its dashboard offers to
    answer), else to the address, in the inviter's language."""
    account = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    messages_record(
        [
            Outgoing(
                kind=MessageKind.INVITATION,
                recipient=account,
                platform=invitation.platform,
                key=f"{MessageKind.INVITATION}:{invitation.pk}",
                to_email=invitation.email,
                context={
                    "invitation": invitation.pk,
                    "language": getattr(actor, "preferred_language", "fr"),
                },
            )
        ]
    )


@receiver(account_erased, dispatch_uid="notifications.account_erased")
def _on_account_erased(sender: Any, user: User, **kwargs: Any) -> None:
    """Nothing more goes to an erased person, and the outbox forgets where it wrote to them
    (it keeps no body: subjects only), including in the errors an SMTP server answered."""
    from .models import Message

    Message.objects.filter(recipient=user).update(recipient=None, to_email="", last_error="")


@receiver(invoice_issued, dispatch_uid="notifications.invoice_issued")
def _on_invoice_issued(sender: Any, invoice: Invoice, **kwargs: Any) -> None:
    """The document goes to the company's billing address, in French (the invoice's language),
    or else to each of its administrators; its PDF is attached when it is sent."""
    key = f"{MessageKind.INVOICE_ISSUED}:{invoice.pk}"
    account = BillingAccount.objects.filter(company_id=invoice.company_id).first()
    if account is not None and account.email:
        messages_record(
            [
                Outgoing(
                    kind=MessageKind.INVOICE_ISSUED,
                    recipient=None,
                    platform=invoice.platform,
                    key=key,
                    context={"invoice": invoice.pk, "language": "fr"},
                    to_email=account.email,
                )
            ]
        )
        return
    messages_record(
        Outgoing(
            kind=MessageKind.INVOICE_ISSUED,
            recipient=admin,
            platform=invoice.platform,
            key=f"{key}:u{admin.pk}",
            context={"invoice": invoice.pk},
        )
        for admin in company_admins(company=invoice.company)
    )
