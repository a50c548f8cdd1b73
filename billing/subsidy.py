"""The programme's subsidy and the de minimis ledger (issue 27, 2).

A programme pays ``subsidy_rate`` % of the price excluding VAT of an eligible company's machine
time (``models.SUBSIDISED`` lines), up to ``subsidy_cap`` per company (by SIREN) and per year of
the service. Every amount granted is recorded, when its invoice is issued, in the ledger
(``SubsidyGrant``); with the de minimis aid the company declared, the rolling three-year total
may never pass ``settings.DE_MINIMIS_CEILING``: an aid that would pass it is not granted at all
(the regulation allows no part of it), and the quote says why.

A quote counts the ledger and the lines priced but not yet invoiced; an invoice counts the
ledger alone, line after line in the order of the service, so the ledger decides.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from platforms.models import Platform

from .models import SUBSIDISED, BillableLine, BillingAccount, Programme, SubsidyGrant
from .money import ZERO, cents


def three_years_before(on: date) -> date:
    try:
        return on.replace(year=on.year - 3)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 3, day=28)


def _total(queryset: QuerySet[Any], field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


def programme_of(platform: Platform) -> Programme | None:
    """The programme that subsidises the platform's machine time, if any (the oldest)."""
    return Programme.objects.filter(platforms=platform, subsidy_rate__gt=0).order_by("id").first()


@dataclass
class Allowance:
    """What the programme may still pay a company; ``take`` hands it out line by line."""

    rate: Decimal = ZERO
    cap: Decimal | None = None  # per company and year; None: no cap but the ceiling
    cap_left: Decimal | None = None
    ceiling_left: Decimal = ZERO
    programme: Programme | None = None
    note: str = ""

    def take(self, line: Any) -> Decimal:
        if not self.rate or line.kind not in SUBSIDISED or line.total_ht <= 0:
            return ZERO
        wanted = cents(line.total_ht * self.rate / 100)
        if self.cap is not None and self.cap_left is not None and wanted > self.cap_left:
            wanted = max(self.cap_left, ZERO)
            self.note = _(
                "The programme pays at most %(cap)s € per company and year: this reaches it."
            ) % {"cap": number_format(self.cap, 2, force_grouping=True)}
        if wanted > self.ceiling_left:
            self.rate = ZERO
            self.note = _(
                "No programme aid: it would take the company's de minimis aid over "
                "%(ceiling)s € in three years."
            ) % {"ceiling": number_format(settings.DE_MINIMIS_CEILING, 0, force_grouping=True)}
            return ZERO
        if self.cap_left is not None:
            self.cap_left -= wanted
        self.ceiling_left -= wanted
        return wanted


def declared_de_minimis(*, siren: str, on: date) -> Decimal:
    """The aid the company (any establishment of its SIREN) declared, while the declaration
    covers ``on`` (three years)."""
    return _total(
        BillingAccount.objects.filter(
            company__siren=siren, de_minimis_declared_on__gt=three_years_before(on)
        ),
        "de_minimis_declared",
    )


def de_minimis_used(*, siren: str, on: date) -> Decimal:
    """The company's de minimis aid over the three years up to ``on``: declared and granted."""
    granted = SubsidyGrant.objects.filter(siren=siren, granted_on__gt=three_years_before(on))
    return declared_de_minimis(siren=siren, on=on) + _total(granted, "amount")


def allowance(
    *, platform: Platform, company: Any, on: date, booking: Any = None, pending: bool = True
) -> Allowance:
    """What the platform's programme may pay ``company`` for a service on ``on``. ``pending``:
    count the lines priced but not invoiced yet (a quote), else the ledger alone (an invoice);
    ``booking``: the booking being priced again, whose lines do not count."""
    if company is None:  # a visitor's quote: no company, no aid to count
        return Allowance()
    programme = programme_of(platform)
    if programme is None:
        return Allowance()
    if company.size_class not in programme.funded_sizes:
        return Allowance(note=_("The programme does not fund companies of this size."))
    siren = company.siret[:9]
    waiting = BillableLine.objects.filter(company__siren=siren, invoice__isnull=True, waived=False)
    if booking is not None:
        waiting = waiting.exclude(booking=booking)
    if not pending:
        waiting = waiting.none()
    cap_left = None
    if programme.subsidy_cap is not None:
        granted = SubsidyGrant.objects.filter(
            siren=siren, programme=programme, service_year=on.year
        )
        same_year = waiting.filter(service_date__year=on.year, platform__programmes=programme)
        cap_left = programme.subsidy_cap - _total(granted, "amount") - _total(same_year, "subsidy")
    since = three_years_before(on)
    used = de_minimis_used(siren=siren, on=on) + _total(
        waiting.filter(service_date__gt=since), "subsidy"
    )
    return Allowance(
        rate=programme.subsidy_rate,
        cap=programme.subsidy_cap,
        cap_left=cap_left,
        ceiling_left=settings.DE_MINIMIS_CEILING - used,
        programme=programme,
    )
