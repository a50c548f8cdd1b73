"""The person's account: signing a company up, the profile (calendar addresses, e-mails,
API keys), colleagues invited by a company administrator, the language switch."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts.addresses import password_reset_request
from accounts.forms import MessagePreferencesForm
from accounts.models import ApiToken, Language
from accounts.services import (
    account_erase,
    message_preferences_update,
    preferred_language_set,
    token_create,
    token_revoke,
)
from accounts.two_factor import has_second_factor
from billing.services.accounts import billing_account_set
from bookings.exceptions import AccountExists
from bookings.models import Company, Membership, MembershipRole
from bookings.selectors import invitations_open_of, user_is_company_admin
from bookings.services import (
    company_ical_token_regenerate,
    company_register,
    invitation_make,
)
from core.exceptions import DomainError
from core.limits import allow
from core.network import client_ip
from platforms.models import Machine
from platforms.services import machine_ical_token_regenerate

from ..forms import (
    AccountEraseForm,
    InviteForm,
    NameForm,
    PasswordResetForm,
    SignUpForm,
    TokenForm,
)
from ..personal_data import personal_data
from .common import signed_in
from .kiosk import NEW_CODE as NEW_KIOSK_CODE


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a link to choose a new password. The answer is the same, and as fast, whether or
    not the address has an account (the outbox sends the link after the request); a client
    address asking too often is told to wait."""
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        limit = int(settings.PASSWORD_RESETS_PER_CLIENT_PER_HOUR)
        if not allow("password-reset-client", client_ip(request), limit=limit, window=3600):
            return render(
                request,
                "web/account/too_many.html",
                {"minutes": 60},
                status=429,
            )
        password_reset_request(email=form.cleaned_data["email"])
        return redirect("password-reset-sent")
    return render(
        request,
        "web/account/password_reset.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


# The address a sign-up was made with, for the page that says where the link went.
SIGNED_UP = "signed_up_email"


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A company registers with its SIRET and its first administrator; it books once an
    operator has validated it. The answer is the same whether or not the address has an
    account (its owner is told instead), and signs in nobody: the link sent to the address
    does, once followed."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(
        request.POST if request.method == "POST" else None,
        initial={"language": translation.get_language() or Language.FRENCH},
    )
    if request.method == "POST" and form.is_valid():
        limit = int(settings.SIGNUPS_PER_CLIENT_PER_HOUR)
        if not allow("signup-client", client_ip(request), limit=limit, window=3600):
            return render(request, "web/account/too_many.html", {"minutes": 60}, status=429)
        data = form.cleaned_data
        try:
            company, admin = company_register(
                name=data["company_name"],
                siret=data["siret"],
                size_class=data["size_class"],
                region=data["region"],
                naf_code=data["naf_code"],
                admin_email=data["email"],
                admin_name=data["name"],
                password=data["password1"],
                language=data["language"],
            )
        except AccountExists:
            password_reset_request(email=data["email"], reason="signup")
        except DomainError as error:
            form.add_error("siret", error.detail)
        else:
            if data.get("de_minimis_declared"):
                billing_account_set(
                    user=admin, company=company, de_minimis_declared=data["de_minimis_declared"]
                )
        if not form.errors:
            request.session[SIGNED_UP] = data["email"]
            return redirect("signup-sent")
    return render(
        request, "web/account/signup.html", {"form": form}, status=422 if form.errors else 200
    )


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/account/signup_sent.html", {"email": request.session.get(SIGNED_UP, "")}
    )


def _preferences_shown(*, is_operator: bool, is_company_admin: bool) -> tuple[str, ...]:
    return (
        "wants_reminders",
        *(["wants_digests"] if is_operator else []),
        *(["wants_copies"] if is_company_admin else []),
    )


