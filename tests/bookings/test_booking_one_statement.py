"""On PostgreSQL a booking's rules query — weekly quota included — and its insert are one
statement (the booking is written only if the query lets the slot through); a slot across two
weeks of a quota, series and SQLite check first, then insert. Both paths must decide every
slot alike: random opening hours (ranges to midnight, touching ranges), closures and bookings
across the clock changes, buffers, quotas, slot lengths, zones — the same answer, the same
booking, and a refusal that leaves nothing."""

import os
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEntry
from bookings.models import Booking, BookingKind, BookingStatus
from bookings.services import booking_create, create
from core.exceptions import DomainError
from platforms.models import ClosureInterval, Machine
from platforms.services import closure_create
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, PlatformFactory, UserFactory
from tests.strategies import opening_range

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("frozen_now")]

# Frozen "now" is Monday 2027-01-04 09:00 in Paris. The nights the clocks change in Europe
# (2027-03-28, 2027-10-31) and at Lord Howe Island, by half an hour (2027-04-04, 2027-10-03).
AROUND = [
    datetime(2027, 3, 27, tzinfo=UTC),
    datetime(2027, 10, 30, tzinfo=UTC),
    datetime(2027, 4, 3, tzinfo=UTC),
    datetime(2027, 1, 11, tzinfo=UTC),
]
ZONES = ["Europe/Paris", "America/Guadeloupe", "Australia/Lord_Howe"]

DAILY = [None, (time(0), time(0)), (time(7), time(20)), (time(6), time(0))]


