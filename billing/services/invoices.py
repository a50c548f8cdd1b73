"""Issuing invoices and credit notes (issue 27, 3).

One invoice per company and platform and month, for the lines to bill up to the month's end
that no invoice holds yet (a consumable added late joins the next month's). Each document is
numbered ``<PREFIX>-<YYYY>-<00001>`` per platform and year, with no gap and no duplicate: the
platform's invoicing row is locked while a document is numbered, and a document is written
whole or not at all. Its PDF (Factur-X) is made once and kept; its SHA-256 covers the previous
document's hash and its own PDF, so the chain of a platform's documents shows any change.
"""

import hashlib
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.audit import audit_record
from bookings.models import BookingStatus, Company
from core.events import announce
from platforms.models import Platform
from platforms.selectors import user_operates

from ..documents import document_pdf
from ..exceptions import (
    MonthNotOver,
    NotAnInvoice,
    NothingToCredit,
    NotOperator,
    ReasonRequired,
    SellerIncomplete,
)
from ..models import (
    BillableLine,
    BillingAccount,
    DocumentKind,
    Invoice,
    InvoiceLine,
    PlatformBilling,
    SubsidyGrant,
)
from ..pricing import totals
from ..signals import invoice_issued
from ..subsidy import allowance

# The lines of bookings that are not decided yet wait; everything else that is priced bills.
WAITING = Q(booking__status=BookingStatus.PENDING)


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def seller_of(policy: PlatformBilling) -> dict[str, Any]:
    fields = ("legal_name", "legal_form", "share_capital", "street", "postcode", "city")
    seller = {name: getattr(policy, name) for name in fields}
    seller.update(
        siren=policy.siret[:9],
        siret=policy.siret,
        vat_number=policy.vat_number,
        rcs=policy.rcs,
        iban=policy.iban,
        bic=policy.bic,
        email=policy.platform.contact_email,
        phone=policy.platform.contact_phone,
        payment_days=policy.payment_days,
    )
    return seller


def buyer_of(company: Company) -> dict[str, Any]:
    account = BillingAccount.objects.filter(company=company).first() or BillingAccount()
    return {
        "name": company.name,
        "siren": company.siret[:9],
        "siret": company.siret,
        "street": account.street,
        "postcode": account.postcode,
        "city": account.city,
        "email": account.email,
    }


def _lock_seller(platform: Platform | int) -> PlatformBilling:
    policy = (
        PlatformBilling.objects.select_for_update()
        .select_related("platform")
        .filter(platform=platform)
        .first()
    )
    if policy is None or not policy.can_invoice:
        raise SellerIncomplete()
    return policy


def _number(policy: PlatformBilling, year: int) -> tuple[int, str]:
    last = Invoice.objects.filter(platform=policy.platform, year=year).aggregate(n=Max("sequence"))
    sequence = (last["n"] or 0) + 1
    return sequence, f"{policy.invoice_prefix}-{year}-{sequence:05d}"


def _line_of(source: Any, *, subsidy: Any, credits: InvoiceLine | None = None) -> InvoiceLine:
    """A document's line copied from a line to bill (an invoice) or an invoice's (a credit note)."""
    return InvoiceLine(
        kind=source.kind,
        label=source.label,
        service_date=source.service_date,
        quantity=source.quantity,
        unit_price_ht=source.unit_price_ht,
        vat_rate=source.vat_rate,
        total_ht=source.total_ht,
        subsidy=subsidy,
        credits=credits,
    )


def _write(
    *, policy: PlatformBilling, invoice: Invoice, lines: list[InvoiceLine], actor: Any
) -> Invoice:
    """Number, total, render, hash and save a document and its lines (under the seller's lock)."""
    figures = totals(lines)
    invoice.year = invoice.issued_on.year
    invoice.sequence, invoice.number = _number(policy, invoice.year)
    invoice.total_ht, invoice.total_vat = figures.total_ht, figures.total_vat
    invoice.total_ttc, invoice.subsidy = figures.total_ttc, figures.subsidy
    invoice.to_pay = figures.to_pay
    previous = Invoice.objects.filter(platform=policy.platform).order_by("-id").first()
    invoice.previous_sha256 = previous.sha256 if previous else ""
    invoice.pdf = document_pdf(invoice, lines)
    invoice.sha256 = hashlib.sha256(invoice.previous_sha256.encode() + invoice.pdf).hexdigest()
    invoice.save()
    for position, line in enumerate(lines, start=1):
        line.invoice, line.position = invoice, position
    InvoiceLine.objects.bulk_create(lines)
    audit_record(
        actor=actor,
        action=f"billing.{invoice.kind}_issued",
        obj=invoice,
        after={"number": invoice.number, "total_ttc": str(invoice.total_ttc)},
    )
    announce(invoice_issued, sender=Invoice, invoice=invoice, actor=actor)
    return invoice


