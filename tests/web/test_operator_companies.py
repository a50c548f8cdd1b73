"""Companies for operators: validate or refuse the ones that signed up (their administrators
are told, with the reason), and see a company's bookings on their own platforms only."""

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Company, MembershipRole
from bookings.services import booking_create, company_refuse
from core.exceptions import DomainError
from notifications.models import Message, MessageKind
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any, make_member: Any) -> dict[str, Any]:
    """An operator of platforms A and B; platform C is someone else's; a company waits."""
    operator = UserFactory()
    a = MachineFactory(name="Laser A", min_notice_hours=0)
    b = MachineFactory(name="Tour B", min_notice_hours=0)
    c = MachineFactory(name="Robot C", min_notice_hours=0)
    a.platform.operators.add(operator)
    b.platform.operators.add(operator)
    waiting = CompanyFactory(name="Nouvelle <b>PME</b>", validated_at=None)
    admin = MembershipFactory(company=waiting, role=MembershipRole.ADMIN).user
    MembershipFactory(company=waiting, role=MembershipRole.MEMBER)
    return {
        "operator": operator,
        "a": a,
        "b": b,
        "c": c,
        "member": make_member(),
        "waiting": waiting,
        "admin": admin,
    }


def _book(world: dict[str, Any], machine: str, day: int) -> Any:
    return booking_create(
        machine=world[machine],
        company=world["member"].company,
        user=world["member"],
        start=paris(2027, 1, day, 10),
        end=paris(2027, 1, day, 11),
    )


def test_refused_in_place_with_a_reason_and_its_administrators_are_told(
    client: Any, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world["operator"])
    url = reverse("web:operator-refuse-company", args=[world["waiting"].pk])
    no_reason = client.post(url, {"reason": "  "}, headers={"HX-Request": "true"})
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"reason": "SIRET inconnu du répertoire Sirene"}, headers={"HX-Request": "true"}
        )
    assert no_reason.status_code == 422 and done.status_code == 200
    assert "refusée" in done.content.decode()
    company = Company.objects.get(pk=world["waiting"].pk)
    assert company.is_refused and company.refusal_reason == "SIRET inconnu du répertoire Sirene"
    assert company.refused_by == world["operator"] and not company.is_validated
    # the administrator only, in French, with the reason; the name escaped in the HTML part
    [email] = mail.outbox
    assert email.to == [world["admin"].email]
    assert "SIRET inconnu du répertoire Sirene" in email.body
    assert "Nouvelle &lt;b&gt;PME&lt;/b&gt;" in email.alternatives[0][0]
    # no longer waiting on the operator's day, listed as refused on the companies page
    assert company not in client.get("/operator/").context["day"].companies
    page = client.get(reverse("web:operator-companies"))
    assert company in page.context["refused"] and company not in page.context["waiting"]


def test_a_refused_company_validated_later_is_told_it_may_book(
    client: Any, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    company_refuse(company=world["waiting"], user=world["operator"], reason="Kbis manquant")
    client.force_login(world["operator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:operator-validate", args=[world["waiting"].pk]))
    company = Company.objects.get(pk=world["waiting"].pk)
    assert company.is_validated and not company.is_refused and company.refusal_reason == ""
    kinds = list(Message.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [MessageKind.COMPANY_REFUSED, MessageKind.COMPANY_VALIDATED]
    # the refusal, overturned before it went, is not sent; the validation is
    assert [email.subject for email in mail.outbox] == [
        "Nouvelle <b>PME</b> peut désormais réserver"
    ]


def test_a_company_just_validated_still_has_its_page_for_the_platforms_operators(
    client: Any, world: dict[str, Any]
) -> None:
    # given: the operator validates the waiting company (issue 25, 10) …
    client.force_login(world["operator"])
    client.post(reverse("web:operator-validate", args=[world["waiting"].pk]))
    page = reverse("web:operator-company", args=[world["waiting"].pk])

    # then: its page still answers, for them and for a colleague of their platform
    assert client.get(page).status_code == 200
    colleague = UserFactory()
    world["a"].platform.operators.add(colleague)
    client.force_login(colleague)
    assert client.get(page).status_code == 200
    # … not for the operator of a platform it has nothing to do with
    stranger = UserFactory()
    world["c"].platform.operators.add(stranger)
    client.force_login(stranger)
    assert client.get(page).status_code == 404


def test_a_validated_company_cannot_be_refused(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["operator"])
    validated = world["member"].company
    answer = client.post(
        reverse("web:operator-refuse-company", args=[validated.pk]), {"reason": "Non"}
    )
    assert answer.status_code == 404
    validated.refresh_from_db()
    assert validated.is_validated and validated.refused_at is None
    with pytest.raises(DomainError) as refused:
        company_refuse(company=validated, user=world["operator"], reason="Non")
    assert refused.value.code == "company_validated_already"


def test_companies_and_their_bookings_on_the_operators_platforms_only(
    client: Any, world: dict[str, Any], frozen_now: Any
) -> None:
    _book(world, "a", 6)
    _book(world, "b", 7)
    theirs = _book(world, "c", 8)
    only_on_c = CompanyFactory(name="Cliente de C")
    booking_create(
        machine=world["c"],
        company=only_on_c,
        user=UserFactory(is_staff=True),
        start=paris(2027, 1, 9, 10),
        end=paris(2027, 1, 9, 11),
    )
    client.force_login(world["operator"])
    listing = client.get(reverse("web:operator-companies"))
    [row] = listing.context["booking"].object_list
    assert row == world["member"].company and row.bookings_here == 2
    page = client.get(reverse("web:operator-company", args=[row.pk]))
    shown = [booking.machine.name for booking in page.context["bookings"]]
    assert shown == ["Tour B", "Laser A"] and theirs.pk not in [
        booking.pk for booking in page.context["bookings"]
    ]
    assert "Robot C" not in page.content.decode()
    # a company that booked only on C is out of reach; a waiting one is in reach
    assert client.get(reverse("web:operator-company", args=[only_on_c.pk])).status_code == 404
    waiting = client.get(reverse("web:operator-company", args=[world["waiting"].pk]))
    assert waiting.status_code == 200


def test_someone_operating_nothing_reaches_no_company(
    client: Any, world: dict[str, Any], frozen_now: Any
) -> None:
    _book(world, "a", 6)
    client.force_login(world["member"])
    company = world["member"].company
    answers = [
        client.get(reverse("web:operator-companies")),
        client.get(reverse("web:operator-company", args=[company.pk])),
        client.get(reverse("web:operator-company", args=[world["waiting"].pk])),
        client.post(
            reverse("web:operator-refuse-company", args=[world["waiting"].pk]), {"reason": "x"}
        ),
        client.post(reverse("web:operator-validate", args=[world["waiting"].pk])),
    ]
    assert [answer.status_code for answer in answers] == [404] * 5
    world["waiting"].refresh_from_db()
    assert world["waiting"].validated_at is None and world["waiting"].refused_at is None


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reason=st.text(max_size=1200), page=st.text(max_size=12))
def test_hostile_refusals_and_pages_never_fail(
    client: Any, world: dict[str, Any], reason: str, page: str
) -> None:
    client.force_login(world["operator"])
    answer = client.post(
        reverse("web:operator-refuse-company", args=[world["waiting"].pk]), {"reason": reason}
    )
    listing = client.get(reverse("web:operator-companies"), {"page": page})
    assert answer.status_code in (302, 404) and listing.status_code == 200
    company = Company.objects.get(pk=world["waiting"].pk)
    if company.refused_at is not None:
        assert 0 < len(company.refusal_reason) <= 1000
