"""Companies: signing up, validation by the network, members invited by their admins, and the
changes their members make."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.addresses import address_confirmation_request
from accounts.audit import audit_record
from accounts.models import User
from core.events import announce
from platforms.feeds import new_feed_token
from platforms.selectors import platforms_operated_by

from ..exceptions import (
    AccountExists,
    CompanyRegistered,
    CompanyValidatedAlready,
    NotAllowed,
    NotCompanyAdmin,
    NotMember,
    RefusalReasonMissing,
    SirenRefused,
    SirenRegistered,
)
from ..models import Company, Membership, MembershipRole
from ..selectors import user_is_company_admin, user_is_member
from ..signals import company_refused, company_registered, company_validated


@transaction.atomic
def company_ical_token_regenerate(*, company: Company, user: Any) -> Company:
    """Give the company's iCal feed a new secret address; the old one stops working.

    The address is the company's, shared by all its members: only its administrators renew it
    (a plain member would cut every colleague's calendar off)."""
    if not user_is_company_admin(user=user, company=company):
        if user_is_member(user=user, company=company):
            raise NotCompanyAdmin()
        raise NotMember()
    company.ical_token = new_feed_token()
    company.save(update_fields=["ical_token"])
    return company


def company_register(
    *,
    name: str,
    siret: str,
    size_class: str,
    region: str,
    admin_email: str,
    admin_name: str,
    password: str,
    language: str,
    naf_code: str = "",
) -> tuple[Company, User]:
    """A company signs itself up with its first administrator; it waits for validation.

    The SIRET is checked by the model's validator (the caller's form runs it); one company per
    SIRET (``company_registered``) and per SIREN (``siren_registered``; ``siren_refused`` while
    an operator's refusal holds), one account per e-mail (``account_exists``). The
    administrator is a new account with ``password``.
    """
    if Company.objects.filter(siret=siret).exists():
        raise CompanyRegistered()
    # The same company (SIREN), another establishment: a refusal holds until an operator lifts
    # it; otherwise one joins the company registered already (by invitation).
    same = Company.objects.filter(siren=siret[:9])
    if same.filter(validated_at__isnull=True, refused_at__isnull=False).exists():
        raise SirenRefused(siren=siret[:9])
    if same.exists():
        raise SirenRegistered(siren=siret[:9])
    if User.objects.filter(email__iexact=admin_email.strip()).exists():
        raise AccountExists()
    try:
        with transaction.atomic():
            company = Company.objects.create(
                name=name,
                siret=siret,
                size_class=size_class,
                region=region,
                naf_code=naf_code,
                validated_at=None,
            )
            admin = get_user_model().objects.create_user(
                email=admin_email,
                password=password,
                display_name=admin_name,
                preferred_language=language,
            )
            Membership.objects.create(user=admin, company=company, role=MembershipRole.ADMIN)
            announce(company_registered, sender=Company, company=company, actor=admin)
            address_confirmation_request(user=admin)
    except IntegrityError as error:
        # Two sign-ups racing for one SIRET: the unique constraint decides.
        raise CompanyRegistered() from error
    return company, admin


def user_validates_companies(*, user: Any) -> bool:
    """Staff and the operators of any platform check the companies that sign up."""
    return platforms_operated_by(user=user).exists()


@transaction.atomic
def company_validate(*, company: Company, user: Any) -> Company:
    """Let a signed-up company book: staff or a platform operator checked who it is."""
    if not user_validates_companies(user=user):
        raise NotAllowed()
    locked = Company.objects.select_for_update().get(pk=company.pk)
    if locked.validated_at is None:
        locked.validated_at = timezone.now()
        locked.validated_by = user
        # A company refused earlier may be validated once it has shown who it is.
        locked.refused_at, locked.refused_by, locked.refusal_reason = None, None, ""
        locked.save(
            update_fields=[
                "validated_at",
                "validated_by",
                "refused_at",
                "refused_by",
                "refusal_reason",
            ]
        )
        audit_record(actor=user, action="company.validated", obj=locked, after={"validated": True})
        announce(company_validated, sender=Company, company=locked, actor=user)
    return locked


@transaction.atomic
def company_refuse(*, company: Company, user: Any, reason: str) -> Company:
    """Staff or a platform operator could not confirm who a signed-up company is: it stays
    unable to book and its administrators are told why. A validated company is not
    withdrawn this way (``company_validated_already``); refusing twice changes nothing."""
    if not user_validates_companies(user=user):
        raise NotAllowed()
    reason = reason.strip()
    if not reason:
        raise RefusalReasonMissing()
    locked = Company.objects.select_for_update().get(pk=company.pk)
    if locked.validated_at is not None:
        raise CompanyValidatedAlready()
    if locked.refused_at is None:
        locked.refused_at = timezone.now()
        locked.refused_by = user
        locked.refusal_reason = reason
        locked.save(update_fields=["refused_at", "refused_by", "refusal_reason"])
        audit_record(actor=user, action="company.refused", obj=locked, after={"reason": reason})
        announce(company_refused, sender=Company, company=locked, actor=user)
    return locked
