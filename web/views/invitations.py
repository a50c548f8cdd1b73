"""Answering an invitation: from its link (signed in or not) or from the dashboard."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings.exceptions import InvitationInvalid
from bookings.models import Invitation
from bookings.selectors import invitations_open_for
from bookings.services import (
    invitation_accept,
    invitation_accept_new_account,
    invitation_decline,
    invitation_from_token,
)
from core.exceptions import DomainError

from ..forms import InvitationAccountForm
from .common import signed_in

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _answered(request: HttpRequest, invitation: Invitation, accepted: bool) -> HttpResponse:
    if accepted and invitation.platform is not None:
        messages.success(
            request,
            _("You are an operator of %(platform)s.") % {"platform": invitation.platform.name},
        )
        return redirect("web:operator")
    if accepted:
        assert invitation.company is not None
        messages.success(
            request,
            _("You are a member of %(company)s.") % {"company": invitation.company.name},
        )
    else:
        messages.success(request, _("Invitation declined; the company is not told why."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the invitation e-mail: accept or decline when signed in with its address;
    otherwise make an account to accept, sign in, or decline."""
    try:
        offer = invitation_from_token(token[:500])
    except InvitationInvalid as error:
        return render(request, "web/account/invitation.html", {"error": error.detail}, status=404)
    action = request.POST.get("action") if request.method == "POST" else None
    form = InvitationAccountForm(
        request.POST if action == "create" else None,
        initial={"language": translation.get_language()},
    )
    try:
        if action == "decline":
            invitation_decline(
                invitation=offer,
                user=request.user if request.user.is_authenticated else None,
            )
            return _answered(request, offer, accepted=False)
        if action == "accept" and request.user.is_authenticated:
            invitation_accept(invitation=offer, user=request.user)
            return _answered(request, offer, accepted=True)
        if action == "create" and not request.user.is_authenticated and form.is_valid():
            user = invitation_accept_new_account(
                invitation=offer,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                language=form.cleaned_data["language"],
            )
            login(request, user, backend=BACKEND)
            return _answered(request, offer, accepted=True)
    except DomainError as error:
        form.add_error(None, error.detail)
    mine = request.user.is_authenticated and (
        signed_in(request).email.lower() == offer.email.lower()
    )
    return render(
        request,
        "web/account/invitation.html",
        {"offer": offer, "form": form, "mine": mine},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline from the dashboard (invitations to one's own address only)."""
    offer = get_object_or_404(invitations_open_for(user=request.user), pk=pk)
    accepted = request.POST.get("answer") == "accept"
    try:
        if accepted:
            invitation_accept(invitation=offer, user=request.user)
        else:
            invitation_decline(invitation=offer, user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("home")
    return _answered(request, offer, accepted)
