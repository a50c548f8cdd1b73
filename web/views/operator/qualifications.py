"""Qualification requests: grant (with an expiry), refuse, withdraw; the qualifications of
other platforms recognised by category."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import DomainError
from platforms.models import Platform, Qualification, QualificationRecognition
from platforms.services import (
    qualification_grant,
    qualification_refuse,
    recognition_add,
    recognition_remove,
)

from ...forms import (
    QualificationGrantForm,
    RecognitionForm,
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
@require_http_methods(["GET", "POST"])
def qualifications(request: HtmxHttpRequest) -> HttpResponse:
    """Who is qualified, refused or waiting on the machines of the operator's platforms:
    qualify (with an expiry date or the machine's validity), refuse, withdraw; and the other
    platforms whose qualifications count here, by category (posted: one more)."""
    operated = operated_ids(request)
    platforms = list(Platform.objects.filter(pk__in=operated).order_by("name"))
    form = RecognitionForm(request.POST if request.method == "POST" else None, platforms=platforms)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recognition_add(
                operator=request.user,
                platform=data["platform"],
                accepts=data["accepts"],
                category=data["category"],
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(
                request,
                _("Qualifications of %(platform)s now count on your machines of this kind.")
                % {"platform": data["accepts"].name},
            )
            return redirect("web:operator-qualifications")
    rows = (
        Qualification.objects.filter(machine__platform_id__in=operated)
        .select_related("machine__platform", "user")
        .order_by("machine__platform__name", "machine__name", "user__email")
    )
    recognitions = (
        QualificationRecognition.objects.filter(platform_id__in=operated)
        .select_related("platform", "accepts")
        .order_by("platform__name", "category", "accepts__name")
    )
    return render(
        request,
        "web/operator/qualifications.html",
        {
            "rows": rows,
            "today": timezone.now().date(),
            "recognitions": recognitions,
            "form": form,
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def recognition_remove_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    recognition = get_object_or_404(
        QualificationRecognition.objects.select_related("platform", "accepts"),
        pk=pk,
        platform_id__in=operated_ids(request),
    )
    recognition_remove(operator=request.user, recognition=recognition)
    messages.success(
        request,
        _("Qualifications of %(platform)s no longer count on your machines of this kind.")
        % {"platform": recognition.accepts.name},
    )
    return redirect("web:operator-qualifications")
