"""Qualification requests: grant (with an expiry), refuse, withdraw."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from platforms.models import Qualification
from platforms.services import (
    qualification_grant,
    qualification_refuse,
)

from ...forms import (
    QualificationGrantForm,
)
from ..common import HtmxHttpRequest
from .base import done, operated_ids, refused


def _qualification(request: HtmxHttpRequest, pk: int) -> Qualification:
    return get_object_or_404(
        Qualification.objects.select_related("machine__platform", "user"),
        pk=pk,
        machine__platform_id__in=operated_ids(request),
    )


@login_required
@require_POST
def qualification_answer(request: HtmxHttpRequest, pk: int, answer: str) -> HttpResponse:
    if answer not in ("grant", "refuse"):
        raise Http404
    qualification = _qualification(request, pk)
    expiry = QualificationGrantForm(request.POST)
    if not expiry.is_valid():
        return refused(request, DomainError(str(next(iter(expiry.errors.values()))[0])))
    try:
        if answer == "grant":
            qualification_grant(
                operator=request.user,
                user=qualification.user,
                machine=qualification.machine,
                valid_until=expiry.cleaned_data["valid_until"],
            )
            text = _("%(person)s is qualified on %(machine)s.")
        else:
            qualification_refuse(operator=request.user, qualification=qualification)
            text = _("Qualification refused to %(person)s on %(machine)s.")
    except DomainError as error:
        return refused(request, error)
    return done(
        request,
        text
        % {"person": qualification.user.get_full_name(), "machine": qualification.machine.name},
    )


@login_required
def qualifications(request: HtmxHttpRequest) -> HttpResponse:
    """Who is qualified, refused or waiting on the machines of the operator's platforms:
    qualify (with an expiry date or none), refuse, withdraw."""
    operated = operated_ids(request)
    rows = (
        Qualification.objects.filter(machine__platform_id__in=operated)
        .select_related("machine__platform", "user")
        .order_by("machine__platform__name", "machine__name", "user__email")
    )
    return render(
        request, "web/operator/qualifications.html", {"rows": rows, "today": timezone.now().date()}
    )