@st.composite
def world(draw: Any) -> dict[str, Any]:
    slot = draw(st.sampled_from([15, 30, 60]))
    span = st.tuples(st.integers(-24 * 60, 3 * 24 * 60), st.integers(1, 8 * 60))
    return {
        "zone": draw(st.sampled_from(ZONES)),
        "around": draw(st.sampled_from(AROUND)),
        # Random ranges, over the same hours every day (most slots then meet a booking or a
        # closure rather than a closed door), or not.
        "hours": draw(st.lists(opening_range(), max_size=6))
        + [
            (weekday, *daily)
            for daily in [draw(st.sampled_from(DAILY))]
            if daily
            for weekday in range(7)
        ],
        "slot_minutes": slot,
        "buffer_minutes": draw(st.sampled_from([0, 0, 15, 60])),
        "quota": draw(st.sampled_from([None, None, Decimal("1"), Decimal("2.5"), Decimal("6")])),
        "bookings": draw(st.lists(st.tuples(span, st.booleans()), max_size=10)),
        "closures": draw(st.lists(span, max_size=4)),
        # Requests in wall-clock time: (day after the window's start, slot of that day) or
        # (a booking or closure to aim at, slots away from its start); and slots long.
        "requests": draw(
            st.lists(
                st.tuples(
                    st.one_of(
                        st.tuples(
                            st.just("day"), st.integers(0, 2), st.integers(0, 24 * 60 // slot - 1)
                        ),
                        st.tuples(st.just("near"), st.integers(0, 13), st.integers(-4, 4)),
                    ),
                    st.integers(1, 8),
                ),
                min_size=1,
                max_size=6,
            )
        ),
    }


def _build(data: dict[str, Any]) -> tuple[Machine, Any, Any]:
    platform = PlatformFactory(timezone=data["zone"], hours=data["hours"])
    machine = MachineFactory(
        platform=platform,
        slot_minutes=data["slot_minutes"],
        min_minutes=data["slot_minutes"],
        max_minutes=24 * 60,
        min_notice_hours=0,
        max_advance_days=400,
        buffer_minutes=data["buffer_minutes"],
        weekly_quota_hours=data["quota"],
    )
    company = CompanyFactory(validated_at=datetime(2026, 1, 1, tzinfo=UTC))
    staff = UserFactory(is_staff=True)
    taken: list[tuple[datetime, datetime]] = []
    for (offset, length), active in data["bookings"]:
        start = data["around"] + timedelta(minutes=offset)
        end = start + timedelta(minutes=length)
        active = active and not any(s < end and start < e for s, e in taken)
        if active:
            taken.append((start, end))
        Booking.objects.create(
            machine=machine,
            company=company,
            kind=BookingKind.COMPANY,
            start=start,
            end=end,
            status=BookingStatus.CONFIRMED if active else BookingStatus.CANCELLED,
        )
    if data["closures"]:
        closure = closure_create(
            platform=platform,
            user=staff,
            title="Fermeture",
            start=datetime(2030, 1, 1, 8, tzinfo=UTC),
            end=datetime(2030, 1, 1, 9, tzinfo=UTC),
        )
        ClosureInterval.objects.bulk_create(
            ClosureInterval(
                machine=machine,
                closure=closure,
                start=data["around"] + timedelta(minutes=offset),
                end=data["around"] + timedelta(minutes=offset + length),
            )
            for offset, length in data["closures"]
        )
    return machine, company, staff


def _request(
    data: dict[str, Any], machine: Machine, where: tuple[str, int, int], length: int
) -> tuple[datetime, datetime]:
    """A requested slot in the platform's wall-clock time, on the machine's grid."""
    tz, slot = machine.platform.tz, timedelta(minutes=data["slot_minutes"])
    kind, first, second = where
    spans = [span for span, _active in data["bookings"]] + data["closures"]
    if kind == "day" or not spans:
        day = data["around"].astimezone(tz).date() + timedelta(days=first % 3)
        start = datetime.combine(day, time()) + slot * (second if kind == "day" else 0)
    else:
        offset, _length = spans[first % len(spans)]
        aimed = (data["around"] + timedelta(minutes=offset)).astimezone(tz).replace(tzinfo=None)
        midnight = datetime.combine(aimed.date(), time())
        start = midnight + slot * ((aimed - midnight) // slot + second)
    return start, start + slot * length


def _attempt(machine: Machine, company: Any, user: Any, start: datetime, end: datetime) -> Any:
    """What booking the slot answers, then undone: the code refused, or the booking's row."""
    with transaction.atomic():
        try:
            booking = booking_create(
                machine=machine.pk, company=company.pk, user=user, start=start, end=end
            )
        except DomainError as error:
            answer: Any = error.code
        else:
            answer = Booking.objects.filter(pk=booking.pk).values_list(
                "start", "end", "status", "price"
            )[0]
            assert (
                AuditEntry.objects.filter(object_type="booking", object_id=str(booking.pk)).count()
                == 1
            )
        transaction.set_rollback(True)
    return answer


@settings(
    max_examples=int(os.environ.get("BOOKING_PATH_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world())
def test_one_statement_and_check_then_insert_decide_every_slot_alike(
    data: dict[str, Any], monkeypatch: Any
) -> None:
    with transaction.atomic():
        # given
        machine, company, staff = _build(data)
        requests = [_request(data, machine, *request) for request in data["requests"]]
        bookings = Booking.objects.count()

        # when
        in_one = [_attempt(machine, company, staff, start, end) for start, end in requests]
        with monkeypatch.context() as patched:
            patched.setattr(create, "_in_one_statement", lambda *args: False)
            checked_first = [
                _attempt(machine, company, staff, start, end) for start, end in requests
            ]

        # then
        assert in_one == checked_first
        assert Booking.objects.count() == bookings
        transaction.set_rollback(True)


def test_a_slot_taken_by_another_booking_is_refused_by_the_one_statement_and_leaves_nothing(
    member: Any,
) -> None:
    machine = MachineFactory(buffer_minutes=60)
    first = booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=paris(2027, 1, 6, 10),
        end=paris(2027, 1, 6, 11),
    )
    entries = AuditEntry.objects.count()

    with CaptureQueriesContext(connection) as queries, pytest.raises(DomainError) as refused:
        booking_create(  # within the buffer after the first booking
            machine=machine,
            company=member.company,
            user=member,
            start=paris(2027, 1, 6, 11, 30),
            end=paris(2027, 1, 6, 12),
        )

    statements = [" ".join(q["sql"].split()[:3]) for q in queries.captured_queries]
    assert refused.value.code == "slot_unavailable"
    # The lock, the rules' query with the insert that did not happen, and no second query.
    assert sum(s.startswith("WITH state AS") for s in statements) == 1, statements
    assert not any(s.startswith("SELECT EXISTS") for s in statements), statements
    # It wrote nothing: the transaction ends as a success would (no rollback, which would make
    # psycopg forget the connection's prepared statements).
    assert not any(s.startswith("ROLLBACK") for s in statements), statements
    assert list(Booking.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditEntry.objects.count() == entries


def test_the_weekly_quota_is_answered_in_the_same_statement(member: Any) -> None:
    machine = MachineFactory(weekly_quota_hours=Decimal("3.00"))
    book = lambda start, end: booking_create(  # noqa: E731
        machine=machine, company=member.company, user=member, start=start, end=end
    )
    book(paris(2027, 1, 5, 10), paris(2027, 1, 5, 11, 30))  # Tuesday: 1.5 h of the week

    with CaptureQueriesContext(connection) as queries, pytest.raises(DomainError) as refused:
        book(paris(2027, 1, 6, 10), paris(2027, 1, 6, 12))  # Wednesday: 2 h more

    statements = [" ".join(q["sql"].split()[:3]) for q in queries.captured_queries]
    assert refused.value.code == "quota_exceeded"
    assert "1.5" in refused.value.detail  # the hours used, for the message: read on refusal
    assert sum(s.startswith("WITH state AS") for s in statements) == 1, statements
    assert not any(s.startswith("ROLLBACK") for s in statements), statements
    assert Booking.objects.count() == 1
    with CaptureQueriesContext(connection) as queries:
        book(paris(2027, 1, 6, 10), paris(2027, 1, 6, 11, 30))  # exactly the 3 h
    written = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT m.")]
    # After the lock, the one statement that checks and writes, and the confirmation put in
    # the outbox: no other query.
    assert [sql.split()[0] for sql in written if "SAVEPOINT" not in sql] == ["WITH", "INSERT"]
    assert Booking.objects.count() == 2


def test_a_slot_across_two_weeks_of_a_quota_is_checked_then_inserted(member: Any) -> None:
    machine = MachineFactory(
        weekly_quota_hours=Decimal("10.00"), max_minutes=24 * 60, min_notice_hours=0
    )
    machine.platform.opening_hours.update(opens=time(0), closes=time(0))

    with CaptureQueriesContext(connection) as queries:
        booking = booking_create(  # Sunday 22:00 to Monday 02:00: 2 h in each week
            machine=machine,
            company=member.company,
            user=member,
            start=paris(2027, 1, 10, 22),
            end=paris(2027, 1, 11, 2),
        )

    statements = [" ".join(q["sql"].split()[:3]) for q in queries.captured_queries]
    assert booking.pk
    assert not any(s.startswith("WITH state AS") for s in statements), statements
    assert any(s.startswith("WITH new AS") for s in statements), statements


def test_the_rules_query_refuses_to_leave_a_quota_across_two_weeks_unanswered() -> None:
    """``SLOT_FREE`` lets an unanswered quota through: asking the query for a quota it cannot
    sum in one week is a programming error, not a slot let through."""
    from bookings.selectors import slot_state_query

    machine = MachineFactory(weekly_quota_hours=Decimal("10.00"))
    sunday_night = (paris(2027, 1, 10, 22), paris(2027, 1, 11, 2))

    with pytest.raises(ValueError, match="two local weeks"):
        slot_state_query(machine, *sunday_night, quota_of=1)
    sql, _params = slot_state_query(machine, *sunday_night)  # no quota asked: fine
    assert "NULL AS boolean" in sql
