"""Forms that send e-mail or start work cannot be turned into a flood (issue 26, 1): after N
requests at most the limit was sent, refused requests write nothing, and the answer does not
tell whether an address has an account."""

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.models import Message
from reports.models import ReportExport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_five_hundred_resets_for_one_address_send_three(
    client: Any, member: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PASSWORD_RESETS_PER_CLIENT_PER_HOUR = 10_000
    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            client.post("/password-reset/", {"email": member.email})["Location"] for _ in range(500)
        }
    assert answers == {reverse("password-reset-sent")}
    assert len(mail.outbox) == settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR == 3


def test_an_unknown_address_gets_the_same_answer(client: Any, member: Any) -> None:
    known = client.post("/password-reset/", {"email": member.email})
    unknown = client.post("/password-reset/", {"email": "personne@nulle-part.fr"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_one_client_address_asking_too_often_is_told_to_wait(
    client: Any, db: Any, settings: Any
) -> None:
    settings.PASSWORD_RESETS_PER_CLIENT_PER_HOUR = 5
    codes = [
        client.post("/password-reset/", {"email": f"n{n}@exemple.fr"}).status_code for n in range(7)
    ]
    assert codes == [302] * 5 + [429] * 2
    assert (
        "Réessayez dans 60 minutes"
        in client.post("/password-reset/", {"email": "x@exemple.fr"}).content.decode()
    )


def test_one_background_report_at_a_time(client: Any, db: Any, settings: Any) -> None:
    funder = UserFactory(is_staff=True)
    client.force_login(funder)
    url = reverse("web:report-download")
    first = client.get(url, {"format": "xlsx"})
    second = client.get(url, {"format": "pdf"}, follow=True)
    assert first.status_code == 302 and first["Location"].startswith("/reports/exports/")
    assert "encore en préparation" in second.content.decode()
    assert ReportExport.objects.count() == 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    addresses=st.lists(
        st.sampled_from(["a@pme.fr", "b@pme.fr", "A@PME.FR", "nobody@pme.fr", "x", ""]),
        max_size=40,
    )
)
def test_hostile_reset_sequences_send_at_most_the_limit_per_address(
    client: Any, django_capture_on_commit_callbacks: Any, addresses: list[str]
) -> None:
    from django.core.cache import cache

    cache.clear()
    mail.outbox.clear()
    Message.objects.all().delete()
    for email in ("a@pme.fr", "b@pme.fr"):
        if not UserFactory._meta.model.objects.filter(email=email).exists():
            UserFactory(email=email)
    with django_capture_on_commit_callbacks(execute=True):
        for email in addresses:
            answer = client.post("/password-reset/", {"email": email})
            assert answer.status_code in (302, 422, 429)
    per_address: dict[str, int] = {}
    for message in mail.outbox:
        per_address[message.to[0].lower()] = per_address.get(message.to[0].lower(), 0) + 1
    assert set(per_address) <= {"a@pme.fr", "b@pme.fr"}
    assert all(count <= 3 for count in per_address.values())
    # refused or unknown requests wrote nothing
    assert Message.objects.count() == len(mail.outbox)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    attempts=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["new", "taken", "bad"])), max_size=12
    )
)
def test_hostile_sign_up_sequences_stay_within_the_limit(
    client: Any, django_capture_on_commit_callbacks: Any, attempts: list[tuple[int, str]]
) -> None:
    from django.conf import settings as django_settings
    from django.core.cache import cache

    from bookings.models import Company
    from bookings.siret import siret_complete

    from .test_pages import SIGN_UP

    cache.clear()
    mail.outbox.clear()
    Message.objects.all().delete()
    Company.objects.all().delete()
    # each example starts with one account, whose address a sign-up may try
    UserFactory._meta.model.objects.exclude(email="pris@pme.fr").delete()
    if not UserFactory._meta.model.objects.filter(email="pris@pme.fr").exists():
        UserFactory(email="pris@pme.fr")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        for number, kind in attempts:
            data = {
                **SIGN_UP,
                "siret": siret_complete(f"{300000000 + number * 7919:09d}0001"),
                "email": {"new": f"n{number}@pme.fr", "taken": "pris@pme.fr", "bad": "x"}[kind],
            }
            answer = client.post("/signup/", data)
            assert answer.status_code in (302, 422, 429)
    limit = django_settings.SIGNUPS_PER_CLIENT_PER_HOUR
    assert Company.objects.count() <= limit
    # each sign-up that went through sent one link; the taken address at most its limit
    taken = [m for m in mail.outbox if m.to == ["pris@pme.fr"]]
    assert len(taken) <= django_settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR
    assert len(mail.outbox) - len(taken) == Company.objects.count()


def test_asking_for_a_new_address_again_and_again_sends_one_link(
    client: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(30):
            client.post(
                reverse("email-change"), {"email": "nouvelle@pme.fr", "password": "secret-pass-123"}
            )
    assert len(mail.outbox) == 1
