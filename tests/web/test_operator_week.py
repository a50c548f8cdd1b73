"""The platform's week for its operators, a booking's page, booking on a company's behalf."""

from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, BookingKind, BookingStatus
from bookings.services import booking_create
from platforms.models import Machine
from tests.conftest import paris
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db: Any, make_member: Any) -> dict[str, Any]:
    operator = UserFactory()
    machine = MachineFactory(name="Laser A", min_notice_hours=0)
    machine.platform.operators.add(operator)
    other = MachineFactory(name="Robot C", min_notice_hours=0)
    return {"operator": operator, "machine": machine, "other": other, "member": make_member()}


def _book(setup: dict[str, Any], machine: str = "machine", hour: int = 10) -> Booking:
    return booking_create(
        machine=setup[machine],
        company=setup["member"].company,
        user=setup["member"],
        start=paris(2027, 1, 6, hour),
        end=paris(2027, 1, 6, hour + 1),
    )


def test_week_shows_machines_as_rows_and_bookings_by_company(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    booking = _book(setup)
    client.force_login(setup["operator"])
    page = client.get(
        reverse("web:operator-platform", args=[setup["machine"].platform.pk]), {"week": "2027-W01"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Laser A" in text and setup["member"].company.name in text and "Confirmée" in text
    wednesday = page.context["rows"][0][1][2]
    assert [(b.pk, b.span) for b in wednesday.bookings] == [(booking.pk, "10:00–11:00")]


def test_week_of_another_platform_is_not_found(client: Any, setup: dict[str, Any]) -> None:
    client.force_login(setup["operator"])
    assert (
        client.get(reverse("web:operator-platform", args=[setup["other"].platform.pk])).status_code
        == 404
    )


def test_week_queries_do_not_grow_with_machines_and_bookings(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    client.force_login(setup["operator"])
    platform = setup["machine"].platform
    url = reverse("web:operator-platform", args=[platform.pk])
    counts = []
    for machines in (2, 30):
        while platform.machines.count() < machines:
            extra = MachineFactory(platform=platform, min_notice_hours=0)
            booking_create(
                machine=extra,
                company=setup["member"].company,
                user=setup["member"],
                start=paris(2027, 1, 7, 10),
                end=paris(2027, 1, 7, 11),
            )
        client.get(url, {"week": "2027-W01"})
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"week": "2027-W01"})
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_operator_cancels_with_a_reason_and_the_company_is_told(
    client: Any, setup: dict[str, Any], frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _book(setup)
    client.force_login(setup["operator"])
    url = reverse("web:operator-booking", args=[booking.pk])
    no_reason = client.post(url, {"action": "cancel", "reason": ""})
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"action": "cancel", "reason": "Panne du laser"})
    assert no_reason.status_code == 422
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (
        booking.status == BookingStatus.CANCELLED
        and booking.cancellation_reason == "Panne du laser"
    )
    assert any("Panne du laser" in message.body for message in mail.outbox)


def test_operator_moves_and_refusals_show_in_the_form(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    booking = _book(setup)
    client.force_login(setup["operator"])
    url = reverse("web:operator-move", args=[booking.pk])
    # The move page opens on the booking's week, its current slot marked, its length chosen
    page = client.get(url).content.decode()
    assert "slot--current" in page and "Créneau actuel" in page
    assert '<option value="60" selected>1 h</option>' in page
    refused = client.post(url, {"start": "2027-01-06T20:00", "length": "60"})
    moved = client.post(url, {"start": "2027-01-07T14:00", "length": "60"})
    assert refused.status_code == 422 and "pas ouverte" in refused.content.decode()
    assert moved.status_code == 302
    assert moved["Location"] == reverse("web:operator-booking", args=[booking.pk])
    booking.refresh_from_db()
    assert (booking.start, booking.end) == (paris(2027, 1, 7, 14), paris(2027, 1, 7, 15))


def test_operator_books_for_a_company_or_blocks_internal_time(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    client.force_login(setup["operator"])
    url = reverse("web:operator-book", args=[setup["machine"].pk])
    form = client.get(url, {"day": "2027-01-08"})
    assert 'value="2027-01-08T09:00"' in form.content.decode()
    for_company = client.post(
        url,
        {
            "start": "2027-01-08T09:00",
            "end": "2027-01-08T10:00",
            "company": setup["member"].company.pk,
        },
    )
    internal = client.post(
        url, {"start": "2027-01-08T19:00", "end": "2027-01-08T20:00", "note": "Calibration"}
    )
    assert for_company.status_code == 302 and internal.status_code == 302
    made = Booking.objects.order_by("start")
    assert [b.kind for b in made] == [BookingKind.COMPANY, BookingKind.INTERNAL]
    assert made[0].company == setup["member"].company and made[0].booked_by == setup["operator"]


def test_an_operator_books_a_walk_in_starting_within_the_hour_and_its_page_says_so(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    # given: a machine asking a day's notice; it is Monday 09:00
    machine = setup["machine"]
    machine.min_notice_hours = 24
    machine.save()
    client.force_login(setup["operator"])

    # when: the SME is at the desk for 10:00
    answer = client.post(
        reverse("web:operator-book", args=[machine.pk]),
        {
            "start": "2027-01-04T10:00",
            "end": "2027-01-04T11:00",
            "company": setup["member"].company.pk,
        },
    )

    # then: booked, and the booking's history says it was within the notice
    assert answer.status_code == 302
    walk_in = Booking.objects.get()
    page = client.get(reverse("web:operator-booking", args=[walk_in.pk]))
    assert "Réservée par la plateforme dans le délai de prévenance" in page.content.decode()


def test_other_platforms_booking_page_and_booking_form_are_not_found(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    theirs = _book(setup, "other")
    client.force_login(setup["operator"])
    answers = [
        client.get(reverse("web:operator-booking", args=[theirs.pk])),
        client.post(
            reverse("web:operator-booking", args=[theirs.pk]), {"action": "cancel", "reason": "x"}
        ),
        client.get(reverse("web:operator-book", args=[setup["other"].pk])),
        client.post(
            reverse("web:operator-book", args=[setup["other"].pk]),
            {"start": "2027-01-08T09:00", "end": "2027-01-08T10:00"},
        ),
    ]
    assert [answer.status_code for answer in answers] == [404] * 4
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.CONFIRMED and Booking.objects.count() == 1


def test_hostile_days_and_weeks_are_ignored(client: Any, setup: dict[str, Any]) -> None:
    client.force_login(setup["operator"])
    for value in ("0001-01-01", "9999-12-31", "x", "2027-02-30"):
        assert (
            client.get(
                reverse("web:operator-book", args=[setup["machine"].pk]), {"day": value}
            ).status_code
            == 200
        )
        assert (
            client.get(
                reverse("web:operator-platform", args=[setup["machine"].platform.pk]),
                {"week": value},
            ).status_code
            == 200
        )


def test_operator_edits_a_machines_rules_and_specifications(
    client: Any, setup: dict[str, Any]
) -> None:
    client.force_login(setup["operator"])
    url = reverse("web:operator-machine", args=[setup["machine"].pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "hourly_rate": "75.50",
            "requires_approval": "on",
            "specs_text": "Surface: 1000 × 600 mm\nPuissance: 80 W",
            "min_minutes": "60",
        }
    )
    # Checkboxes are sent only when ticked.
    for flag in ("requires_qualification", "active"):
        if form[flag].value():
            data[flag] = "on"
        else:
            data.pop(flag, None)
    saved = client.post(url, data)
    refused = client.post(url, {**data, "max_minutes": "30", "specs_text": "pas de deux-points"})
    assert saved.status_code == 302
    setup["machine"].refresh_from_db()
    assert str(setup["machine"].hourly_rate) == "75.50" and setup["machine"].requires_approval
    assert setup["machine"].specs == {"Surface": "1000 × 600 mm", "Puissance": "80 W"}
    assert refused.status_code == 422 and "specs_text" in refused.context["form"].errors


def test_operator_sets_opening_hours_with_a_lunch_break(client: Any, setup: dict[str, Any]) -> None:
    platform = setup["machine"].platform
    client.force_login(setup["operator"])
    url = reverse("web:operator-hours", args=[platform.pk])
    data = {
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-0-weekday": "0",
        "hours-0-opens": "08:00",
        "hours-0-closes": "12:00",
        "hours-1-weekday": "0",
        "hours-1-opens": "13:30",
        "hours-1-closes": "18:00",
    }
    assert client.post(url, data).status_code == 302
    assert list(platform.opening_hours.values_list("weekday", "opens", "closes")) == [
        (0, time(8), time(12)),
        (0, time(13, 30), time(18)),
    ]
    refused = client.post(url, {**data, "hours-1-closes": "10:00"})
    assert refused.status_code == 422 and platform.opening_hours.count() == 2


def test_another_platforms_machine_and_hours_are_not_found(
    client: Any, setup: dict[str, Any]
) -> None:
    client.force_login(setup["operator"])
    other = setup["other"]
    assert client.get(reverse("web:operator-machine", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("web:operator-machine", args=[other.pk]), {"hourly_rate": "1"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("web:operator-hours", args=[other.platform.pk]), {}).status_code == 404
    )
    other.refresh_from_db()
    assert str(other.hourly_rate) == "60.00" and other.platform.opening_hours.count() == 7


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    typed=st.one_of(
        st.text(max_size=20),
        st.sampled_from(["-1", "0", "0.1", "1e9", "NaN", "Infinity", "99.999", "100", "３"]),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
    )
)
def test_a_daily_limit_typed_by_an_operator_is_kept_or_refused_never_a_500(
    client: Any, setup: dict[str, Any], typed: str
) -> None:
    machine = setup["machine"]
    client.force_login(setup["operator"])
    url = reverse("web:operator-machine", args=[machine.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for flag in ("requires_approval", "requires_qualification", "active"):
        if form[flag].value():
            data[flag] = "on"
        else:
            data.pop(flag, None)
    data["specs_text"] = ""
    before = Machine.objects.get(pk=machine.pk).daily_quota_hours

    answer = client.post(url, {**data, "daily_quota_hours": typed})

    kept = Machine.objects.get(pk=machine.pk).daily_quota_hours
    assert answer.status_code in (302, 422)
    if answer.status_code == 422:
        assert "daily_quota_hours" in answer.context["form"].errors and kept == before
    else:
        assert kept is None or Decimal("0.25") <= kept < 100
