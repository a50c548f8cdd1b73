"""Billing listens to what bookings announce and prices them in the same transaction
(connected in ``BillingConfig.ready``): the quote, the lines and the invoice share one price
function (``pricing.quote``)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from bookings.models import Booking, BookingKind, Enrolment, TrainingSession
from bookings.signals import (
    booking_cancelled,
    booking_created,
    booking_moved,
    booking_rejected,
    booking_usage_recorded,
    bookings_marked_no_show,
    demo_seeded,
    enrolment_seated,
    enrolment_withdrawn,
    training_cancelled,
)

from .models import PlatformBilling, Programme
from .services.invoices import invoices_issue
from .services.lines import booking_priced, enrolment_priced

# Valid identifiers for the demo's sellers (checksums right, companies fictitious).
DEMO_SIRETS = ("73282932000074", "55210055400013", "44306184100047")
DEMO_VAT = ("FR44732829320", "FR96552100554", "FR64443061841")
DEMO_POSTCODES = ("69007", "44300", "67000")


@receiver(booking_created, dispatch_uid="billing.created")
def on_created(
    sender: type, booking: Booking, series: list[Booking] | None = None, **_: Any
) -> None:
    for one in series or [booking]:
        booking_priced(one)


@receiver(booking_moved, dispatch_uid="billing.moved")
@receiver(booking_cancelled, dispatch_uid="billing.cancelled")
@receiver(booking_rejected, dispatch_uid="billing.rejected")
@receiver(booking_usage_recorded, dispatch_uid="billing.used")
def on_changed(sender: type, booking: Booking, **_: Any) -> None:
    booking_priced(booking)


@receiver(bookings_marked_no_show, dispatch_uid="billing.no_show")
def on_no_shows(sender: type, bookings: list[Booking], **_: Any) -> None:
    for booking in bookings:
        booking_priced(booking)


@receiver(enrolment_seated, dispatch_uid="billing.seated")
@receiver(enrolment_withdrawn, dispatch_uid="billing.withdrawn")
def on_enrolment(sender: type, enrolment: Enrolment, **_: Any) -> None:
    enrolment_priced(enrolment)


@receiver(training_cancelled, dispatch_uid="billing.training_cancelled")
def on_training_cancelled(
    sender: type, session: TrainingSession, enrolments: list[Enrolment], **_: Any
) -> None:
    for enrolment in enrolments:
        enrolment_priced(enrolment)


DEMO_PROGRAMME = "Plateformes d'accélération Industrie du futur"


@receiver(demo_seeded, dispatch_uid="billing.demo_seeded")
def on_demo_seeded(sender: type, platforms: list[Any], users: dict[str, Any], **_: Any) -> None:
    """The demo's money: its programme (every demo platform, a target of 2,000 SMEs, half of
    SMEs' machine time paid up to 5,000 € a year, followed by the demo funder), each platform's
    invoicing details, last month's and this month's bookings priced, last month invoiced."""
    today = timezone.localdate()
    programme, _created = Programme.objects.get_or_create(
        name=DEMO_PROGRAMME,
        defaults={
            "start_date": date(today.year - 1, 1, 1),
            "target_smes": 2000,
            "subsidy_rate": Decimal(50),
            "subsidy_cap": Decimal(5000),
            "budget": Decimal(2_000_000),
        },
    )
    programme.platforms.add(*platforms)
    if "funder" in users:
        programme.funders.add(users["funder"])
    for index, platform in enumerate(platforms):
        PlatformBilling.objects.get_or_create(
            platform=platform,
            defaults={
                "legal_name": f"{platform.name} SAS",
                "legal_form": "SAS",
                "share_capital": "au capital de 50 000 €",
                "street": f"{12 + index} rue de l'Industrie",
                "postcode": DEMO_POSTCODES[index % len(DEMO_POSTCODES)],
                "city": platform.city,
                "siret": DEMO_SIRETS[index % len(DEMO_SIRETS)],
                "vat_number": DEMO_VAT[index % len(DEMO_VAT)],
                "rcs": f"RCS {platform.city}",
                "iban": "FR7630006000011234567890189",
                "bic": "AGRIFRPP",
                "invoice_prefix": f"PF{index + 1}",
                "late_cancellation_percent": Decimal(50),
                "no_show_percent": Decimal(100),
            },
        )
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    unpriced = Booking.objects.filter(
        machine__platform__in=platforms,
        kind=BookingKind.COMPANY,
        start__date__gte=last_month,
        billable_lines__isnull=True,
    ).select_related("machine__platform", "company")
    for booking in unpriced:
        booking_priced(booking)
    invoices_issue(month=last_month, today=today)
