"""The optional e-mails a person chooses on their profile page."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from bookings.models import MembershipRole
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/profile/messages/"


def test_a_member_turns_reminders_off_on_the_profile_page(client):
    user = MembershipFactory().user
    client.force_login(user)

    page = client.get("/profile/").content.decode()
    assert 'name="wants_reminders" checked' in page
    assert 'type="checkbox" name="wants_copies"' not in page, "copies are for company admins"
    assert 'type="checkbox" name="wants_digests"' not in page, "digests are for operators"

    response = client.post(URL, {"wants_digests": "", "wants_copies": "on"}, follow=True)

    user.refresh_from_db()
    assert user.wants_reminders is False
    assert user.wants_digests is True, "kept: not the member's to see"
    assert user.wants_copies is False, "not a company admin's: unchanged"
    assert "Vos préférences d’e-mails sont enregistrées." in response.content.decode()


def test_a_company_admin_asks_for_copies(client):
    user = MembershipFactory(role=MembershipRole.ADMIN).user
    client.force_login(user)
    assert 'name="wants_copies"' in client.get("/profile/").content.decode()

    client.post(URL, {"wants_reminders": "on", "wants_copies": "on"})

    user.refresh_from_db()
    assert (user.wants_reminders, user.wants_copies) == (True, True)


def test_only_the_signed_in_person_changes_their_own_preferences(client):
    other = UserFactory()
    assert client.post(URL, {}).status_code == 302  # to the login page
    other.refresh_from_db()
    assert other.wants_reminders is True

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 405


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from(["wants_reminders", "wants_digests", "wants_copies", "email", "is_staff"])
        | st.text(max_size=20),
        st.text(max_size=200) | st.sampled_from(["on", "true", "false", "0", "1", ""]),
        max_size=6,
    )
)
def test_no_body_breaks_the_preferences_or_changes_anything_else(client, body):
    user = User.objects.filter(email="fuzz@example.fr").first() or UserFactory(
        email="fuzz@example.fr"
    )
    client.force_login(user)

    response = client.post(URL, body)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "fuzz@example.fr" and user.is_staff is False
    assert {type(user.wants_reminders), type(user.wants_digests), type(user.wants_copies)} == {bool}
