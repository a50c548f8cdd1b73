"""An invitation in a browser (issue 26): the administrator invites an address, the person
makes their account from the link and lands a member; at 1,280 and 390 px."""

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from bookings.models import Membership, MembershipRole
from tests.e2e.conftest import sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_invited_colleague_makes_their_account_and_joins(
    open_page: Any, live_server: Any, width: int
) -> None:
    admin = MembershipFactory(
        role=MembershipRole.ADMIN,
        user__email="claire@dupont.fr",
        company__name="Mécanique Dupont",
    )
    page, shot = open_page(width, "invitation")
    sign_in(page, live_server, "claire@dupont.fr")
    page.goto(f"{live_server.url}/companies/{admin.company.pk}/members/")
    page.get_by_label("Adresse e-mail du collègue").fill("nadia@dupont.fr")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status").filter(has_text="Invitation envoyée")).to_be_visible()
    expect(page.locator("main")).to_contain_text("nadia@dupont.fr")
    shot("members")
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(live_server.url + "/" + link.split("/", 3)[3])
    shot("invitation")
    page.get_by_label("Votre nom").fill("Nadia Nouvelle")
    page.locator("#id_password1").fill("une-phrase-assez-longue")
    page.locator("#id_password2").fill("une-phrase-assez-longue")
    page.get_by_role("button", name="Créer mon compte et rejoindre").click()
    expect(page.get_by_role("status").filter(has_text="Vous êtes membre")).to_be_visible()
    shot("joined")
    assert Membership.objects.filter(user__email="nadia@dupont.fr", company=admin.company).exists()
    assert page.js_errors == []
