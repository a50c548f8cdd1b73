"""The network search (one PostgreSQL statement) finds, for every machine at once, the free
slots each machine's own week shows (``machine_availability`` and ``bookable_slots``: the
interval arithmetic in Python, machine by machine) on the same data: random opening hours
(minutes off the grid, ranges to midnight, overlapping ranges), closures and bookings across
the clock changes, buffers, notices, horizons, slot lengths and zones."""

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, BookingKind, BookingStatus
from bookings.selectors import bookable_slots, machine_availability, machines_search
from platforms.models import ClosureInterval, Machine, OpeningHours
from platforms.services import closure_create
from tests.factories import CompanyFactory, MachineFactory, PlatformFactory, UserFactory
from tests.strategies import opening_range

pytestmark = [pytest.mark.django_db]

# The nights the clocks change in Europe (2027-03-28, 2027-10-31) and at Lord Howe Island,
# whose clocks move by half an hour (2027-04-04, 2027-10-03).
AROUND = [
    datetime(2027, 3, 26, tzinfo=UTC),
    datetime(2027, 10, 29, tzinfo=UTC),
    datetime(2027, 4, 2, tzinfo=UTC),
    datetime(2027, 10, 1, tzinfo=UTC),
    datetime(2027, 1, 11, tzinfo=UTC),
]
ZONES = ["Europe/Paris", "Europe/Paris", "America/Guadeloupe", "Australia/Lord_Howe"]
SLOTS = [15, 30, 45, 60, 90, 120, 180, 240]
ACTIVE = [BookingStatus.PENDING, BookingStatus.CONFIRMED]
INACTIVE = [BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.COMPLETED]


@st.composite
def world(draw: Any) -> dict[str, Any]:
    around = draw(st.sampled_from(AROUND))
    window_start = around + timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))
    return {
        "zone": draw(st.sampled_from(ZONES)),
        "hours": draw(st.lists(opening_range(), min_size=0, max_size=10)),
        "machines": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "slot_minutes": st.sampled_from(SLOTS),
                        "buffer_minutes": st.sampled_from([0, 0, 10, 15, 30, 60]),
                        "min_minutes": st.sampled_from([15, 30, 60, 120, 240]),
                        "min_notice_hours": st.integers(0, 48),
                        "max_advance_days": st.integers(1, 10),
                    }
                ),
                min_size=1,
                max_size=3,
            )
        ),
        # (machine index, offset from the window's start in minutes, length in minutes)
        "bookings": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 2),
                    st.integers(-24 * 60, 8 * 24 * 60),
                    st.integers(1, 10 * 60),
                    st.booleans(),
                ),
                max_size=25,
            )
        ),
        "closures": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 2),
                    st.integers(-24 * 60, 8 * 24 * 60),
                    st.integers(1, 2 * 24 * 60),
                ),
                max_size=6,
            )
        ),
        "start": window_start,
        "days": draw(st.integers(1, 8)),
        "now": window_start + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 2 * 24 * 60))),
        "min_free": draw(st.sampled_from([0, 0, 30, 60, 90, 180])),
        "slots_per_machine": draw(st.integers(1, 4)),
    }


def _build(data: dict[str, Any]) -> None:
    platform = PlatformFactory(timezone=data["zone"], hours=data["hours"])
    machines = [MachineFactory(platform=platform, **rules) for rules in data["machines"]]
    company = CompanyFactory()
    # Active bookings of one machine never overlap (the exclusion constraint): keep the first
    # of any that would; others (cancelled, completed…) may.
    taken: dict[int, list[tuple[datetime, datetime]]] = {}
    rows = []
    for index, offset, length, active in data["bookings"]:
        machine = machines[index % len(machines)]
        start = data["start"] + timedelta(minutes=offset)
        end = start + timedelta(minutes=length)
        spans = taken.setdefault(machine.pk, [])
        if active and any(s < end and start < e for s, e in spans):
            active = False
        if active:
            spans.append((start, end))
        status = ACTIVE[offset % 2] if active else INACTIVE[offset % 3]
        rows.append(
            Booking(
                machine=machine,
                company=company,
                kind=BookingKind.COMPANY,
                start=start,
                end=end,
                status=status,
            )
        )
    Booking.objects.bulk_create(rows)
    if data["closures"]:
        closure = closure_create(
            platform=platform,
            user=UserFactory(is_staff=True),
            title="Fermeture",
            start=datetime(2030, 1, 1, 8, tzinfo=UTC),
            end=datetime(2030, 1, 1, 9, tzinfo=UTC),
        )
        ClosureInterval.objects.bulk_create(
            ClosureInterval(
                machine=machines[index % len(machines)],
                closure=closure,
                start=data["start"] + timedelta(minutes=offset),
                end=data["start"] + timedelta(minutes=offset + length),
            )
            for index, offset, length in data["closures"]
        )


def _machine_by_machine(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    min_free_minutes: int = 0,
    slots_per_machine: int = 3,
) -> list[tuple[int, list[Any]]]:
    """What each machine's week offers, in the search's order."""
    found = []
    for machine in Machine.objects.filter(active=True).select_related("platform"):
        slots = bookable_slots(
            machine_availability(machine=machine, start=start, end=end),
            min_minutes=min_free_minutes,
            now=now,
            limit=slots_per_machine,
        )
        if slots:
            found.append(((slots[0][0], machine.platform.name, machine.name), machine.pk, slots))
    return [(pk, slots) for _order, pk, slots in sorted(found)]


@settings(
    max_examples=int(os.environ.get("SEARCH_PATH_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world())
def test_the_search_finds_what_each_machines_week_shows(data: dict[str, Any]) -> None:
    with transaction.atomic():
        # given
        _build(data)
        criteria = {
            "start": data["start"],
            "end": data["start"] + timedelta(days=data["days"]),
            "now": data["now"],
            "min_free_minutes": data["min_free"],
            "slots_per_machine": data["slots_per_machine"],
        }

        # when
        found = machines_search(**criteria)

        # then
        assert [(r.machine_id, r.first_free) for r in found] == _machine_by_machine(**criteria)
        transaction.set_rollback(True)


def test_the_search_and_the_weeks_agree_on_a_plain_week_too(db: Any) -> None:
    """A fixed case that always has results, so the comparison above is never only of empty
    lists: machines open every day, one booked, one closed for a morning."""
    # given
    platform = PlatformFactory()
    laser, cnc = MachineFactory(platform=platform), MachineFactory(platform=platform)
    start = datetime(2027, 1, 11, tzinfo=UTC)
    Booking.objects.create(
        machine=laser,
        company=CompanyFactory(),
        start=start + timedelta(hours=8),
        end=start + timedelta(hours=10),
    )
    assert OpeningHours.objects.filter(platform=platform).count() == 7
    criteria = {"start": start, "end": start + timedelta(days=7), "now": start}

    # when
    found = machines_search(**criteria)

    # then
    assert sorted(r.machine_id for r in found) == sorted([cnc.pk, laser.pk])
    assert [(r.machine_id, r.first_free) for r in found] == _machine_by_machine(**criteria)
    assert all(len(result.first_free) == 3 for result in found)
