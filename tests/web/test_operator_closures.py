"""Closures and maintenance in plain words: the bookings covered are listed before placing,
placing tells the companies, and another platform's closures are out of reach."""

from typing import Any

import pytest
from django.urls import reverse
from schedule.models import Event, Rule

from accounts.models import AuditEntry
from bookings.models import BookingStatus
from bookings.services import booking_create
from notifications.models import Message, MessageKind
from platforms.models import Closure, ClosureInterval
from tests.conftest import paris
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db

WEEKLY = {
    "kind": "maintenance",
    "title": "Entretien hebdomadaire",
    "first_day": "2027-01-11",
    "opens": "08:00",
    "closes": "10:00",
    "repeat": "weekly",
    "weekdays": ["MO"],
    "until": "2027-06-30",
    "reason": "Nettoyage des optiques",
}


@pytest.fixture
def setup(db: Any, make_member: Any) -> dict[str, Any]:
    operator = UserFactory()
    machine = MachineFactory(name="Laser A", min_notice_hours=0)
    machine.platform.operators.add(operator)
    member = make_member()
    booking = booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=paris(2027, 1, 18, 9),
        end=paris(2027, 1, 18, 10),
    )
    return {"operator": operator, "machine": machine, "member": member, "booking": booking}


def test_preview_lists_covered_bookings_and_writes_nothing(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    client.force_login(setup["operator"])
    url = reverse("web:operator-closures", args=[setup["machine"].platform.pk])
    answer = client.post(url, {**WEEKLY, "machine": setup["machine"].pk, "action": "preview"})
    assert answer.status_code == 200
    assert [b.pk for b in answer.context["covered"]] == [setup["booking"].pk]
    assert not Closure.objects.exists() and not ClosureInterval.objects.exists()
    assert not Message.objects.filter(kind=MessageKind.BOOKING_CLOSURE).exists()
    assert not Event.objects.exists() and not Rule.objects.exists()
    assert not AuditEntry.objects.filter(action="closure.placed").exists()


def test_placing_a_weekly_maintenance_tells_the_company_and_lists_its_booking(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    client.force_login(setup["operator"])
    url = reverse("web:operator-closures", args=[setup["machine"].platform.pk])
    answer = client.post(url, {**WEEKLY, "machine": setup["machine"].pk, "action": "save"})
    closure = Closure.objects.get()
    assert answer.status_code == 302
    assert closure.event.rule.frequency == "WEEKLY" and closure.event.rule.params == "byweekday:MO"
    # every Monday 08:00–10:00 local, the first on 11 January
    first = ClosureInterval.objects.order_by("start").first()
    assert first.start == paris(2027, 1, 11, 8) and first.end == paris(2027, 1, 11, 10)
    assert Message.objects.filter(
        kind=MessageKind.BOOKING_CLOSURE, booking=setup["booking"]
    ).exists()
    page = client.get(reverse("web:operator-closure", args=[closure.pk]))
    assert [b.pk for b in page.context["covered"]] == [setup["booking"].pk]
    # the operator cancels it with a reason from there
    client.post(
        reverse("web:operator-booking", args=[setup["booking"].pk]),
        {"action": "cancel", "reason": "Maintenance"},
    )
    setup["booking"].refresh_from_db()
    assert setup["booking"].status == BookingStatus.CANCELLED


def test_first_tuesday_of_the_month_and_a_closure_of_several_days(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    client.force_login(setup["operator"])
    url = reverse("web:operator-closures", args=[setup["machine"].platform.pk])
    client.post(
        url,
        {
            "kind": "maintenance",
            "title": "Étalonnage",
            "first_day": "2027-02-02",
            "opens": "14:00",
            "closes": "16:00",
            "repeat": "monthly",
            "nth": "1",
            "nth_weekday": "TU",
            "until": "2027-05-31",
            "action": "save",
        },
    )
    client.post(
        url,
        {
            "kind": "closure",
            "title": "Fêtes",
            "first_day": "2027-12-24",
            "last_day": "2027-12-26",
            "opens": "00:00",
            "closes": "23:59",
            "action": "save",
        },
    )
    monthly = Closure.objects.get(event__title="Étalonnage")
    starts = list(
        ClosureInterval.objects.filter(closure=monthly)
        .order_by("start")
        .values_list("start", flat=True)
    )
    # expanded up to the machine's 90-day horizon: the first Tuesdays of February and March
    assert starts == [paris(2027, 2, 2, 14), paris(2027, 3, 2, 14)]
    holidays = Closure.objects.get(event__title="Fêtes")
    assert holidays.event.rule is None and holidays.machine is None
    assert holidays.event.end == paris(2027, 12, 26, 23, 59)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"closes": "07:00"}, "closes"),
        ({"until": "2026-01-01"}, "until"),
        ({"first_day": "0001-01-01"}, "first_day"),
        ({"repeat": "monthly", "nth": ""}, "nth"),
    ],
)
def test_closure_form_refusals(
    client: Any, setup: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    client.force_login(setup["operator"])
    url = reverse("web:operator-closures", args=[setup["machine"].platform.pk])
    answer = client.post(url, {**WEEKLY, **change, "action": "save"})
    assert answer.status_code == 422 and field in answer.context["form"].errors
    assert not Closure.objects.exists()


def test_another_platforms_closures_are_out_of_reach(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    other = MachineFactory()
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    client.post(
        reverse("web:operator-closures", args=[other.platform.pk]), {**WEEKLY, "action": "save"}
    )
    theirs = Closure.objects.get()
    client.force_login(setup["operator"])
    assert client.get(reverse("web:operator-closures", args=[other.platform.pk])).status_code == 404
    assert client.get(reverse("web:operator-closure", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("web:operator-closure-remove", args=[theirs.pk])).status_code == 404
    first = int(paris(2027, 1, 11, 8).timestamp())
    skip = {"original": first, "action": "skip"}
    occurrence = reverse("web:operator-closure-occurrence", args=[theirs.pk])
    assert client.post(occurrence, skip).status_code == 404
    assert Closure.objects.filter(pk=theirs.pk).exists()
    assert ClosureInterval.objects.filter(closure=theirs, start=paris(2027, 1, 11, 8)).exists()


def _weekly(client: Any, setup: dict[str, Any]) -> Closure:
    client.force_login(setup["operator"])
    client.post(
        reverse("web:operator-closures", args=[setup["machine"].platform.pk]),
        {**WEEKLY, "machine": setup["machine"].pk, "action": "save"},
    )
    return Closure.objects.get()


def test_one_occurrence_is_skipped_and_its_time_is_bookable_again(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    closure = _weekly(client, setup)
    page = client.get(reverse("web:operator-closure", args=[closure.pk]))
    rows = page.context["occurrences"]
    assert [row.start for row in rows[:2]] == [paris(2027, 1, 11, 8), paris(2027, 1, 18, 8)]
    answer = client.post(
        reverse("web:operator-closure-occurrence", args=[closure.pk]),
        {"original": rows[1].key, "action": "skip"},
    )
    assert answer.status_code == 302
    starts = list(ClosureInterval.objects.order_by("start").values_list("start", flat=True)[:2])
    assert starts == [paris(2027, 1, 11, 8), paris(2027, 1, 25, 8)]
    again = client.get(reverse("web:operator-closure", args=[closure.pk]))
    assert again.context["occurrences"][1].cancelled and "ignorée" in again.content.decode()
    # the booking of 18 January is no longer covered
    assert again.context["covered"] == []


def test_one_occurrence_is_moved_and_the_covered_company_is_told(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    closure = _weekly(client, setup)
    Message.objects.all().delete()
    url = reverse("web:operator-closure-occurrence", args=[closure.pk])
    first = int(paris(2027, 1, 11, 8).timestamp())
    missing_end = client.post(
        url, {"original": first, "action": "move", "start": "2027-01-18T09:00"}
    )
    backwards = client.post(
        url,
        {
            "original": first,
            "action": "move",
            "start": "2027-01-18T10:00",
            "end": "2027-01-18T09:00",
        },
    )
    unknown = client.post(
        url,
        {
            "original": first + 3600,
            "action": "move",
            "start": "2027-01-18T09:00",
            "end": "2027-01-18T10:00",
        },
    )
    assert ClosureInterval.objects.order_by("start").first().start == paris(2027, 1, 11, 8)
    moved = client.post(
        url,
        {
            "original": first,
            "action": "move",
            "start": "2027-01-12T09:00",
            "end": "2027-01-12T11:00",
        },
    )
    assert [r.status_code for r in (missing_end, backwards, unknown, moved)] == [302] * 4
    first_interval = ClosureInterval.objects.order_by("start").first()
    assert (first_interval.start, first_interval.end) == (
        paris(2027, 1, 12, 9),
        paris(2027, 1, 12, 11),
    )
    # moved over nobody's booking: no one told; moved over the 18 January booking: told
    assert not Message.objects.exists()
    client.post(
        url,
        {
            "original": int(paris(2027, 1, 25, 8).timestamp()),
            "action": "move",
            "start": "2027-01-18T09:00",
            "end": "2027-01-18T09:30",
        },
    )
    assert Message.objects.filter(
        kind=MessageKind.BOOKING_CLOSURE, booking=setup["booking"]
    ).exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"original": "x", "action": "skip"},
        {"original": "-99999999999999", "action": "skip"},
        {"original": "99999999999999999999", "action": "move"},
        {"original": "1800000000", "action": "explode"},
        {
            "original": "1800000000",
            "action": "move",
            "start": "0001-01-01T00:00",
            "end": "9999-12-31T23:59",
        },
    ],
)
def test_hostile_occurrence_posts_change_nothing(
    client: Any, setup: dict[str, Any], frozen_now: Any, data: dict[str, str]
) -> None:
    closure = _weekly(client, setup)
    before = list(ClosureInterval.objects.values_list("start", "end"))
    answer = client.post(reverse("web:operator-closure-occurrence", args=[closure.pk]), data)
    assert answer.status_code == 302
    assert list(ClosureInterval.objects.values_list("start", "end")) == before
