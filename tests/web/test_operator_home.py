"""The operator's day, the page they land on (issue 25, 12): pending bookings link to the
booking and the company and are approved in bulk; an action returns to the page it came from;
a page says the company is told by e-mail only when a message was recorded."""

from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create, booking_reject
from platforms.services import qualification_request
from tests.conftest import paris
from tests.factories import MachineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(frozen_now: Any) -> dict[str, Any]:
    printer = MachineFactory(requires_approval=True, min_notice_hours=0, name="Imprimante 3D")
    operator = UserFactory()
    printer.platform.operators.add(operator)
    sme = MembershipFactory(company__name="Mécanique Dupont")
    pending = [
        booking_create(
            machine=printer,
            company=sme.company,
            user=sme.user,
            start=paris(2027, 1, 6, hour),
            end=paris(2027, 1, 6, hour + 1),
        )
        for hour in (9, 11, 14)
    ]
    return {"operator": operator, "printer": printer, "sme": sme, "pending": pending}


def test_pending_bookings_link_to_their_booking_and_company(
    client: Any, day: dict[str, Any]
) -> None:
    client.force_login(day["operator"])
    page = client.get(reverse("web:operator")).content.decode()
    first = day["pending"][0]
    assert reverse("web:operator-booking", args=[first.pk]) in page
    assert reverse("web:operator-company", args=[first.company_id]) in page
    assert page.count('name="booking"') == 3


def test_ticked_bookings_are_approved_in_one_go_each_on_its_own(
    client: Any, day: dict[str, Any]
) -> None:
    first, second, third = day["pending"]
    # a colleague refused the second meanwhile
    booking_reject(booking=second, user=UserFactory(is_staff=True), reason="Machine en panne")
    client.force_login(day["operator"])
    answer = client.post(
        reverse("web:operator-approve-many"),
        {"booking": [first.pk, second.pk, "x", "99999999"]},
        follow=True,
    )
    text = answer.content.decode()
    assert "1 réservation acceptée." in text
    assert "attente" in text  # the refused one says why it was not approved
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[first.pk] == BookingStatus.CONFIRMED
    assert statuses[second.pk] == BookingStatus.REJECTED
    assert statuses[third.pk] == BookingStatus.PENDING  # not ticked


def test_another_platforms_booking_cannot_be_ticked(client: Any, day: dict[str, Any]) -> None:
    elsewhere = MachineFactory(requires_approval=True, min_notice_hours=0)
    sme = day["sme"]
    foreign = booking_create(
        machine=elsewhere,
        company=sme.company,
        user=sme.user,
        start=paris(2027, 1, 7, 10),
        end=paris(2027, 1, 7, 11),
    )
    client.force_login(day["operator"])
    client.post(reverse("web:operator-approve-many"), {"booking": [foreign.pk]})
    foreign.refresh_from_db()
    assert foreign.status == BookingStatus.PENDING


def test_the_page_says_the_company_is_told_only_when_it_is(
    client: Any, day: dict[str, Any]
) -> None:
    first, second, _third = day["pending"]
    client.force_login(day["operator"])
    told = client.post(reverse("web:operator-approve", args=[first.pk]), follow=True)
    assert "prévenue par courriel" in told.content.decode()
    # nobody left in the company to tell: the member left, there is no administrator
    sme = day["sme"]
    sme.user.is_active = False
    sme.user.save(update_fields=["is_active"])
    silent = client.post(reverse("web:operator-approve", args=[second.pk]), follow=True)
    assert "Acceptée" in silent.content.decode()
    assert "prévenue par courriel" not in silent.content.decode()


def test_qualifying_returns_to_the_page_it_came_from(client: Any, day: dict[str, Any]) -> None:
    asked = qualification_request(user=day["sme"].user, machine=day["printer"], note="")
    client.force_login(day["operator"])
    page = reverse("web:operator-qualifications")
    answer = client.post(
        reverse("web:operator-qualification", args=[asked.pk, "grant"]), {"next": page}
    )
    assert answer.status_code == 302 and answer["Location"] == page


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ids=st.lists(st.one_of(st.text(max_size=15), st.integers().map(str)), max_size=8),
    target=st.sampled_from(
        ["https://evil.example/", "//evil.example", "javascript:alert(1)", "/operator/", ""]
    ),
)
def test_hostile_bulk_approvals_and_return_addresses(
    client: Any, day: dict[str, Any], ids: list[str], target: str
) -> None:
    client.force_login(day["operator"])
    answer = client.post(reverse("web:operator-approve-many"), {"booking": ids})
    assert answer.status_code == 302 and answer["Location"] == reverse("web:operator")
    back = client.post(
        reverse("web:operator-reject", args=[day["pending"][2].pk]),
        {"reason": ""},
        HTTP_REFERER=target,
    )
    assert back.status_code == 302
    assert back["Location"] in ("/operator/", reverse("web:operator"))
