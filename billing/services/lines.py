"""The lines to bill (issue 27, 1): what each booking costs as it stands — booked or used time,
a late cancellation or a no-show per the platform's policy — and the consumables an operator
adds after use. Written when bookings announce a change (``receivers``), in their transaction;
a booking already invoiced keeps its lines (corrections are credit notes)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bookings.models import Booking, BookingKind, BookingStatus, Company, Enrolment
from platforms.models import Platform
from platforms.selectors import user_operates

from ..exceptions import AlreadyInvoiced, NotOperator
from ..models import BillableLine, LineKind, PlatformBilling
from ..money import cents
from ..pricing import Line, quote
from ..subsidy import allowance

# The kinds a booking's state decides (a consumable stays whatever happens to the booking).
FROM_BOOKING = (
    LineKind.TIME,
    LineKind.SETUP,
    LineKind.ASSISTANCE,
    LineKind.MINIMUM,
    LineKind.LATE_CANCELLATION,
    LineKind.NO_SHOW,
)


def policy_of(platform: Platform) -> PlatformBilling:
    """The platform's billing details and policy (the defaults until its operators set them)."""
    found = PlatformBilling.objects.filter(platform=platform).first()
    return found or PlatformBilling(platform=platform)


def local_date(booking: Booking) -> date:
    return booking.start.astimezone(booking.machine.platform.tz).date()


