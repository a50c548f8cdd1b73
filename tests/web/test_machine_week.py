"""A machine's week: the grid, what each person sees in it, weeks asked for, DST, and
booking from it."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from platforms.models import ClosureKind
from platforms.services import closure_create
from tests.conftest import paris
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db

CELL = re.compile(r'<button[^>]*data-start="([^"]+)" data-end="([^"]+)"')


def _cells(page: Any) -> dict[str, str]:
    grid = page.context["grid"]
    return {
        cell.start.isoformat(timespec="minutes"): cell.state
        for row in grid.rows
        for cell in row.cells
    }


def test_week_cells_tell_free_busy_mine_and_closed(
    client: Any, member: Any, make_member: Any, frozen_now: Any, laser: Any
) -> None:
    # given: Wednesday 6 January 2027 — ours at 10:00, another company's at 14:00, closed at 16:00
    booking_create(
        machine=laser,
        company=member.company,
        user=member,
        start=paris(2027, 1, 6, 10),
        end=paris(2027, 1, 6, 11),
    )
    other = make_member()
    booking_create(
        machine=laser,
        company=other.company,
        user=other,
        start=paris(2027, 1, 6, 14),
        end=paris(2027, 1, 6, 15),
    )
    staff = UserFactory(is_staff=True)
    closure_create(
        platform=laser.platform,
        machine=laser,
        user=staff,
        title="Entretien",
        kind=ClosureKind.MAINTENANCE,
        start=paris(2027, 1, 6, 16),
        end=paris(2027, 1, 6, 17),
    )
    client.force_login(member)
    # when
    page = client.get(reverse("web:machine", args=[laser.pk]), {"week": "2027-W01"})
    # then
    cells = _cells(page)
    assert cells["2027-01-06T10:00+01:00"] == "mine"
    assert cells["2027-01-06T14:00+01:00"] == "busy"
    assert cells["2027-01-06T12:00+01:00"] == "free"
    assert cells["2027-01-06T16:30+01:00"] == "maintenance"  # closed, and why
    assert cells["2027-01-04T08:00+01:00"] == "open"  # past: this morning
    text = page.content.decode()
    # every free cell is a button with ISO 8601 times and their offset
    starts = CELL.findall(text)
    assert ("2027-01-06T12:00+01:00", "2027-01-06T12:30+01:00") in starts
    # another company's booking shows neither its name nor a link
    assert other.company.name not in text
    assert "Votre réservation" in text and "Réservé" in text


def test_week_refuses_unreadable_weeks_with_this_week(
    client: Any, frozen_now: Any, laser: Any
) -> None:
    for value in ("2027-W54", "1999-W10", "abc", "9999-W01", "2027-W00"):
        page = client.get(reverse("web:machine", args=[laser.pk]), {"week": value})
        assert page.status_code == 200, value
        assert page.context["grid"].monday.isoformat() == "2027-01-04", value


def test_a_machine_opens_on_the_first_week_with_something_to_book(
    client: Any, frozen_now: Any
) -> None:
    # given: Sunday 10 January 2027, 09:00, and a machine asking two days' notice: nothing is
    # bookable this week (issue 25, 2)
    machine = MachineFactory(min_notice_hours=48)
    url = reverse("web:machine", args=[machine.pk])
    with time_machine.travel(paris(2027, 1, 10, 9), tick=False):
        # when
        page = client.get(url)
        # then: it opens on next week, whose free cells are bookable …
        assert page.context["grid"].monday.isoformat() == "2027-01-11"
        assert "free" in _cells(page).values()
        # … and "This week" still shows this week, which has nothing
        this_week = client.get(url, {"week": page.context["this_week"]})
        assert this_week.context["grid"].monday.isoformat() == "2027-01-04"
        assert "free" not in _cells(this_week).values()


def test_a_search_result_opens_the_machine_on_its_slots_week(
    client: Any, frozen_now: Any, laser: Any
) -> None:
    # given: a search for the week of 25 January
    page = client.get(
        "/machines/",
        {"available_from": "2027-01-25", "available_to": "2027-01-29"},
    )
    # then: "See its week" opens that week
    assert f"/machines/{laser.pk}/?week=2027-W04" in page.content.decode()


def test_week_of_the_spring_change_keeps_wall_clock_rows(client: Any, laser: Any) -> None:
    # The week of 28 March 2027: Sunday loses an hour, rows stay 08:00… local.
    page = client.get(reverse("web:machine", args=[laser.pk]), {"week": "2027-W12"})
    sunday = [row.cells[6] for row in page.context["grid"].rows]
    assert sunday[0].start.isoformat(timespec="minutes") == "2027-03-28T08:00+02:00"
    saturday = [row.cells[5] for row in page.context["grid"].rows]
    assert saturday[0].start.isoformat(timespec="minutes") == "2027-03-27T08:00+01:00"


def test_week_navigation_and_htmx_fragment(client: Any, frozen_now: Any, laser: Any) -> None:
    page = client.get(reverse("web:machine", args=[laser.pk]), {"week": "2027-W01"})
    assert page.context["grid"].next == "2027-W02" and page.context["grid"].previous == "2026-W53"
    fragment = client.get(
        reverse("web:machine", args=[laser.pk]),
        {"week": "2027-W02"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="week",
    )
    assert "<html" not in fragment.content.decode() and 'id="week"' in fragment.content.decode()


@pytest.mark.parametrize("bookings", [1, 15])
def test_week_query_count_does_not_grow_with_bookings(
    client: Any,
    member: Any,
    frozen_now: Any,
    laser: Any,
    bookings: int,
    django_assert_num_queries: Any,
) -> None:
    # given
    for index in range(bookings):
        day, hour = 5 + index // 8, 8 + index % 8
        booking_create(
            machine=laser,
            company=member.company,
            user=member,
            start=paris(2027, 1, day, hour),
            end=paris(2027, 1, day, hour, 30),
        )
    client.force_login(member)
    url = reverse("web:machine", args=[laser.pk])
    client.get(url)  # warm the session and caches
    # then: session, user, machine + opening hours, availability (bookings, closures), which
    # closures are maintenance, who sees which booking, companies, qualification check,
    # whether the header shows "Operator", its photos, its documents, its training sessions ahead
    with django_assert_num_queries(13):
        client.get(url, {"week": "2027-W01"})


def test_book_from_the_week_confirms_and_tells_it(
    client: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    client.force_login(member)
    # the cell's link pre-fills the form in the platform's time
    form = client.get(
        reverse("web:book", args=[laser.pk]),
        {"start": "2027-01-06T10:00+01:00", "end": "2027-01-06T11:00+01:00"},
    )
    assert 'value="2027-01-06T10:00"' in form.content.decode()
    answer = client.post(
        reverse("web:book", args=[laser.pk]),
        {"start": "2027-01-06T10:00", "end": "2027-01-06T11:00", "company": member.company.pk},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200 and answer["HX-Trigger"] == "booked"
    assert "Réservation confirmée" in answer.content.decode()
    booking = Booking.objects.get()
    assert booking.start == paris(2027, 1, 6, 10) and booking.status == BookingStatus.CONFIRMED


def test_booking_needing_approval_says_it_is_pending(
    client: Any, member: Any, frozen_now: Any
) -> None:
    machine = MachineFactory(requires_approval=True, min_notice_hours=0)
    client.force_login(member)
    answer = client.post(
        reverse("web:book", args=[machine.pk]),
        {"start": "2027-01-06T10:00", "end": "2027-01-06T11:00", "company": member.company.pk},
        follow=True,
    )
    assert Booking.objects.get().status == BookingStatus.PENDING
    assert "En attente de la validation" in answer.content.decode()


def test_every_rule_violation_shows_in_the_form_in_french(
    client: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    client.force_login(member)
    url = reverse("web:book", args=[laser.pk])
    company = member.company.pk
    cases = {
        ("2027-01-06T10:10", "2027-01-06T11:00"): "grille",
        ("2027-01-06T20:00", "2027-01-06T21:00"): "pas ouverte",
        ("2027-06-06T10:00", "2027-06-06T11:00"): "jours",
        ("2027-01-06T10:00", "2027-01-06T19:00"): "",
    }
    for (start, end), _words in cases.items():
        answer = client.post(url, {"start": start, "end": end, "company": company})
        assert answer.status_code == 422, (start, end)
        assert answer.context["form"].non_field_errors(), (start, end)
    assert not Booking.objects.exists()


def test_a_series_from_the_form_all_or_nothing(
    client: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    client.force_login(member)
    url = reverse("web:book", args=[laser.pk])
    data = {"start": "2027-01-06T10:00", "end": "2027-01-06T11:00", "company": member.company.pk}
    made = client.post(url, {**data, "repeat": "weekly", "count": 3})
    assert made.status_code == 302 and Booking.objects.count() == 3
    refused = client.post(url, {**data, "repeat": "daily", "count": 2})
    assert refused.status_code == 422 and len(refused.context["refused"]) >= 1
    assert Booking.objects.count() == 3


def test_machine_needing_qualification_offers_to_request_it(
    client: Any, member: Any, frozen_now: Any
) -> None:
    machine = MachineFactory(requires_qualification=True)
    client.force_login(member)
    page = client.get(reverse("web:machine", args=[machine.pk]))
    assert "Demander une habilitation" in page.content.decode()
    client.post(reverse("web:qualification", args=[machine.pk]), {"note": "5 ans de CNC"})
    assert machine.qualifications.get().status == "requested"


form_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "2027-03-28T02:30",
            "2027-10-31T02:30",
            "2027-01-06T10:00",
            "<script>alert(1)</script>",
            "2027-13-45T99:99",
        ]
    ),
)


lengths = st.one_of(
    st.integers(-60, 10_000).map(str),
    st.text(max_size=6),
    st.sampled_from(["30", "60", "90", "120", "1e9", "٣٠"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=form_values,
    end=form_values,
    repeat=st.sampled_from(["", "daily", "weekly", "x"]),
    count=st.one_of(st.integers(-5, 100).map(str), st.text(max_size=5)),
    company=st.text(max_size=8),
    length=lengths,
)
def test_hostile_booking_forms_never_fail_nor_half_book(
    client: Any,
    member: Any,
    laser: Any,
    start: str,
    end: str,
    repeat: str,
    count: str,
    company: str,
    length: str,
) -> None:
    client.force_login(member)
    answer = client.post(
        reverse("web:book", args=[laser.pk]),
        {
            "start": start,
            "end": end,
            "length": length,
            "repeat": repeat,
            "count": count,
            "company": company,
        },
    )
    assert answer.status_code in (200, 302, 422)
    assert (
        Booking.objects.filter(company__isnull=False).exclude(company=member.company).count() == 0
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=form_values, end=form_values, length=lengths, week=st.text(max_size=12))
def test_hostile_moves_never_fail_and_keep_the_booking_whole(
    client: Any, member: Any, laser: Any, start: str, end: str, length: str, week: str
) -> None:
    booking = Booking.objects.filter(company=member.company).first() or booking_create(
        machine=laser,
        company=member.company,
        user=member,
        start=paris(2027, 1, 13, 10),
        end=paris(2027, 1, 13, 11),
    )
    client.force_login(member)
    url = reverse("web:move", args=[booking.pk])
    assert client.get(url, {"week": week, "start": start}).status_code == 200
    answer = client.post(url, {"start": start, "end": end, "length": length})
    assert answer.status_code in (302, 422)
    booking.refresh_from_db()
    # Moved or not, the booking keeps a length the machine allows.
    minutes = (booking.end - booking.start).total_seconds() / 60
    assert laser.min_minutes <= minutes <= laser.max_minutes


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(
            [
                "category",
                "region",
                "platform",
                "available_from",
                "available_to",
                "min_free",
                "page",
                "week",
            ]
        ),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(["0001-01-01", "9999-12-31", "-1", "99999999999", "2027-W53"]),
        ),
    )
)
def test_hostile_search_and_week_queries_never_fail(
    client: Any, laser: Any, query: dict[str, str]
) -> None:
    assert client.get("/machines/", query).status_code == 200
    assert client.get(reverse("web:machine", args=[laser.pk]), query).status_code == 200
    assert client.get(reverse("web:book", args=[laser.pk]), query).status_code in (200, 302)


def test_bad_prefill_is_ignored(client: Any, member: Any, laser: Any) -> None:
    client.force_login(member)
    for value in (
        "0001-01-01T00:00+14:00",
        "9999-12-31T23:59-12:00",
        "x" * 5000,
        "2027-02-30T10:00",
    ):
        assert client.get(reverse("web:book", args=[laser.pk]), {"start": value}).status_code == 200


def test_a_search_for_two_free_hours_offers_two_hours_and_says_what_they_cost(
    client: Any, member: Any, frozen_now: Any
) -> None:
    # given: a machine open 08:00–18:00 at 60 € an hour, free all day (issue 25, 3)
    machine = MachineFactory(hourly_rate=60, min_notice_hours=0, min_minutes=30)
    client.force_login(member)

    # when: the SME searches two free hours next week
    results = client.get("/machines/", {"available_from": "2027-01-11", "min_free": "120"})

    # then: the first slot's link asks for two hours, not the whole free morning …
    link = re.search(rf'href="(/machines/{machine.pk}/book/\?[^"]+)"', results.content.decode())
    assert link is not None
    form = client.get(link.group(1).replace("&amp;", "&"))
    assert form.context["form"].initial["end"] - form.context["form"].initial["start"] == (
        timedelta(hours=2)
    )
    # … and the form says what the two hours cost before booking
    assert "120,00 € HT pour 2,0 h" in form.content.decode()
