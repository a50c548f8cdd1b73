"""An operator's money: the month's lines to review before they are invoiced (a consumable
added, a late fee waived), the invoices issued and their credit notes, revenue per machine, the
sales journal, and the platform's invoicing details."""

import csv
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from billing.models import BillableLine, DocumentKind, Invoice, PlatformBilling
from billing.selectors import invoices_visible_to, journal, lines_to_bill, revenue_by_machine
from billing.services.accounts import seller_set
from billing.services.invoices import credit_note_issue, invoices_issue, month_end
from billing.services.lines import consumable_add, consumable_remove, line_waive
from bookings.models import Company
from bookings.selectors import companies_booking_on
from core.exceptions import DomainError
from platforms.selectors import platforms_operated_by

from ...forms.billing import ConsumableForm, CreditForm, SellerForm, month_param
from ..common import HtmxHttpRequest, page_of, page_param
from .base import done, operated_ids, operated_platform, refused


def _chosen(request: HtmxHttpRequest) -> Any:
    operated = operated_ids(request)
    value = request.GET.get("platform") or request.POST.get("platform") or ""
    pk = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else operated[0]
    return operated_platform(request, pk if pk in operated else operated[0])


def _billing_url(platform: Any, month: Any) -> str:
    return f"{reverse('web:operator-billing')}?platform={platform.pk}&month={month:%Y-%m}"


@login_required
def billing(request: HtmxHttpRequest) -> HttpResponse:
    platform = _chosen(request)
    today = timezone.localdate()
    # Last month while it has lines to invoice, else the month under way.
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    waiting = lines_to_bill(platform=platform, month=last_month).filter(waived=False).exists()
    month = month_param(
        request.GET.get("month", ""), last_month if waiting else today.replace(day=1)
    )
    lines = list(lines_to_bill(platform=platform, month=month))
    policy = PlatformBilling.objects.filter(platform=platform).first()
    return render(
        request,
        "web/operator/billing.html",
        {
            "platform": platform,
            "platforms": platforms_operated_by(user=request.user).order_by("name"),
            "month": month,
            "previous": (month - timedelta(days=1)).replace(day=1),
            "next": month_end(month) + timedelta(days=1),
            "over": month_end(month) < today,
            "issue_day": settings.INVOICES_ISSUE_DAY,
            "lines": lines,
            "billed_total": sum(line.total_ht for line in lines if not line.waived),
            "to_issue": any(not line.waived for line in lines),
            "policy": policy,
            "consumable_form": ConsumableForm(
                companies=_customers(platform), initial={"on": min(today, month_end(month))}
            ),
            "documents": page_of(
                invoices_visible_to(user=request.user)
                .filter(platform=platform)
                .order_by("-issued_on", "-id"),
                page_param(request),
                per_page=20,
            ),
            "credit_form": CreditForm(),
            "revenue": revenue_by_machine(platform=platform, month=month),
        },
    )


def _customers(platform: Any) -> list[Company]:
    """The companies a consumable may be billed to: those that book on the platform."""
    return list(companies_booking_on(platform_ids=[platform.pk]).order_by("name"))


@login_required
@require_POST
def consumable(request: HtmxHttpRequest) -> HttpResponse:
    platform = _chosen(request)
    companies = _customers(platform)
    form = ConsumableForm(request.POST, companies=companies)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(error) for errors in form.errors.values() for error in errors),
        )
        return redirect(
            _billing_url(platform, month_param(request.POST.get("month", ""), timezone.localdate()))
        )
    data = form.cleaned_data
    try:
        consumable_add(
            user=request.user,
            platform=platform,
            company=next(c for c in companies if c.pk == data["company"]),
            name=data["name"],
            quantity=data["quantity"],
            unit_price_ht=data["unit_price_ht"],
            vat_rate=data["vat_rate"],
            on=data["on"],
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request, _("%(name)s is added to the lines to bill.") % {"name": data["name"]}
        )
    return redirect(_billing_url(platform, data["on"].replace(day=1)))


def _operated_line(request: HtmxHttpRequest, pk: int) -> BillableLine:
    return get_object_or_404(
        BillableLine.objects.select_related("platform"),
        pk=pk,
        platform_id__in=operated_ids(request),
        invoice__isnull=True,
    )


@login_required
@require_POST
def line_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    """Waive a line, bill it again, or remove a consumable — before it is invoiced."""
    line = _operated_line(request, pk)
    try:
        if action == "waive":
            line_waive(user=request.user, line=line, waived=True)
            text = _("Waived: %(line)s.")
        elif action == "bill":
            line_waive(user=request.user, line=line, waived=False)
            text = _("Billed again: %(line)s.")
        elif action == "remove":
            consumable_remove(user=request.user, line=line)
            text = _("Removed: %(line)s.")
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as error:
        return refused(request, error)
    messages.success(request, text % {"line": line.label})
    return redirect(_billing_url(line.platform, line.service_date.replace(day=1)))


@login_required
@require_POST
def issue(request: HtmxHttpRequest) -> HttpResponse:
    """Issue the month's invoices of the platform now, without waiting for the monthly job."""
    platform = _chosen(request)
    month = month_param(request.POST.get("month", ""), timezone.localdate())
    try:
        issued, incomplete = invoices_issue(month=month, platform=platform)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(_billing_url(platform, month))
    if incomplete:
        messages.error(
            request,
            str(
                _(
                    "The platform's invoicing details are incomplete (legal name, address, SIRET, "
                    "invoice prefix): its operators complete them on the billing page."
                )
            ),
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d invoice issued; it goes to its company by e-mail.",
                "%(count)d invoices issued; each goes to its company by e-mail.",
                len(issued),
            )
            % {"count": len(issued)},
        )
    return redirect(_billing_url(platform, month))


@login_required
@require_POST
def credit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.select_related("platform"),
        pk=pk,
        platform_id__in=operated_ids(request),
        kind=DocumentKind.INVOICE,
    )
    form = CreditForm(request.POST)
    if not form.is_valid():
        return refused(
            request,
            DomainError(
                _("Say why the invoice is credited: the reason is printed on the credit note.")
            ),
        )
    try:
        note = credit_note_issue(
            user=request.user, invoice=invoice, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        return refused(request, error)
    return done(
        request,
        _("Credit note %(number)s issued on %(invoice)s; it goes to the company by e-mail.")
        % {"number": note.number, "invoice": invoice.number},
    )


@login_required
def journal_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The month's sales journal as a spreadsheet (French: semicolons, decimal commas)."""
    platform = _chosen(request)
    month = month_param(request.GET.get("month", ""), timezone.localdate().replace(day=1))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="journal-{platform.slug}-{month:%Y-%m}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Date"), _("Account"), _("Label"), _("Debit"), _("Credit"), _("Document")])
    for row in journal(platform=platform, month=month):
        writer.writerow(
            [
                row["date"].isoformat(),
                row["account"],
                row["label"],
                number_format(row["debit"], 2, use_l10n=True),
                number_format(row["credit"], 2, use_l10n=True),
                row["document"],
            ]
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def seller(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The platform as the seller on its invoices, and what it bills."""
    platform = operated_platform(request, pk)
    policy = PlatformBilling.objects.filter(platform=platform).first() or PlatformBilling(
        platform=platform
    )
    form = SellerForm(request.POST if request.method == "POST" else None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            seller_set(user=request.user, platform=platform, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("The invoicing details are saved."))
            return redirect(f"{reverse('web:operator-billing')}?platform={platform.pk}")
    return render(
        request,
        "web/operator/seller.html",
        {"form": form, "platform": platform},
        status=422 if form.is_bound else 200,
    )
