"""Waiting lists: who may wait for what, leaving, and what a booking serves."""

from datetime import timedelta

import pytest
import time_machine

from accounts.services import account_erase
from bookings import exceptions as exc
from bookings.models import WaitingEntry
from bookings.selectors import waiting_demand, waiting_of
from bookings.services import (
    booking_cancel,
    booking_create,
    booking_move,
    waiting_join,
    waiting_leave,
)
from bookings.services.waiting import MAX_WAITING_ENTRIES
from platforms.models import Machine
from tests.conftest import NOW, paris

pytestmark = [pytest.mark.django_db]

START, END = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)  # a Wednesday


@pytest.fixture
def taken(machine, make_member, frozen_now):
    """Wednesday 10:00–12:00 booked by another company."""
    other = make_member()
    return booking_create(machine=machine, company=other.company, user=other, start=START, end=END)


def join(member, machine, start=START, end=END, **kwargs):
    return waiting_join(
        machine=machine, company=member.company, user=member, start=start, end=end, **kwargs
    )


def test_a_member_waits_for_a_taken_range(taken, machine, member):
    entry = join(member, machine)

    assert (entry.machine, entry.company, entry.user) == (machine, member.company, member)
    assert (entry.start, entry.end) == (START, END)
    assert list(waiting_of(user=member)) == [entry]


def test_naive_times_are_the_platforms_wall_clock(taken, machine, member):
    entry = join(member, machine, start=START.replace(tzinfo=None), end=END.replace(tzinfo=None))

    assert (entry.start, entry.end) == (START, END)


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        (END, START, exc.InvalidRange),
        (paris(2027, 1, 4, 8), paris(2027, 1, 6, 12), exc.WaitingPast),
        (START, START + timedelta(days=7, minutes=30), exc.WaitingTooLong),
        (NOW + timedelta(days=91), NOW + timedelta(days=91, hours=2), exc.TooFar),
        (paris(2027, 1, 6, 14), paris(2027, 1, 6, 16), exc.RangeFree),
    ],
)
def test_a_range_one_cannot_wait_for_is_refused(taken, machine, member, start, end, error):
    with pytest.raises(error):
        join(member, machine, start=start, end=end)

    assert not WaitingEntry.objects.exists()


def test_only_a_member_of_a_validated_company_waits(taken, machine, member, make_member):
    stranger = make_member()
    with pytest.raises(exc.NotMember):
        waiting_join(machine=machine, company=member.company, user=stranger, start=START, end=END)

    member.company.validated_at = None
    member.company.save()
    with pytest.raises(exc.CompanyNotValidated):
        join(member, machine)


def test_an_inactive_or_unknown_machine_has_no_waiting_list(taken, machine, member):
    Machine.objects.filter(pk=machine.pk).update(active=False)
    with pytest.raises(exc.MachineInactive):
        join(member, machine)
    with pytest.raises(exc.UnknownMachine):
        join(member, 10**9)


def test_waiting_twice_over_the_same_time_is_refused(taken, machine, member):
    join(member, machine)

    with pytest.raises(exc.AlreadyWaiting):
        join(member, machine, start=START + timedelta(hours=1), end=END + timedelta(hours=1))

    assert WaitingEntry.objects.count() == 1


def test_a_person_waits_for_at_most_twenty_ranges(machine, member, make_member, frozen_now):
    other = make_member()
    for day in range(MAX_WAITING_ENTRIES + 1):
        start = paris(2027, 1, 11, 10) + timedelta(days=day)
        booking_create(
            machine=machine,
            company=other.company,
            user=other,
            start=start,
            end=start + timedelta(hours=1),
        )
        if day < MAX_WAITING_ENTRIES:
            join(member, machine, start=start, end=start + timedelta(hours=1))

    with pytest.raises(exc.TooManyWaiting):
        join(member, machine, start=start, end=start + timedelta(hours=1))
    assert waiting_of(user=member).count() == MAX_WAITING_ENTRIES


def test_a_person_leaves_their_entry_and_no_one_elses(taken, machine, member, make_member):
    entry = join(member, machine)
    someone = make_member(company=member.company)

    with pytest.raises(exc.NotWaiting):
        waiting_leave(entry=entry.pk, user=someone)
    waiting_leave(entry=entry.pk, user=member)

    assert not waiting_of(user=member).exists()
    with pytest.raises(exc.NotWaiting):
        waiting_leave(entry=entry.pk, user=member)


def test_an_entry_ends_at_its_start(taken, machine, member):
    join(member, machine)

    with time_machine.travel(START, tick=False):
        assert not waiting_of(user=member).exists()


def test_booking_the_time_one_waited_for_ends_the_wait(taken, machine, member):
    join(member, machine)
    booking_cancel(booking=taken, user=taken.booked_by)

    booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=START,
        end=START + timedelta(hours=1),
    )

    assert not waiting_of(user=member).exists()
    assert WaitingEntry.objects.get().booked_at is not None


def test_moving_ones_booking_onto_the_waited_time_ends_the_wait(taken, machine, member):
    join(member, machine)
    mine = booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=paris(2027, 1, 7, 10),
        end=paris(2027, 1, 7, 11),
    )
    booking_cancel(booking=taken, user=taken.booked_by)

    booking_move(booking=mine, user=member, start=START, end=START + timedelta(hours=1))

    assert not waiting_of(user=member).exists()


def test_an_erased_person_stops_waiting_and_the_demand_stays(taken, machine, member):
    join(member, machine)

    account_erase(user=member)

    entry = WaitingEntry.objects.get()
    assert entry.user is None and entry.left_at is not None
    demand = waiting_demand(
        machines=Machine.objects.all(), start=paris(2027, 1, 4), end=paris(2027, 1, 11)
    )
    assert [(row["machine"], row["waiting"]) for row in demand] == [(machine.pk, 1)]
