"""Signing up, inviting a colleague, API keys, erasing one's account."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from bookings.models import CompanySize, MembershipRole
from bookings.siret import normalize_siret, validate_siret
from core.text import single_line
from platforms.models import Region


class NewAccountForm(forms.Form):
    """A person's new account: their name, a password typed twice (Django's validators) and
    the language of their e-mails. Sign-up and accepting an invitation both ask for it."""

    name = forms.CharField(validators=[single_line], label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language of your e-mails"), choices=Language.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignUpForm(NewAccountForm):
    company_name = forms.CharField(
        validators=[single_line], label=_("Company name"), max_length=200
    )
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        help_text=_("14 digits, as on your Kbis or INSEE notice (spaces allowed)."),
    )
    size_class = forms.ChoiceField(label=_("Size"), choices=CompanySize.choices)
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    naf_code = forms.RegexField(
        label=_("NAF code (optional)"),
        required=False,
        regex=r"^\d{2}\.?\d{2}[A-Za-z]$",
        max_length=6,
        error_messages={"invalid": _("A NAF code looks like 2562B.")},
    )
    email = forms.EmailField(label=_("Your work e-mail"), max_length=254)
    de_minimis_declared = forms.DecimalField(
        label=_("De minimis aid received over the last three years (€)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal("99999999.99"),
        max_digits=10,
        decimal_places=2,
        help_text=_(
            "Public aid under the de minimis rule, from any source; 0 or blank if none. The "
            "programme's aid stops before the company passes the ceiling of 300,000 €."
        ),
    )
    field_order = [
        "company_name",
        "siret",
        "size_class",
        "region",
        "naf_code",
        "de_minimis_declared",
        "name",
        "email",
        "password1",
        "password2",
        "language",
    ]

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret

    def clean_naf_code(self) -> str:
        return self.cleaned_data["naf_code"].replace(".", "").upper()


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        validators=[single_line],
        label=_("Name of the new key"),
        max_length=100,
        help_text=_("Say where it is used, e.g. “ERP export”."),
    )
    read_only = forms.BooleanField(
        label=_("For reading only (exports, dashboards): it can change nothing"),
        required=False,
    )


class AccountEraseForm(forms.Form):
    """Deleting one's account: the password again, and a tick that says one understands."""

    password = forms.CharField(
        label=_("Your password"), strip=False, max_length=4096, widget=forms.PasswordInput
    )
    understood = forms.BooleanField(
        label=_(
            "I understand: my account is deleted for good; my companies keep their bookings, "
            "with no name attached."
        )
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password."), code="wrong_password")
        return password


class NameForm(forms.Form):
    display_name = forms.CharField(
        validators=[single_line],
        label=_("Your name"),
        max_length=150,
        help_text=_("As the platforms and your colleagues see it (e.g. “Claire Martin”)."),
    )


class EmailChangeForm(forms.Form):
    """A new address, with the password again: it replaces the old one once the link sent to
    it is followed."""

    email = forms.EmailField(label=_("New e-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Your password"), strip=False, max_length=4096, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() == self.user.email.lower():
            raise ValidationError(_("This is already your address."), code="same_address")
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password."), code="wrong_password")
        return password


class PasswordResetForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class InvitationAccountForm(NewAccountForm):
    """Accepting an invitation with no account yet (the address is the one the invitation
    went to)."""