def invoice_issue(
    *, platform: Platform | int, company: Company | int, month: date, today: date
) -> Invoice | None:
    """Issue ``company``'s invoice of ``month`` (its first day) on ``platform``, or None when it
    has nothing to bill or has its invoice already."""
    last = month_end(month)
    with transaction.atomic():
        policy = _lock_seller(platform)
        if Invoice.objects.filter(
            platform=policy.platform, company=company, month=month, kind=DocumentKind.INVOICE
        ).exists():
            return None
        billable = list(
            BillableLine.objects.select_for_update(of=("self",))
            .filter(
                platform=policy.platform,
                company=company,
                invoice__isnull=True,
                waived=False,
                service_date__lte=last,
            )
            .exclude(WAITING)
            .order_by("service_date", "booking__start", "id")
        )
        if not billable:
            return None
        buyer = Company.objects.get(pk=company.pk if isinstance(company, Company) else company)
        # Every establishment of the SIREN, in order: its subsidy is counted one invoice at a time.
        list(Company.objects.select_for_update().filter(siren=buyer.siret[:9]).order_by("id"))
        aid = allowance(platform=policy.platform, company=buyer, on=last, pending=False)
        lines = [_line_of(line, subsidy=aid.take(line)) for line in billable]
        invoice = _write(
            policy=policy,
            invoice=Invoice(
                kind=DocumentKind.INVOICE,
                platform=policy.platform,
                company=buyer,
                month=month,
                issued_on=today,
                period_start=min(line.service_date for line in billable),
                period_end=max(line.service_date for line in billable),
                due_on=today + timedelta(days=policy.payment_days),
                seller=seller_of(policy),
                buyer=buyer_of(buyer),
            ),
            lines=lines,
            actor=None,
        )
        BillableLine.objects.filter(pk__in=[line.pk for line in billable]).update(invoice=invoice)
        if invoice.subsidy and aid.programme is not None:
            SubsidyGrant.objects.create(
                siren=buyer.siret[:9],
                company=buyer,
                programme=aid.programme,
                invoice=invoice,
                amount=invoice.subsidy,
                granted_on=today,
                service_year=last.year,
            )
        return invoice


def invoices_issue(
    *, month: date, today: date | None = None, platform: Platform | None = None
) -> tuple[QuerySet[Invoice], list[str]]:
    """Issue every invoice of ``month`` (its first day), once it is over — of one ``platform``
    when given. Returns the invoices issued (read when used: a national month is tens of
    thousands of PDFs, none kept in memory) and the platforms that could not invoice
    (incomplete details). Run twice, at once or later, it issues nothing more."""
    today = today or timezone.localdate()
    if month_end(month) >= today:
        raise MonthNotOver()
    billable = BillableLine.objects.filter(
        invoice__isnull=True, waived=False, service_date__lte=month_end(month)
    ).exclude(WAITING)
    if platform is not None:
        billable = billable.filter(platform=platform)
    pairs = (
        billable.values_list("platform_id", "company_id")
        .distinct()
        .order_by("platform_id", "company_id")
    )
    issued: list[int] = []
    incomplete: list[str] = []
    for platform_id, company_id in pairs:
        try:
            invoice = invoice_issue(
                platform=platform_id, company=company_id, month=month, today=today
            )
        except SellerIncomplete:
            name = str(Platform.objects.get(pk=platform_id))
            if name not in incomplete:
                incomplete.append(name)
            continue
        if invoice is not None:
            issued.append(invoice.pk)
    documents = Invoice.objects.filter(pk__in=issued).defer("pdf").order_by("id")
    return documents, incomplete


def credit_note_issue(
    *, user: Any, invoice: Invoice, reason: str, lines: list[int] | None = None
) -> Invoice:
    """An operator credits an invoice, in full or for the chosen lines (ids of its lines), with
    a reason printed on the credit note. The invoice itself never changes."""
    if not user_operates(user=user, platform=invoice.platform):
        raise NotOperator()
    if invoice.kind != DocumentKind.INVOICE:
        raise NotAnInvoice()
    if not reason.strip():
        raise ReasonRequired()
    with transaction.atomic():
        policy = _lock_seller(invoice.platform_id)
        chosen = invoice.lines.filter(credited_by__isnull=True)
        if lines is not None:
            chosen = chosen.filter(pk__in=lines)
        originals = list(chosen.order_by("position"))
        if not originals or (lines is not None and len(originals) != len(set(lines))):
            raise NothingToCredit()
        today = timezone.localdate()
        credit = _write(
            policy=policy,
            invoice=Invoice(
                kind=DocumentKind.CREDIT_NOTE,
                platform=invoice.platform,
                company=invoice.company,
                month=invoice.month,
                issued_on=today,
                period_start=invoice.period_start,
                period_end=invoice.period_end,
                due_on=today,
                seller=seller_of(policy),
                buyer=invoice.buyer,
                credited=invoice,
                reason=reason.strip(),
            ),
            lines=[_line_of(line, subsidy=line.subsidy, credits=line) for line in originals],
            actor=user,
        )
        grant = invoice.grants.first()
        if credit.subsidy and grant is not None:
            SubsidyGrant.objects.create(
                siren=grant.siren,
                company=invoice.company,
                programme=grant.programme,
                invoice=credit,
                amount=-credit.subsidy,
                granted_on=today,
                service_year=grant.service_year,
            )
        return credit
