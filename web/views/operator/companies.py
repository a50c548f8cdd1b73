"""Companies: those waiting for validation (validate, refuse with a reason), and a company's
bookings on the operator's platforms."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import BookingStatus, Company
from bookings.selectors import (
    companies_booking_on,
    company_booking_counts,
    company_bookings_on,
    company_seen_by_operator,
)
from bookings.services import (
    company_refuse,
    company_validate,
)
from core.exceptions import DomainError

from ...forms import (
    RejectForm,
)
from ..common import HtmxHttpRequest, page_of, page_param
from .base import done, operated_ids, refused


def _waiting_company(request: HtmxHttpRequest, pk: int) -> Company:
    """A company not validated yet: any operator decides for the whole network."""
    operated_ids(request)
    return get_object_or_404(Company, pk=pk, validated_at__isnull=True)


@login_required
@require_POST
def validate_company(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    company = _waiting_company(request, pk)
    try:
        company_validate(company=company, user=request.user)
    except DomainError as error:
        return refused(request, error)
    return done(request, _("%(company)s may book.") % {"company": company.name})


@login_required
@require_POST
def refuse_company(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    company = _waiting_company(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return refused(request, DomainError(_("Give the company a reason.")))
    try:
        company_refuse(company=company, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return refused(request, error)
    return done(
        request,
        _("%(company)s is refused; its administrators are told why.") % {"company": company.name},
    )


@login_required
def companies(request: HtmxHttpRequest) -> HttpResponse:
    """Companies waiting for validation (the whole network's), those refused, and those that
    book on the operator's platforms."""
    operated = operated_ids(request)
    waiting = Company.objects.filter(validated_at__isnull=True).order_by("created_at")
    return render(
        request,
        "web/operator/companies.html",
        {
            "waiting": [company for company in waiting if not company.is_refused],
            "refused": [company for company in waiting if company.is_refused],
            "booking": page_of(
                companies_booking_on(platform_ids=operated), page_param(request), per_page=50
            ),
            "reject_form": RejectForm(),
        },
    )


@login_required
def company(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A company and its bookings on the operator's platforms (not elsewhere)."""
    operated = operated_ids(request)
    shown = company_seen_by_operator(company_id=pk, platform_ids=operated)
    if shown is None:
        raise Http404
    bookings = page_of(
        company_bookings_on(company=shown, platform_ids=operated), page_param(request), per_page=50
    )
    counts = company_booking_counts(company=shown, platform_ids=operated)
    return render(
        request,
        "web/operator/company.html",
        {
            "company": shown,
            "bookings": bookings,
            "counts": [
                (label, counts.get(status, 0))
                for status, label in BookingStatus.choices
                if counts.get(status)
            ],
            "reject_form": RejectForm(),
        },
    )
