"""Many people click "book" on the same slot at the same moment: exactly one wins.

Each thread has its own database connection (Django's are per thread) and closes it; a barrier
releases them together. Transactional tests, since the threads must see each other's commits.
"""

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from bookings.services import context, rules
from bookings.services import create as create_services
from core.exceptions import DomainError
from platforms.models import Machine
from tests.factories import MachineFactory, MembershipFactory


def _slot() -> tuple[datetime, datetime]:
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(datetime.combine(day, time(10, 0)))
    return start, start + timedelta(hours=2)


def _race(machine, users, start, end, spans=None) -> list[str]:
    """Every user books at once: [start, end), or the span of ``spans`` at the user's index."""
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()
    spans = spans or [(start, end)] * len(users)

    def attempt(user, span) -> None:
        try:
            barrier.wait(timeout=30)
            services.booking_create(
                machine=machine, company=user.company, user=user, start=span[0], end=span[1]
            )
            outcome = "booked"
        except DomainError as error:
            outcome = error.code
        except Exception as error:  # anything else is a defect the assertion must show
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=attempt, args=(user, span))
        for user, span in zip(users, spans, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _unlocked(machine) -> Machine:
    """The machine as the service reads it, without the row lock."""
    return Machine.objects.select_related("platform").get(pk=machine.pk)


def _members(count: int) -> list:
    users = []
    for _ in range(count):
        membership = MembershipFactory()
        membership.user.company = membership.company
        users.append(membership.user)
    return users


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_for_one_slot_make_one_booking_on_postgresql():
    # given
    machine = MachineFactory()
    users = _members(50)
    start, end = _slot()

    # when
    outcomes = _race(machine, users, start, end)

    # then
    assert sorted(set(outcomes)) == ["booked", "slot_unavailable"], outcomes
    assert outcomes.count("booked") == 1
    assert outcomes.count("slot_unavailable") == 49
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_slots_within_each_others_buffer_make_one_booking():
    """The exclusion constraint does not know the machine's buffer: only the lock, and the
    rules reading after it, keep two slots half an hour apart from both being booked on a
    machine that needs an hour between bookings."""
    # given
    machine = MachineFactory(buffer_minutes=60)
    users = _members(20)
    start, end = _slot()
    later = (end + timedelta(minutes=30), end + timedelta(minutes=90))
    spans = [(start, end) if index % 2 else later for index in range(len(users))]

    # when
    outcomes = _race(machine, users, start, end, spans=spans)

    # then
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("slot_unavailable") == 19, outcomes
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_companys_concurrent_requests_stop_at_its_weekly_quota():
    """Ten members of one company book ten separate hours at once on a machine that allows it
    two hours a week: the quota, read after the lock, counts each booking committed before —
    two booked, eight refused."""
    # given
    machine = MachineFactory(weekly_quota_hours=Decimal("2.00"))
    company = MembershipFactory().company
    users = []
    for _ in range(10):
        membership = MembershipFactory(company=company)
        membership.user.company = company
        users.append(membership.user)
    start, _end = _slot()
    spans = [
        (start + timedelta(hours=2 * index), start + timedelta(hours=2 * index, minutes=60))
        for index in range(4)
    ] * 3

    # when
    outcomes = _race(machine, users, start, start, spans=spans[:10])

    # then
    assert outcomes.count("booked") == 2, outcomes
    assert sorted(set(outcomes) - {"booked"}) in (
        ["quota_exceeded"],
        ["quota_exceeded", "slot_unavailable"],
    ), outcomes
    assert Booking.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_without_the_service_check_the_constraint_alone_refuses_overlaps(monkeypatch):
    # given: the service neither locks the machine nor looks for conflicts
    monkeypatch.setattr(context, "lock_machine", lambda machine: _unlocked(machine))
    monkeypatch.setattr(create_services, "lock_machine", lambda machine: _unlocked(machine))
    monkeypatch.setattr(
        rules, "RULES", tuple(rule for rule in rules.RULES if rule is not rules.free)
    )
    machine = MachineFactory()
    users = _members(20)
    start, end = _slot()

    # when
    outcomes = _race(machine, users, start, end)

    # then: the exclusion constraint refused every other insert: as slot_unavailable, or as
    # busy when concurrent insertions into the constraint's index wait on one another and
    # PostgreSQL breaks the deadlock (what the machine lock, disabled here, prevents)
    assert outcomes.count("booked") == 1, outcomes
    assert sorted(set(outcomes) - {"booked"}) in (
        ["slot_unavailable"],
        ["busy"],
        ["busy", "slot_unavailable"],
    ), outcomes
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_an_overlapping_insert_made_behind_the_service():
    machine = MachineFactory()
    company = MembershipFactory().company
    start, end = _slot()
    Booking.objects.create(machine=machine, company=company, start=start, end=end)

    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        Booking.objects.create(
            machine=machine,
            company=company,
            start=start + timedelta(minutes=30),
            end=end + timedelta(minutes=30),
        )

    assert "booking_no_overlap" in str(raised.value)
    # A cancelled booking may overlap: the constraint covers active bookings only.
    Booking.objects.create(
        machine=machine, company=company, start=start, end=end, status="cancelled"
    )
    assert Booking.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_companys_concurrent_requests_stop_at_its_daily_limit():
    """Ten members of one company book separate hours of one day at once on a machine that
    allows it three hours a day: three booked, seven refused — the limit read after the lock."""
    # given
    machine = MachineFactory(daily_quota_hours=Decimal("3.00"))
    company = MembershipFactory().company
    users = []
    for _ in range(10):
        membership = MembershipFactory(company=company)
        membership.user.company = company
        users.append(membership.user)
    day = timezone.localdate() + timedelta(days=3)
    first = timezone.make_aware(datetime.combine(day, time(8, 0)))
    spans = [
        (first + timedelta(hours=index), first + timedelta(hours=index + 1)) for index in range(10)
    ]

    # when
    outcomes = _race(machine, users, first, first, spans=spans)

    # then
    assert outcomes.count("booked") == 3, outcomes
    assert set(outcomes) - {"booked"} == {"daily_quota_exceeded"}, outcomes
    assert Booking.objects.count() == 3