# A key just made waits here, in the session, for the one page that shows it.
NEW_KEY = "new_api_key"


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The person's companies and operated machines with their calendar addresses, their
    optional e-mails and their API keys — a key just made shown this once."""
    user = signed_in(request)
    new_token = request.session.pop(NEW_KEY, None)
    memberships = list(
        Membership.objects.filter(user=user).select_related("company").order_by("company__name")
    )
    machines = (
        Machine.objects.filter(platform__operators=user)
        .select_related("platform")
        .order_by("platform__name", "name")
    )
    response = render(
        request,
        "web/account/profile.html",
        {
            "memberships": memberships,
            "machines": machines,
            "is_company_admin": any(m.role == MembershipRole.ADMIN for m in memberships),
            "preferences": user,
            "tokens": ApiToken.objects.filter(user=user),
            "token_form": TokenForm(),
            "new_token": new_token,
            "name_form": NameForm(initial={"display_name": user.display_name}),
            "second_factor": has_second_factor(user),
            "kiosk_code": request.session.pop(NEW_KIOSK_CODE, None),
        },
    )
    return response


@login_required
@require_POST
def message_preferences(request: HttpRequest) -> HttpResponse:
    """Save the optional e-mails chosen on the profile page (only those it shows the person)."""
    user = signed_in(request)
    shown = _preferences_shown(
        is_operator=user.operated_platforms.exists(),
        is_company_admin=user.memberships.filter(role=MembershipRole.ADMIN).exists(),
    )
    form = MessagePreferencesForm(request.POST, instance=user, shown=shown)
    if form.is_valid():
        message_preferences_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your e-mail preferences are saved."))
    else:
        messages.error(request, _("Your e-mail preferences could not be saved."))
    return redirect("profile")


@login_required
@require_POST
def token_new(request: HttpRequest) -> HttpResponse:
    """A new API key, then back to the profile, which shows it once: reloading that page, or
    switching the language there, makes no second key."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the key a name (at most 100 characters)."))
        return redirect("profile")
    _token, raw = token_create(
        user=signed_in(request),
        name=form.cleaned_data["name"],
        read_only=form.cleaned_data["read_only"],
    )
    request.session[NEW_KEY] = raw
    return redirect("profile")


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=signed_in(request))
    token_revoke(token=token)
    messages.success(request, _("The key “%(name)s” no longer works.") % {"name": token.name})
    return redirect("profile")


@login_required
@require_POST
def company_feed_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company.objects.filter(memberships__user=signed_in(request)), pk=pk)
    try:
        company_ical_token_regenerate(company=company, user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("profile")
    messages.success(request, _("New calendar address created; the old one no longer works."))
    return redirect("profile")


@login_required
@require_POST
def machine_feed_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    machine = get_object_or_404(
        Machine.objects.filter(platform__operators=signed_in(request)).select_related("platform"),
        pk=pk,
    )
    machine_ical_token_regenerate(machine=machine, user=request.user)
    messages.success(request, _("New calendar address created; the old one no longer works."))
    return redirect("profile")


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, pk: int) -> HttpResponse:
    """A company's members; its administrators invite colleagues by e-mail."""
    user = signed_in(request)
    company = get_object_or_404(Company.objects.filter(memberships__user=user), pk=pk)
    is_admin = user_is_company_admin(user=user, company=company)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not is_admin:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                invitation = invitation_make(
                    company=company,
                    user=user,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except DomainError as error:
                form.add_error("email", error.detail)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s: they join the company once they accept it.")
                    % {"email": invitation.email},
                )
                return redirect("web:members", pk=company.pk)
    rows = company.memberships.select_related("user").order_by("user__email")
    return render(
        request,
        "web/account/members.html",
        {
            "company": company,
            "rows": rows,
            "form": form,
            "is_admin": is_admin,
            "invitations": invitations_open_of(company=company) if is_admin else [],
        },
        status=422 if form.errors else 200,
    )


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The language switch: remembered on the account of a signed-in person (their e-mails
    follow it), in a cookie otherwise."""
    choice = request.POST.get("language", "")
    if choice not in dict(settings.LANGUAGES):
        return HttpResponse(status=400)
    if request.user.is_authenticated:
        preferred_language_set(user=request.user, language=choice)
    # Django's view checks that ``next`` stays on this site and sets the cookie.
    return set_language(request)


@never_cache
@login_required
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """Everything kept about the person, as JSON (the GDPR's right of access)."""
    user = signed_in(request)
    body = json.dumps(personal_data(user=user), indent=2, ensure_ascii=False)
    return HttpResponse(
        body,
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete one's account (the right to erasure), once the password is given again."""
    user = signed_in(request)
    form = AccountEraseForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        account_erase(user=user)
        logout(request)
        messages.success(request, _("Your account is deleted. Nothing here names you any more."))
        return redirect("home")
    return render(
        request,
        "web/account/delete.html",
        {"form": form},
        status=422 if form.errors else 200,
    )
