"""Who the person is: their name, their e-mail address (proven by a link, changed only once
the new one is proven) and their password."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.addresses import address_confirm, address_confirmation_request
from accounts.services import display_name_set, password_changed
from accounts.two_factor import sign_in
from core.exceptions import DomainError

from ..forms import EmailChangeForm, NameForm
from .common import signed_in


@login_required
@require_POST
def name_set(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)
    if form.is_valid():
        display_name_set(user=signed_in(request), name=form.cleaned_data["display_name"])
        messages.success(request, _("Your name is saved."))
    else:
        messages.error(request, _("Give a name of one line, at most 150 characters."))
    return redirect("profile")


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    """A new address: a link goes to it, and the account uses it once the link is followed."""
    user = signed_in(request)
    form = EmailChangeForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            address_confirmation_request(user=user, email=form.cleaned_data["email"])
        except DomainError as error:
            form.add_error("email", error.detail)
        else:
            messages.success(
                request,
                _(
                    "A link went to %(email)s: your address changes once you follow it "
                    "(within three days)."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("profile")
    return render(
        request,
        "web/account/email_change.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def address_link_resend(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    address_confirmation_request(user=user)
    messages.success(
        request,
        _("A confirmation link went to %(email)s (one every ten minutes at most).")
        % {"email": user.email},
    )
    return redirect("profile")


@require_http_methods(["GET", "POST"])
def address_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mail opens a page with one button (a mail scanner that follows links
    confirms nothing); the button proves the address."""
    if request.method == "POST":
        try:
            user = address_confirm(token=token[:2000])
        except DomainError as error:
            return render(
                request,
                "web/account/address_confirm.html",
                {"error": error.detail},
                status=error.status,
            )
        messages.success(request, _("Your e-mail address is confirmed."))
        if not request.user.is_authenticated:
            # The link came to the address: following it signs its owner in (a sign-up's
            # first sign-in), as a password-reset link does — after their second factor's
            # code, if they have one.
            return redirect("home" if sign_in(request, user) else "login-code")
        return redirect("profile")
    return render(request, "web/account/address_confirm.html", {})


def _password_changed(request: HttpRequest, user: Any, address_proven: bool = False) -> None:
    revoked = password_changed(user=user, address_proven=address_proven)
    text = _("Your password is changed; your other sessions are signed out.")
    if revoked:
        text += " " + ngettext(
            "Your API key no longer works: create a new one on your profile.",
            "Your %(count)d API keys no longer work: create new ones on your profile.",
            revoked,
        ) % {"count": revoked}
    messages.success(request, text)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, with the current password asked again; this session stays signed in, the
    others end, and the API keys stop working."""

    template_name = "web/account/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _password_changed(self.request, form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, ending the other sessions and the API keys of a password that someone else
    may have known; the link came to the address, which proves it."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _password_changed(self.request, form.user, address_proven=True)
        # The link signs its owner in, after their second factor's code if they have one.
        if not sign_in(self.request, form.user):
            return redirect("login-code")
        return response