def used_range(booking: Booking) -> tuple[Any, Any]:
    """The usage recorded, its length rounded up to the machine's slot."""
    start, end = booking.actual_start, booking.actual_end
    assert start is not None and end is not None  # a completed booking's usage
    slot = timedelta(minutes=booking.machine.slot_minutes)
    slots = -((start - end) // slot)  # ceiling division
    return start, start + max(slots, 1) * slot


def booking_priced(booking: Booking) -> None:
    """Write ``booking``'s lines to bill from its state and set its price snapshot (the price
    of its time excluding VAT): booked time, or used time where the platform bills it; a late
    cancellation or a no-show at the policy's share of the booked price; nothing for a
    rejection or a cancellation in time. Internal time is never billed."""
    if booking.kind != BookingKind.COMPANY or booking.company_id is None:
        return
    # Locked: an invoice being issued holds them; once it commits, they are seen invoiced.
    held = list(BillableLine.objects.select_for_update().filter(booking=booking))
    if any(line.invoice_id is not None for line in held):
        return
    BillableLine.objects.filter(
        pk__in=[line.pk for line in held if line.kind in FROM_BOOKING]
    ).delete()
    machine = booking.machine
    policy = policy_of(machine.platform)
    # Invoices are written in French, the language of the seller's accounts.
    with translation.override("fr"):
        if booking.status in (
            BookingStatus.PENDING,
            BookingStatus.CONFIRMED,
            BookingStatus.COMPLETED,
        ):
            lines = _time_lines(booking, policy)
        else:
            # A fee on the price the booking had (its snapshot), whatever the rates are now.
            fee = _fee(booking, policy, booking.price)
            lines = [] if fee is None else [fee]
    day = local_date(booking)
    BillableLine.objects.bulk_create(
        BillableLine(
            platform=machine.platform,
            company_id=booking.company_id,
            booking=booking,
            kind=kind,
            label=f"{machine.name} – {label}"[:200],
            quantity=quantity,
            unit_price_ht=unit,
            vat_rate=machine.vat_rate,
            total_ht=total,
            subsidy=subsidy,
            service_date=day,
        )
        for kind, label, quantity, unit, total, subsidy in lines
    )


def enrolment_priced(enrolment: Enrolment) -> None:
    """Write the line of a seat in a training session, billed like machine time (the
    programme's aid included) on the session's day: one line while the person has a seat in a
    session still scheduled, none once they withdraw or it is cancelled. A line invoiced stays."""
    held = list(BillableLine.objects.select_for_update().filter(enrolment=enrolment))
    if any(line.invoice_id is not None for line in held):
        return
    BillableLine.objects.filter(pk__in=[line.pk for line in held]).delete()
    session = enrolment.session
    if not (enrolment.is_seated and session.is_scheduled and session.price > 0):
        return
    machine = session.machine
    day = session.start.astimezone(machine.platform.tz).date()
    with translation.override("fr"):
        label = _("Training session on %(machine)s, %(day)s") % {
            "machine": machine.name,
            "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
        }
        line = Line(
            kind=LineKind.TRAINING,
            label=label[:200],
            quantity=Decimal(1),
            unit_price_ht=session.price,
            vat_rate=machine.vat_rate,
            total_ht=session.price,
        )
        aid = allowance(platform=machine.platform, company=enrolment.company, on=day)
    BillableLine.objects.create(
        platform=machine.platform,
        company=enrolment.company,
        enrolment=enrolment,
        kind=line.kind,
        label=line.label,
        quantity=line.quantity,
        unit_price_ht=line.unit_price_ht,
        vat_rate=line.vat_rate,
        total_ht=line.total_ht,
        subsidy=aid.take(line),
        service_date=day,
    )


def _time_lines(booking: Booking, policy: PlatformBilling) -> list[tuple[Any, ...]]:
    """The lines of the booking's time (booked, or used where the platform bills it), and its
    price snapshot set to their total."""
    start, end = booking.start, booking.end
    used = booking.status == BookingStatus.COMPLETED and booking.actual_end is not None
    if used and policy.bills_used_time:
        start, end = used_range(booking)
    priced = quote(
        machine=booking.machine,
        start=start,
        end=end,
        company=booking.company,
        assisted=booking.assisted,
        booking=booking,
    )
    if booking.price != priced.total_ht:
        booking.price = priced.total_ht
        Booking.objects.filter(pk=booking.pk).update(price=priced.total_ht)
    return [
        (line.kind, line.label, line.quantity, line.unit_price_ht, line.total_ht, line.subsidy)
        for line in priced.lines
    ]


def _fee(booking: Booking, policy: PlatformBilling, price: Decimal) -> tuple[Any, ...] | None:
    if booking.status == BookingStatus.CANCELLED and booking.late_cancellation:
        kind, percent = LineKind.LATE_CANCELLATION, policy.late_cancellation_percent
        label = _("Late cancellation (%(percent)s %% of %(price)s €)")
    elif booking.status == BookingStatus.NO_SHOW:
        kind, percent = LineKind.NO_SHOW, policy.no_show_percent
        label = _("No-show (%(percent)s %% of %(price)s €)")
    else:
        return None
    if not percent:
        return None
    fee = cents(price * percent / 100)
    label = label % {
        "percent": formats.number_format(percent.normalize(), use_l10n=True),
        "price": formats.number_format(price, 2, use_l10n=True),
    }
    return (kind, label, Decimal(1), fee, fee, Decimal(0))


def consumable_add(
    *,
    user: Any,
    platform: Platform,
    company: Company,
    name: str,
    quantity: Decimal,
    unit_price_ht: Decimal,
    vat_rate: Decimal,
    on: date,
    booking: Booking | None = None,
) -> BillableLine:
    """An operator bills a company for what it used (material, parts) on ``on``."""
    if not user_operates(user=user, platform=platform):
        raise NotOperator()
    with transaction.atomic():
        line = BillableLine.objects.create(
            platform=platform,
            company=company,
            booking=booking,
            kind=LineKind.CONSUMABLE,
            label=name,
            quantity=quantity,
            unit_price_ht=unit_price_ht,
            vat_rate=vat_rate,
            total_ht=cents(quantity * unit_price_ht),
            service_date=on,
            added_by=user,
        )
        audit_record(
            actor=user,
            action="billing.consumable_added",
            obj=line,
            after={"label": name, "total_ht": str(line.total_ht)},
        )
        return line


def line_waive(*, user: Any, line: BillableLine, waived: bool = True) -> BillableLine:
    """An operator waives a line before it is invoiced (a late fee forgiven), or bills it
    again."""
    if not user_operates(user=user, platform=line.platform):
        raise NotOperator()
    with transaction.atomic():
        locked = BillableLine.objects.select_for_update().get(pk=line.pk)
        if locked.invoice_id is not None:
            raise AlreadyInvoiced()
        before = {"waived": locked.waived}
        locked.waived = waived
        locked.save(update_fields=["waived"])
        audit_record(
            actor=user,
            action="billing.line_waived" if waived else "billing.line_billed",
            obj=locked,
            before=before,
            after={"waived": waived},
        )
        return locked


def consumable_remove(*, user: Any, line: BillableLine) -> None:
    """An operator takes back a consumable added by mistake, before it is invoiced."""
    if not user_operates(user=user, platform=line.platform):
        raise NotOperator()
    with transaction.atomic():
        locked = BillableLine.objects.select_for_update().get(pk=line.pk)
        if locked.invoice_id is not None:
            raise AlreadyInvoiced()
        if locked.kind != LineKind.CONSUMABLE:
            raise AlreadyInvoiced()
        audit_record(
            actor=user,
            action="billing.consumable_removed",
            obj=locked,
            before={"label": locked.label, "total_ht": str(locked.total_ht)},
        )
        locked.delete()
