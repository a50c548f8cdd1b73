"""Invitations are offers (issue 26, 1–3): nobody becomes a member, and no account is made,
until the person accepts; a company invites once validated, a limited number a day, never its
own members; the subject quotes the company's name as data."""

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from bookings.models import Company, Invitation, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/invitations/[^\s/]+/")


def _invite(client: Any, admin: Any, email: str, role: str = "member") -> Any:
    return client.post(
        reverse("web:members", args=[admin.company.pk]), {"email": email, "role": role}
    )


def _link(message: Any) -> str:
    return "/" + LINK.search(message.body).group(0).split("/", 3)[3]


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a request and the e-mails it queues on commit."""

    def run(call: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def test_an_existing_account_is_offered_not_enrolled(
    signed_in: Any, company_admin: Any, sent: Any
) -> None:
    victim = UserFactory(email="operatrice@plateforme.fr", display_name="Camille Opératrice")
    admin_client = signed_in(company_admin)
    answer = sent(_invite, admin_client, company_admin, "OPERATRICE@plateforme.fr")
    assert answer.status_code == 302
    # not a member; the members page shows the address only, no name, no last sign-in
    assert not Membership.objects.filter(user=victim).exists()
    page = admin_client.get(reverse("web:members", args=[company_admin.company.pk]))
    text = page.content.decode()
    assert "operatrice@plateforme.fr" in text and "Camille Opératrice" not in text
    # the subject quotes the company's name as data
    (message,) = mail.outbox
    assert message.subject.startswith("Invitation au réseau des fab labs, de la part de « ")
    # the person decides from their dashboard
    victim_client = signed_in(victim)
    dashboard = victim_client.get("/")
    assert company_admin.company.name in dashboard.content.decode()
    offer = Invitation.objects.get()
    declined = victim_client.post(
        reverse("invitation-answer", args=[offer.pk]), {"answer": "decline"}
    )
    assert declined.status_code == 302
    assert not Membership.objects.filter(user=victim).exists()


def test_an_address_without_account_makes_one_only_by_accepting(
    client: Any, signed_in: Any, company_admin: Any, sent: Any
) -> None:
    sent(_invite, signed_in(company_admin), company_admin, "nouvelle@dupont.fr")
    assert not User.objects.filter(email="nouvelle@dupont.fr").exists()
    (message,) = mail.outbox
    link = _link(message)
    client.logout()
    # meanwhile the person may sign up on their own: nothing blocks the address
    assert client.get(link).status_code == 200
    made = client.post(
        link,
        {
            "action": "create",
            "name": "Nadia Nouvelle",
            "password1": "une-phrase-assez-longue",
            "password2": "une-phrase-assez-longue",
            "language": "fr",
        },
    )
    assert made.status_code == 302
    user = User.objects.get(email="nouvelle@dupont.fr")
    assert user.display_name == "Nadia Nouvelle" and user.email_confirmed_at is not None
    assert Membership.objects.filter(user=user, company=company_admin.company).exists()
    # the link is used up
    assert client.get(link).status_code == 404


def test_a_company_not_validated_invites_nobody_and_members_are_not_invited_again(
    signed_in: Any, company_admin: Any, member: Any, sent: Any
) -> None:
    client = signed_in(company_admin)
    Company.objects.filter(pk=company_admin.company.pk).update(validated_at=None)
    company_admin.company.refresh_from_db()
    refused = sent(_invite, client, company_admin, "x@y.fr")
    assert refused.status_code == 422 and "une fois validée" in refused.content.decode()
    Company.objects.filter(pk=company_admin.company.pk).update(validated_at="2026-01-01T00:00Z")
    Membership.objects.create(user=member, company=company_admin.company)
    again = sent(_invite, client, company_admin, member.email)
    assert again.status_code == 422 and "déjà membre" in again.content.decode()
    assert not mail.outbox


def test_invitations_stop_at_the_daily_limit(
    signed_in: Any, company_admin: Any, sent: Any, settings: Any
) -> None:
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 3
    client = signed_in(company_admin)
    answers = [sent(_invite, client, company_admin, f"c{n}@dupont.fr") for n in range(6)]
    assert [a.status_code for a in answers] == [302, 302, 302, 422, 422, 422]
    assert len(mail.outbox) == 3 and Invitation.objects.count() == 3
    # the same address twice is one invitation
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 10
    twice = sent(_invite, client, company_admin, "c0@dupont.fr")
    assert twice.status_code == 422 and len(mail.outbox) == 3


def test_a_password_reset_reaches_an_account_made_passwordless(
    client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # accounts the earlier invitations made have no usable password
    stranded = User.objects.create_user(email="bloque@dupont.fr", password=None)
    sent(client.post, "/password-reset/", {"email": stranded.email})
    assert [m.to for m in mail.outbox] == [["bloque@dupont.fr"]]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(emails=st.lists(st.one_of(st.emails(), st.text(max_size=40)), max_size=12))
def test_hostile_invitations_send_at_most_the_limit_and_write_nothing_refused(
    signed_in: Any, company_admin: Any, sent: Any, emails: list[str]
) -> None:
    mail.outbox.clear()
    Invitation.objects.all().delete()
    client = signed_in(company_admin)
    users_before = User.objects.count()
    for email in emails:
        answer = sent(_invite, client, company_admin, email)
        assert answer.status_code in (302, 422)
    from django.conf import settings as django_settings

    limit = django_settings.INVITATIONS_PER_COMPANY_PER_DAY
    assert len(mail.outbox) == Invitation.objects.count() <= limit
    assert User.objects.count() == users_before
    assert Membership.objects.filter(company=company_admin.company).count() == 1
