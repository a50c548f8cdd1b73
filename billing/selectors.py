"""Reads of billing: who sees which documents, what a platform has to bill, what a company
spent."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from bookings.models import Membership
from platforms.models import Platform

from .models import BillableLine, Invoice, SubsidyGrant
from .pricing import totals
from .services.invoices import WAITING, month_end


def invoices_visible_to(*, user: Any) -> QuerySet[Invoice]:
    """Invoices and credit notes ``user`` may see: their companies', and those of the platforms
    they operate; staff all; anyone else none. Pages and API list through this one."""
    if not getattr(user, "is_authenticated", False):
        return Invoice.objects.none()
    documents = Invoice.objects.select_related("platform", "company", "credited").defer("pdf")
    if user.is_staff:
        return documents
    own = Exists(Membership.objects.filter(company_id=OuterRef("company_id"), user_id=user.pk))
    operated = Exists(
        Platform.operators.through.objects.filter(
            platform_id=OuterRef("platform_id"), user_id=user.pk
        )
    )
    return documents.filter(Q(own) | Q(operated))


def lines_to_bill(*, platform: Platform, month: date) -> QuerySet[BillableLine]:
    """What the platform's next invoices hold for ``month`` (and earlier lines not yet billed),
    with the month's waived lines, for its operators to review."""
    return (
        BillableLine.objects.filter(
            platform=platform, invoice__isnull=True, service_date__lte=month_end(month)
        )
        # A line waived in an earlier month stays where it was, not in every month after.
        .filter(Q(waived=False) | Q(service_date__gte=month))
        .exclude(WAITING)
        .select_related("company", "booking__machine")
        .order_by("company__name", "service_date", "id")
    )


def spending_by_month(*, companies: QuerySet[Any]) -> list[dict[str, Any]]:
    """What the companies were invoiced month by month (credit notes deducted), newest first."""
    rows = (
        Invoice.objects.filter(company__in=companies)
        .annotate(period=TruncMonth("month"))
        .values("period", "kind")
        .annotate(ttc=Sum("total_ttc"), aid=Sum("subsidy"), due=Sum("to_pay"))
        .order_by("-period")
    )
    months: dict[date, dict[str, Any]] = {}
    for row in rows:
        sign = -1 if row["kind"] == "credit_note" else 1
        entry = months.setdefault(
            row["period"],
            {"month": row["period"], "ttc": Decimal(0), "aid": Decimal(0), "due": Decimal(0)},
        )
        for key in ("ttc", "aid", "due"):
            entry[key] += sign * row[key]
    return list(months.values())


def revenue_by_machine(*, platform: Platform, month: date) -> list[dict[str, Any]]:
    """What the month's invoices billed per machine, excluding VAT (consumables and lines of no
    booking together, under no machine; a training seat under its session's machine); credit
    notes are not deducted here."""
    rows = (
        BillableLine.objects.filter(
            platform=platform,
            invoice__isnull=False,
            service_date__gte=month,
            service_date__lte=month_end(month),
        )
        .annotate(machine=Coalesce("booking__machine__name", "enrolment__session__machine__name"))
        .values("machine")
        .annotate(total=Sum("total_ht"))
        .order_by("-total")
    )
    return [{"machine": row["machine"], "total": row["total"]} for row in rows]


