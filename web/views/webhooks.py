"""Webhooks on the pages: the endpoints of the platforms one operates and of the companies one
administers, a new one (its secret shown once), and each one's delivery log with "send again",
"resume" and "delete"."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bookings.models import Company
from bookings.selectors import companies_administered_by
from core.exceptions import DomainError
from core.fields import key_of
from notifications.webhook_models import WebhookEndpoint
from notifications.webhooks import (
    delivery_resend,
    webhook_create,
    webhook_delete,
    webhook_managed,
    webhook_resume,
    webhooks_managed_by,
)
from platforms.selectors import platforms_operated_by

from ..forms.webhooks import WebhookForm
from .common import signed_in

NEW_SECRET = "new_webhook_secret"


def _owners(user: Any) -> list[tuple[str, str]]:
    platforms = [(f"platform:{p.pk}", p.name) for p in platforms_operated_by(user=user)]
    companies = [(f"company:{c.pk}", c.name) for c in companies_administered_by(user=user)]
    return platforms + companies


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    try:
        return webhook_managed(user=signed_in(request), pk=pk)
    except DomainError as error:
        raise Http404 from error


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    owners = _owners(user)
    if not owners:
        raise Http404
    form = WebhookForm(request.POST if request.method == "POST" else None, owners=owners)
    if request.method == "POST" and form.is_valid():
        kind, _sep, pk = form.cleaned_data["owner"].partition(":")
        platform = company = None
        if kind == "platform":
            platform = platforms_operated_by(user=user).filter(pk=key_of(pk)).first()
        else:
            company = Company.objects.filter(pk=key_of(pk)).first()
        try:
            endpoint = webhook_create(
                user=user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                platform=platform,
                company=company,
            )
        except DomainError as error:
            form.add_error("url" if "address" in error.code else None, error.detail)
        else:
            request.session[NEW_SECRET] = endpoint.secret
            messages.success(request, _("Webhook registered."))
            return redirect("web:webhook", pk=endpoint.pk)
    return render(
        request,
        "web/webhooks/list.html",
        {"form": form, "endpoints": webhooks_managed_by(user=user)},
        status=422 if form.errors else 200,
    )


@never_cache
@login_required
def webhook(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    return render(
        request,
        "web/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "deliveries": endpoint.deliveries.all()[:50],
            "secret": request.session.pop(NEW_SECRET, None),
        },
    )


@login_required
@require_POST
def webhook_action(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    user = signed_in(request)
    action = request.POST.get("action", "")
    if action == "resume":
        webhook_resume(endpoint=endpoint, user=user)
        messages.success(request, _("Webhook resumed: what waited is being sent."))
    elif action == "resend":
        delivery = endpoint.deliveries.filter(pk=key_of(request.POST.get("delivery", ""))).first()
        if delivery is None:
            raise Http404
        delivery_resend(delivery=delivery, user=user)
        messages.success(request, _("Sent again."))
    elif action == "delete":
        webhook_delete(endpoint=endpoint, user=user)
        messages.success(request, _("Webhook deleted."))
        return redirect("web:webhooks")
    return redirect("web:webhook", pk=endpoint.pk)
