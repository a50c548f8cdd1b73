"""Closures and maintenance: django-scheduler events expanded into intervals, read by the rules."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bookings import exceptions as exc
from bookings.selectors import bookings_affected_by_closure, machine_availability
from bookings.services import booking_create
from platforms.exceptions import ClosureNotAllowed
from platforms.models import ClosureInterval, ClosureKind
from platforms.services import (
    closure_create,
    closure_delete,
    closure_intervals_rebuild_all,
    closure_occurrence_cancel,
    closure_occurrence_move,
)
from tests.conftest import paris
from tests.factories import MachineFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def book(machine, member, start, end):
    return booking_create(
        machine=machine, company=member.company, user=member, start=start, end=end
    )


def test_a_booking_inside_a_one_off_closure_is_refused_as_closed(machine, operator, member):
    closure_create(
        platform=machine.platform,
        machine=machine,
        user=operator,
        title="Remplacement du tube laser",
        start=paris(2027, 1, 6, 8),
        end=paris(2027, 1, 6, 12),
        kind=ClosureKind.MAINTENANCE,
    )

    with pytest.raises(exc.Closed) as raised:
        book(machine, member, paris(2027, 1, 6, 11), paris(2027, 1, 6, 13))

    assert raised.value.code == "closed"
    assert book(machine, member, paris(2027, 1, 6, 12), paris(2027, 1, 6, 13)).pk


def test_a_platform_closure_closes_every_machine_even_one_added_later(machine, operator, member):
    closure_create(
        platform=machine.platform,
        user=operator,
        title="Inventaire annuel",
        start=paris(2027, 1, 7, 0),
        end=paris(2027, 1, 8, 0),
    )
    later = MachineFactory(platform=machine.platform)

    for target in (machine, later):
        with pytest.raises(exc.Closed):
            book(target, member, paris(2027, 1, 7, 10), paris(2027, 1, 7, 11))
    other_platform = MachineFactory()
    assert book(other_platform, member, paris(2027, 1, 7, 10), paris(2027, 1, 7, 11)).pk


def test_a_weekly_maintenance_stays_at_eight_local_across_the_spring_change(operator):
    machine = operator.operated_platforms.get().machines.get()
    machine.max_advance_days = 120
    machine.save()
    closure_create(
        platform=machine.platform,
        machine=machine,
        user=operator,
        title="Maintenance hebdomadaire",
        start=datetime(2027, 3, 15, 8, 0),  # a Monday, winter time
        end=datetime(2027, 3, 15, 10, 0),
        frequency="WEEKLY",
    )

    availability = machine_availability(
        machine=machine, start=paris(2027, 3, 20), end=paris(2027, 4, 6)
    )

    assert availability.closed == [
        (datetime(2027, 3, 22, 7, tzinfo=UTC), datetime(2027, 3, 22, 9, tzinfo=UTC)),  # CET
        (datetime(2027, 3, 29, 6, tzinfo=UTC), datetime(2027, 3, 29, 8, tzinfo=UTC)),  # CEST
        (datetime(2027, 4, 5, 6, tzinfo=UTC), datetime(2027, 4, 5, 8, tzinfo=UTC)),
    ]


def test_every_first_monday_of_the_month(machine, operator):
    closure_create(
        platform=machine.platform,
        machine=machine,
        user=operator,
        title="Étalonnage mensuel",
        start=paris(2027, 1, 4, 13),
        end=paris(2027, 1, 4, 17),
        frequency="MONTHLY",
        params="byweekday:MO;bysetpos:1",
    )

    closed = machine_availability(
        machine=machine, start=paris(2027, 1, 5), end=paris(2027, 4, 1)
    ).closed

    assert [
        start.astimezone(paris(2027, 1, 1).tzinfo).date().isoformat() for start, _ in closed
    ] == [
        "2027-02-01",
        "2027-03-01",
    ]


def test_a_cancelled_occurrence_reopens_its_slot_and_only_that_one(machine, operator, member):
    closure = closure_create(
        platform=machine.platform,
        machine=machine,
        user=operator,
        title="Maintenance",
        start=paris(2027, 1, 6, 8),
        end=paris(2027, 1, 6, 10),
        frequency="WEEKLY",
    )

    closure_occurrence_cancel(closure=closure, user=operator, original_start=paris(2027, 1, 13, 8))

    assert book(machine, member, paris(2027, 1, 13, 8), paris(2027, 1, 13, 10)).pk
    with pytest.raises(exc.Closed):
        book(machine, member, paris(2027, 1, 20, 8), paris(2027, 1, 20, 10))


def test_a_moved_occurrence_frees_its_old_time_and_closes_the_new_one(machine, operator, member):
    closure = closure_create(
        platform=machine.platform,
        machine=machine,
        user=operator,
        title="Maintenance",
        start=paris(2027, 1, 6, 8),
        end=paris(2027, 1, 6, 10),
        frequency="WEEKLY",
    )

    closure_occurrence_move(
        closure=closure,
        user=operator,
        original_start=paris(2027, 1, 13, 8),
        start=paris(2027, 1, 14, 14),
        end=paris(2027, 1, 14, 16),
    )

    assert book(machine, member, paris(2027, 1, 13, 8), paris(2027, 1, 13, 10)).pk
    with pytest.raises(exc.Closed):
        book(machine, member, paris(2027, 1, 14, 15), paris(2027, 1, 14, 16))


def test_deleting_a_closure_reopens_its_slots(machine, operator, member):
    closure = closure_create(
        platform=machine.platform,
        user=operator,
        title="Fermeture",
        start=paris(2027, 1, 6, 8),
        end=paris(2027, 1, 6, 18),
    )

    closure_delete(closure=closure, user=operator)

    assert not ClosureInterval.objects.exists()
    assert book(machine, member, paris(2027, 1, 6, 10), paris(2027, 1, 6, 11)).pk


def test_the_nightly_rebuild_extends_recurrences_to_the_moving_horizon(machine, operator):
    closure_create(
        platform=machine.platform,
        machine=machine,
        user=operator,
        title="Maintenance",
        start=paris(2027, 1, 6, 8),
        end=paris(2027, 1, 6, 10),
        frequency="WEEKLY",
    )
    last_before = ClosureInterval.objects.order_by("start").last().start

    with time_machine.travel(paris(2027, 2, 15, 3), tick=False):
        closure_intervals_rebuild_all()

    last_after = ClosureInterval.objects.order_by("start").last().start
    assert last_after - last_before == timedelta(weeks=6)
    # Rebuilding twice writes the same rows, no duplicates.
    count = ClosureInterval.objects.count()
    with time_machine.travel(paris(2027, 2, 15, 3), tick=False):
        closure_intervals_rebuild_all()
    assert ClosureInterval.objects.count() == count


def test_a_closure_over_existing_bookings_lists_them_for_the_operator(machine, operator, member):
    hit = book(machine, member, paris(2027, 1, 7, 9), paris(2027, 1, 7, 10))
    book(machine, member, paris(2027, 1, 8, 9), paris(2027, 1, 8, 10))

    closure = closure_create(
        platform=machine.platform,
        user=operator,
        title="Coupure électrique",
        start=paris(2027, 1, 7, 8),
        end=paris(2027, 1, 7, 12),
    )

    assert list(bookings_affected_by_closure(closure=closure)) == [hit]


def test_only_an_operator_of_the_platform_manages_its_closures(machine, member):
    stranger = UserFactory()
    for user in (member, stranger):
        with pytest.raises(ClosureNotAllowed):
            closure_create(
                platform=machine.platform,
                user=user,
                title="Fermeture",
                start=paris(2027, 1, 6, 8),
                end=paris(2027, 1, 6, 18),
            )
    assert not ClosureInterval.objects.exists()