def journal(*, platform: Platform, month: date) -> list[dict[str, Any]]:
    """The sales journal of the platform's documents issued in ``month``: per document, the
    customer's debit (411, what it pays), the programme's (441, its aid), sales per VAT rate
    (706) and VAT collected (44571) — a credit note the other way round."""
    documents = (
        Invoice.objects.filter(
            platform=platform, issued_on__gte=month, issued_on__lte=month_end(month)
        )
        .defer("pdf")
        .prefetch_related("lines")
        .select_related("company")
        .order_by("issued_on", "id")
    )
    rows: list[dict[str, Any]] = []
    for document in documents:
        sign = -1 if document.kind == "credit_note" else 1
        figures = totals(document.lines.all())
        entries = [
            (f"411{document.company.siret[:9]}", figures.to_pay, True),
            ("441", figures.subsidy, True),
        ]
        for _rate, (base, vat) in figures.by_rate.items():
            entries += [("706", base, False), ("44571", vat, False)]
        for account, amount, debit in entries:
            if not amount:
                continue
            amount *= sign
            if amount < 0:
                debit, amount = not debit, -amount
            rows.append(
                {
                    "date": document.issued_on,
                    "account": account,
                    "label": f"{document.number} {document.company.name}",
                    "debit": amount if debit else Decimal(0),
                    "credit": Decimal(0) if debit else amount,
                    "document": document.number,
                }
            )
    return rows


def subsidy_figures(
    *,
    platform_ids: tuple[int, ...] | None,
    start: date,
    end: date,
    programme: Any = None,
    region: str = "",
    company_ids: tuple[int, ...] | None = None,
    companies_listed: int = 50,
) -> dict[str, Any]:
    """The programme's aid granted over [start, end) (by the day each invoice was issued,
    credit notes deducted) on the platforms of the scope: in all, per platform, region (of
    the company) and size class, and per company (name, SIREN, size, region — never a person),
    with each company's room left under the programme's cap this year; and the programme's
    budget left since it started."""
    grants = SubsidyGrant.objects.filter(granted_on__gte=start, granted_on__lt=end)
    if platform_ids is not None:
        grants = grants.filter(invoice__platform_id__in=platform_ids)
    if company_ids is not None:
        grants = grants.filter(company_id__in=company_ids)
    if programme is not None:
        grants = grants.filter(programme=programme)
    if region:
        grants = grants.filter(company__region=region)

    def by(field: str) -> dict[Any, Decimal]:
        rows = grants.values(field).annotate(total=Sum("amount")).order_by(field)
        return {row[field]: row["total"] for row in rows}

    names = dict(Platform.objects.filter(pk__in=by("invoice__platform")).values_list("pk", "name"))
    companies = (
        grants.values("siren", "company__name", "company__size_class", "company__region")
        .annotate(total=Sum("amount"))
        .order_by("-total", "siren")[:companies_listed]
    )
    year = end.year if end.month > 1 or end.day > 1 else end.year - 1
    cap = getattr(programme, "subsidy_cap", None)
    this_year = dict(
        SubsidyGrant.objects.filter(
            siren__in=[row["siren"] for row in companies], service_year=year
        )
        .filter(**({"programme": programme} if programme is not None else {}))
        .values("siren")
        .annotate(total=Sum("amount"))
        .values_list("siren", "total")
    )
    granted = _sum(grants)
    figures: dict[str, Any] = {
        "granted": granted,
        "by_platform": [
            {"id": pk, "name": names.get(pk, ""), "granted": total}
            for pk, total in sorted(by("invoice__platform").items(), key=lambda item: -item[1])
        ],
        "by_region": by("company__region"),
        "by_size_class": by("company__size_class"),
        "companies": [
            {
                "siren": row["siren"],
                "name": row["company__name"],
                "size_class": row["company__size_class"],
                "region": row["company__region"],
                "granted": row["total"],
                "cap_left_this_year": None
                if cap is None
                else max(cap - this_year.get(row["siren"], Decimal(0)), Decimal(0)),
            }
            for row in companies
        ],
        "budget": None,
        "budget_left": None,
    }
    if programme is not None and programme.budget:
        spent = _sum(SubsidyGrant.objects.filter(programme=programme, granted_on__lt=end))
        figures["budget"] = programme.budget
        figures["budget_left"] = programme.budget - spent
    return figures


def _sum(grants: QuerySet[SubsidyGrant]) -> Decimal:
    return grants.aggregate(total=Sum("amount"))["total"] or Decimal(0)
