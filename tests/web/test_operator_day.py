"""The platform's day by half hours (``/operator/platforms/<id>/?day=``): bookings span the
columns they cover, free half hours lead to booking from that time, closures and hours outside
opening are marked; a fixed number of queries; other platforms are not found."""

from datetime import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.services import booking_block, booking_create
from platforms.services import closure_create
from tests.conftest import paris
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db: Any, make_member: Any) -> dict[str, Any]:
    operator = UserFactory()
    machine = MachineFactory(name="Laser A", min_notice_hours=0)
    machine.platform.operators.add(operator)
    return {
        "operator": operator,
        "machine": machine,
        "other": MachineFactory(name="Robot C", min_notice_hours=0),
        "member": make_member(),
    }


def _day(client: Any, setup: dict[str, Any], day: str, machine: str = "machine") -> Any:
    client.force_login(setup["operator"])
    return client.get(
        reverse("web:operator-platform", args=[setup[machine].platform.pk]), {"day": day}
    )


def _states(page: Any) -> list[tuple[str, int]]:
    [(_, segments)] = page.context["grid"].rows
    return [(segment.state, segment.columns) for segment in segments]


def test_a_booking_spans_its_half_hours_and_free_ones_lead_to_booking(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    booking_create(
        machine=setup["machine"],
        company=setup["member"].company,
        user=setup["member"],
        start=paris(2027, 1, 6, 10),
        end=paris(2027, 1, 6, 11, 30),
    )
    page = _day(client, setup, "2027-01-06")
    text = page.content.decode()
    # 08:00–18:00 in half hours: four free, the booking over three, fourteen free
    assert _states(page) == [("free", 1)] * 4 + [("booking", 3)] + [("free", 1)] * 13
    assert setup["member"].company.name in text and "10:00–11:30" in text
    book = reverse("web:operator-book", args=[setup["machine"].pk])
    assert f"{book}?day=2027-01-06&amp;time=14:30" in text
    form = client.get(book, {"day": "2027-01-06", "time": "14:30"})
    assert 'value="2027-01-06T14:30"' in form.content.decode()
    assert 'value="2027-01-06T15:30"' in form.content.decode()


def test_past_half_hours_closures_and_closed_hours_are_not_offered(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    closure_create(
        platform=setup["machine"].platform,
        user=setup["operator"],
        title="Entretien",
        start=paris(2027, 1, 4, 12),
        end=paris(2027, 1, 4, 14),
        machine=setup["machine"],
    )
    # frozen at Monday 09:00: 08:00 and 08:30 are past
    page = _day(client, setup, "2027-01-04")
    assert _states(page) == (
        [("past", 2)] + [("free", 1)] * 6 + [("closed", 4)] + [("free", 1)] * 8
    )


def test_a_booking_outside_opening_hours_widens_the_day(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    setup["machine"].platform.opening_hours.update(closes=time(12))
    booking_block(
        machine=setup["machine"],
        user=setup["operator"],
        start=paris(2027, 1, 6, 18),
        end=paris(2027, 1, 6, 19),
        note="Étalonnage",
    )
    page = _day(client, setup, "2027-01-06")
    columns = page.context["grid"].columns
    assert (columns[0][0], columns[-1][0]) == (time(8), time(18, 30))
    assert _states(page)[-2:] == [("shut", 12), ("booking", 2)]


def test_the_spring_change_day_keeps_local_hours(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    # 28 March 2027: Paris goes from 02:00 to 03:00; the day still opens 08:00–18:00
    page = _day(client, setup, "2027-03-28")
    grid = page.context["grid"]
    assert grid.columns[0][0] == time(8) and len(grid.columns) == 20
    [(_, segments)] = grid.rows
    assert segments[0].start == paris(2027, 3, 28, 8)


def test_day_queries_do_not_grow_with_machines_and_bookings(
    client: Any, setup: dict[str, Any], frozen_now: Any
) -> None:
    platform = setup["machine"].platform
    counts = []
    for machines in (2, 30):
        while platform.machines.count() < machines:
            extra = MachineFactory(platform=platform, min_notice_hours=0)
            for hour in (9, 14):
                booking_create(
                    machine=extra,
                    company=setup["member"].company,
                    user=setup["member"],
                    start=paris(2027, 1, 7, hour),
                    end=paris(2027, 1, 7, hour + 1),
                )
        _day(client, setup, "2027-01-07")
        with CaptureQueriesContext(connection) as queries:
            _day(client, setup, "2027-01-07")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_another_platforms_day_is_not_found(client: Any, setup: dict[str, Any]) -> None:
    assert _day(client, setup, "2027-01-06", machine="other").status_code == 404


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "x", "2027-02-30", ""])
def test_a_day_that_cannot_be_read_shows_the_week(
    client: Any, setup: dict[str, Any], value: str
) -> None:
    page = _day(client, setup, value)
    assert page.status_code == 200 and "rows" in page.context and "grid" not in page.context
    assert "pu être lu" in page.content.decode()
