"""What operators set up without the staff admin: a new machine, their platform's details, and
their team (co-operators invited — they join by accepting — and removed)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings.models import Invitation
from bookings.services import operator_invitation_make
from core.exceptions import DomainError
from core.fields import key_of
from platforms.models import Machine, Platform
from platforms.services import (
    kiosk_create,
    kiosk_revoke,
    machine_add,
    operator_remove,
    platform_update,
)

from ...forms.operator import MachineNewForm, OperatorInviteForm, PlatformForm
from ...history import history
from ..common import HtmxHttpRequest
from .base import operated_platform

NEW_KIOSK = "new_kiosk_link"


def _errors_into(form: object, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def machine_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A new machine on one of the person's platforms; then its page (photos, documents)."""
    platform = operated_platform(request, pk)
    form = MachineNewForm(
        request.POST if request.method == "POST" else None, instance=Machine(platform=platform)
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["specs"] = form.cleaned_data["specs_text"]
        try:
            machine = machine_add(platform=platform, user=request.user, **fields)
        except ValidationError as error:
            _errors_into(form, error)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(
                request, _("Machine added: add its photos and documents, then print its QR code.")
            )
            return redirect("web:operator-machine", pk=machine.pk)
    return render(
        request,
        "web/operator/machine_new.html",
        {"platform": platform, "form": form},
        status=422 if form.errors else 200,
    )


def _team(platform: Platform) -> dict[str, object]:
    return {
        "operators": list(platform.operators.order_by("display_name", "email")),
        "invitations": list(
            Invitation.objects.filter(platform=platform, answered_at__isnull=True)
            .select_related("invited_by")
            .order_by("-created_at")
        ),
        "machines": list(platform.machines.order_by("-active", "name")),
        "kiosks": list(platform.kiosks.filter(revoked_at__isnull=True)),
    }


def _kiosk_action(request: HtmxHttpRequest, platform: Platform, action: str) -> HttpResponse:
    """A new kiosk (its opening address shown once) or one revoked."""
    if action == "kiosk_new":
        name = " ".join(request.POST.get("name", "").split())[:100] or _("Kiosk")
        _kiosk, key = kiosk_create(platform=platform, user=request.user, name=name)
        request.session[NEW_KIOSK] = f"{settings.SITE_URL}{reverse('web:kiosk-open')}?key={key}"
        return redirect("web:operator-platform-settings", pk=platform.pk)
    kiosk = platform.kiosks.filter(pk=key_of(request.POST.get("kiosk"))).first()
    if kiosk is not None:
        kiosk_revoke(kiosk=kiosk, user=request.user)
        messages.success(request, _("Kiosk revoked: its tablet no longer opens."))
    return redirect("web:operator-platform-settings", pk=platform.pk)


def _remove(request: HtmxHttpRequest, platform: Platform) -> HttpResponse:
    person = get_user_model().objects.filter(pk=key_of(request.POST.get("person"))).first()
    if person is None:
        return redirect("web:operator-platform-settings", pk=platform.pk)
    try:
        operator_remove(platform=platform, user=request.user, person=person)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("web:operator-platform-settings", pk=platform.pk)
    messages.success(
        request,
        _("%(person)s no longer operates %(platform)s.")
        % {"person": person.get_full_name(), "platform": platform.name},
    )
    if person == request.user:
        return redirect("web:operator" if platform.operators.exists() else "home")
    return redirect("web:operator-platform-settings", pk=platform.pk)


@login_required
@require_http_methods(["GET", "POST"])
def platform_settings(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The platform's details (contact, address, access, price groups), its machines and its
    team; each form posts its ``action``."""
    platform = operated_platform(request, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = PlatformForm(request.POST if action == "save" else None, instance=platform)
    invite = OperatorInviteForm(request.POST if action == "invite" else None)
    if action == "save" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            platform_update(platform=platform, user=request.user, **fields)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:operator-platform-settings", pk=platform.pk)
    elif action == "invite" and invite.is_valid():
        email = invite.cleaned_data["email"]
        try:
            operator_invitation_make(platform=platform, user=request.user, email=email)
        except DomainError as error:
            invite.add_error("email", error.detail)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s: they become an operator when they accept.")
                % {"email": email},
            )
            return redirect("web:operator-platform-settings", pk=platform.pk)
    elif action == "remove":
        return _remove(request, platform)
    elif action in ("kiosk_new", "kiosk_revoke"):
        return _kiosk_action(request, platform, action)
    failed = bool(form.errors or invite.errors)
    return render(
        request,
        "web/operator/platform_settings.html",
        {
            "platform": platform,
            "form": form,
            "invite": invite,
            "history": history(platform),
            "kiosk_link": request.session.pop(NEW_KIOSK, None),
            **_team(platform),
        },
        status=422 if failed else 200,
    )
