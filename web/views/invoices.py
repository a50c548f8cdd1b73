"""An SME's money: its invoices and credit notes, what it spent month by month, the
programme's aid and its de minimis statement, and where its invoices go."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from billing.documents.attestation import de_minimis_statement
from billing.models import BillingAccount
from billing.selectors import invoices_visible_to, spending_by_month
from billing.services.accounts import billing_account_set
from billing.subsidy import de_minimis_used
from bookings.selectors import companies_of, user_is_company_admin
from core.exceptions import DomainError

from ..forms.billing import BillingAccountForm
from .common import page_of, page_param, signed_in


@login_required
def invoices(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    companies = companies_of(user=user)
    documents = (
        invoices_visible_to(user=user).filter(company__in=companies).order_by("-issued_on", "-id")
    )
    today = timezone.localdate()
    accounts = {a.company_id: a for a in BillingAccount.objects.filter(company__in=companies)}
    return render(
        request,
        "web/billing/invoices.html",
        {
            "documents": page_of(documents, page_param(request), per_page=25),
            "months": spending_by_month(companies=companies)[:12],
            "companies": [
                {
                    "company": company,
                    "account": accounts.get(company.pk),
                    "admin": user_is_company_admin(user=user, company=company),
                    "de_minimis": de_minimis_used(siren=company.siret[:9], on=today),
                }
                for company in companies
            ],
        },
    )


@login_required
@never_cache
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as issued (operators reach their platforms' too)."""
    document = get_object_or_404(invoices_visible_to(user=request.user).defer(None), pk=pk)
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    return response


def _own_company(request: HttpRequest, pk: int) -> Any:
    company = companies_of(user=request.user).filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


@login_required
@never_cache
def de_minimis(request: HttpRequest, pk: int) -> HttpResponse:
    company = _own_company(request, pk)
    pdf = de_minimis_statement(company=company, on=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"de-minimis-{company.siret[:9]}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def billing_account(request: HttpRequest, pk: int) -> HttpResponse:
    """A company administrator's billing details: where invoices go, the buyer's address on
    them, the de minimis aid already received."""
    company = _own_company(request, pk)
    if not user_is_company_admin(user=request.user, company=company):
        raise Http404
    account = BillingAccount.objects.filter(company=company).first() or BillingAccount(
        company=company
    )
    form = BillingAccountForm(request.POST if request.method == "POST" else None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            billing_account_set(user=request.user, company=company, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(
                request,
                _("The billing details of %(company)s are saved.") % {"company": company.name},
            )
            return redirect("web:invoices")
    return render(
        request,
        "web/billing/account.html",
        {"form": form, "company": company},
        status=422 if form.is_bound else 200,
    )
