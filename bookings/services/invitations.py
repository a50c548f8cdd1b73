"""Invitations to join a company — or a platform's operators — offers, never memberships until
accepted.

An administrator of a validated company invites an address; the outbox tells it (a link
signed with the invitation, nothing stored). Whoever holds the account with that address
accepts or declines from their dashboard; someone without an account makes one from the link
(the link came to the address: it is proven). Nothing here makes an account before that, so an
invitation never blocks a sign-up or a password reset."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from core.events import announce
from platforms.exceptions import OperatorOnly
from platforms.selectors import user_operates

from ..exceptions import (
    AlreadyInvited,
    AlreadyMember,
    AlreadyOperator,
    InvitationInvalid,
    InvitationLimit,
    InvitationNotYet,
    InvitationNotYours,
    NotCompanyAdmin,
    NotMember,
)
from ..models import Invitation, Membership
from ..selectors import user_is_company_admin, user_is_member
from ..signals import member_invited

SALT = "bookings.invitation"


def invitation_days() -> int:
    return int(settings.INVITATION_DAYS)


def _open_invitation(**fields: Any) -> Invitation:
    try:
        with transaction.atomic():
            return Invitation.objects.create(**fields)
    except IntegrityError as error:  # a concurrent twin
        raise AlreadyInvited() from error


def _within_limit(**target: Any) -> None:
    limit = int(settings.INVITATIONS_PER_COMPANY_PER_DAY)
    recent = Invitation.objects.filter(created_at__gt=timezone.now() - timedelta(days=1), **target)
    if recent.count() >= limit:
        raise InvitationLimit(limit=limit)


@transaction.atomic
def operator_invitation_make(*, platform: Any, user: Any, email: str) -> Invitation:
    """An operator invites ``email`` to run ``platform`` with them (the same limits as a
    company's invitations); the person becomes an operator only by accepting."""
    if not user_operates(user=user, platform=platform):
        raise OperatorOnly()
    email = email.strip().lower()
    if platform.operators.filter(email__iexact=email).exists():
        raise AlreadyOperator()
    if Invitation.objects.filter(
        platform=platform, email__iexact=email, answered_at__isnull=True
    ).exists():
        raise AlreadyInvited()
    _within_limit(platform=platform)
    invitation = _open_invitation(platform=platform, email=email, invited_by=user)
    audit_record(actor=user, action="invitation.made", obj=invitation, after={"operator": True})
    announce(member_invited, sender=Invitation, invitation=invitation, actor=user)
    return invitation


@transaction.atomic
def invitation_make(*, company: Any, user: Any, email: str, role: str) -> Invitation:
    """An administrator of a validated company invites ``email`` (at most
    ``INVITATIONS_PER_COMPANY_PER_DAY`` a day; not a member already; one open invitation per
    address)."""
    if not user_is_company_admin(user=user, company=company):
        if user_is_member(user=user, company=company):
            raise NotCompanyAdmin()
        raise NotMember()
    if not company.is_validated:
        raise InvitationNotYet()
    email = email.strip().lower()
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise AlreadyMember()
    if Invitation.objects.filter(
        company=company, email__iexact=email, answered_at__isnull=True
    ).exists():
        raise AlreadyInvited()
    _within_limit(company=company)
    invitation = _open_invitation(company=company, email=email, role=role, invited_by=user)
    audit_record(actor=user, action="invitation.made", obj=invitation, after={"role": role})
    announce(member_invited, sender=Invitation, invitation=invitation, actor=user)
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link names (``invitation_invalid`` otherwise)."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=timedelta(days=invitation_days()))
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvitationInvalid() from error
    invitation = (
        Invitation.objects.select_related("company", "platform", "invited_by")
        .filter(pk=pk if isinstance(pk, int) else -1, answered_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise InvitationInvalid()
    return invitation


def _open_for_update(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if locked is None or locked.answered_at is not None:
        raise InvitationInvalid()
    return locked


def _answer(invitation: Invitation, user: Any, *, accepted: bool) -> Invitation:
    invitation.answered_at = timezone.now()
    invitation.accepted = accepted
    invitation.save(update_fields=["answered_at", "accepted"])
    audit_record(
        actor=user,
        action="invitation.accepted" if accepted else "invitation.declined",
        obj=invitation,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: Any) -> None:
    """The person the invitation went to joins the company, with the role offered — or the
    platform's operators."""
    locked = _open_for_update(invitation)
    if user.email.lower() != locked.email.lower():
        raise InvitationNotYours()
    if locked.platform is not None:
        locked.platform.operators.add(user)
        audit_record(
            actor=user,
            action="platform.operator_added",
            obj=locked.platform,
            after={"operator": user.pk},
        )
    else:
        Membership.objects.get_or_create(
            user=user, company=locked.company, defaults={"role": locked.role}
        )
    _answer(locked, user, accepted=True)


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: Any = None) -> Invitation:
    """Declined by its addressee (signed in with that address, or from the link)."""
    locked = _open_for_update(invitation)
    if user is not None and user.email.lower() != locked.email.lower():
        raise InvitationNotYours()
    return _answer(locked, user, accepted=False)


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, name: str, password: str, language: str
) -> Any:
    """Someone with no account accepts from the link: their account, with the address the
    invitation went to (proven by the link), and the membership."""
    locked = _open_for_update(invitation)
    model = get_user_model()
    if model.objects.filter(email__iexact=locked.email).exists():
        raise InvitationNotYours()  # an account exists: sign in to accept
    user = model.objects.create_user(
        email=locked.email,
        password=password,
        display_name=name,
        preferred_language=language,
        email_confirmed_at=timezone.now(),
    )
    invitation_accept(invitation=locked, user=user)
    return user
