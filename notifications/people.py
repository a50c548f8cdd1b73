"""What the messages about people and companies (not bookings) say: an address to prove, a
password to choose, an invitation, a company waiting for validation. Each context is made at
send time; none when the message is no longer relevant."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.addresses import address_token
from bookings.models import Company, Invitation
from bookings.services import invitation_token

from .models import Message

Context = dict[str, Any]


def address_context(message: Message) -> Context | None:
    """The link proving the address the message goes to, made now (valid three days)."""
    recipient = message.recipient
    email = message.context.get("email")
    if recipient is None or not email:
        return None
    if recipient.email == email and recipient.email_confirmed_at is not None:
        return None  # proven meanwhile
    token = address_token(user=recipient, email=email)
    return {"email": email, "new_address": recipient.email != email, "token": token}


def waiting_company_context(message: Message) -> Context | None:
    company = Company.objects.filter(pk=message.context.get("company")).first()
    if company is None or company.is_validated or company.refused_at is not None:
        return None  # decided meanwhile
    return {"company": company}


def invitation_context(message: Message) -> Context | None:
    """An invitation still open, with its link (made now, valid INVITATION_DAYS)."""
    invitation = (
        Invitation.objects.select_related("company", "platform", "invited_by")
        .filter(pk=message.context.get("invitation"), answered_at__isnull=True)
        .first()
    )
    if invitation is None:
        return None  # answered or withdrawn meanwhile
    return {
        "invitation": invitation,
        "company": invitation.company,
        "platform": invitation.platform,
        "inviter": invitation.invited_by,
        "has_account": message.recipient is not None,
        "link": f"{settings.SITE_URL}/invitations/{invitation_token(invitation)}/",
        "days": int(settings.INVITATION_DAYS),
    }


def password_reset_context(message: Message) -> Context | None:
    """Django's reset link for the account, made now (valid PASSWORD_RESET_TIMEOUT)."""
    user = message.recipient
    if user is None:
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return {
        "link": f"{settings.SITE_URL}/password-reset/{uid}/{token}/",
        "signup": message.context.get("reason") == "signup",
    }


def quoted(name: str, limit: int = 60) -> str:
    """A name someone typed, as data in a subject: quoted and cut short."""
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1] + "…"
