"""Many people click "enrol" in a session with few seats at the same moment: exactly as many as
it has seats get one; the others are refused as full, or queue on its waiting list in order.

Each thread has its own database connection (Django's are per thread) and closes it; a barrier
releases them together. Transactional tests, since the threads must see each other's commits.
"""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import BillableLine
from bookings.models import Enrolment
from bookings.services import training_enrol, training_schedule
from core.exceptions import DomainError
from tests.factories import MachineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEATS = 3


def _session(**kwargs):
    machine = MachineFactory()
    operator = UserFactory()
    machine.platform.operators.add(operator)
    day = timezone.localdate() + timedelta(days=5)
    start = datetime.combine(day, time(14), tzinfo=machine.platform.tz)
    return training_schedule(
        operator=operator,
        machine=machine,
        start=start,
        end=start + timedelta(hours=3),
        capacity=SEATS,
        price=100,
        **kwargs,
    )


def _race(session, people, **kwargs) -> list[str]:
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person) -> None:
        try:
            barrier.wait(timeout=30)
            enrolment = training_enrol(session=session.pk, person=person, actor=person, **kwargs)
            outcome = "waiting" if enrolment.waiting else "seated"
        except DomainError as error:
            outcome = error.code
        except Exception as error:  # anything else is a defect the assertion must show
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_twenty_people_racing_for_three_seats_make_three_seats():
    session = _session()
    people = [MembershipFactory().user for _ in range(20)]

    outcomes = _race(session, people)

    assert sorted(set(outcomes)) == ["seated", "session_full"], outcomes
    assert outcomes.count("seated") == SEATS
    assert Enrolment.objects.filter(session=session, waiting=False).count() == SEATS
    # One line to bill per seat, none for the refused.
    assert BillableLine.objects.filter(enrolment__session=session).count() == SEATS


def test_racing_with_the_waiting_list_fills_seats_then_a_list_as_long():
    session = _session()
    people = [MembershipFactory().user for _ in range(12)]

    outcomes = _race(session, people, waiting=True)

    # The waiting list holds at most as many people as the session has seats.
    assert outcomes.count("seated") == SEATS, outcomes
    assert outcomes.count("waiting") == SEATS, outcomes
    assert outcomes.count("session_full") == 12 - 2 * SEATS, outcomes
    assert Enrolment.objects.filter(session=session, waiting=True).count() == SEATS


def test_one_companys_members_racing_stay_within_its_seats():
    session = _session(company_seats=2)
    first = MembershipFactory()
    people = [first.user] + [MembershipFactory(company=first.company).user for _ in range(7)]

    outcomes = _race(session, people, waiting=True)

    assert outcomes.count("seated") == 2, outcomes
    assert outcomes.count("company_seats_taken") == 6, outcomes
