"""How a service's transaction ends when it refuses: nothing written, nothing kept — and, as
long as it wrote nothing, no rollback, which would make psycopg forget the connection's
prepared statements (core.db.atomic)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.exceptions import SlotUnavailable
from bookings.models import Booking, Company
from bookings.services import booking_create
from core.db import atomic, undone_whole
from core.exceptions import DomainError
from tests.factories import CompanyFactory, MachineFactory, MembershipFactory


def _refuse_after(write: bool) -> None:
    with atomic():
        Company.objects.filter(name="PME refusée").exists()
        if write:
            CompanyFactory(name="PME refusée")
        raise SlotUnavailable()


@pytest.mark.django_db(transaction=True)
def test_a_refusal_before_any_write_ends_without_a_rollback():
    with CaptureQueriesContext(connection) as queries, pytest.raises(SlotUnavailable):
        _refuse_after(write=False)

    statements = [query["sql"] for query in queries.captured_queries]
    assert not any(sql.startswith("ROLLBACK") for sql in statements), statements
    assert statements[-1] == "COMMIT"


@pytest.mark.django_db(transaction=True)
def test_a_refusal_after_queuing_work_for_the_commit_rolls_back_and_runs_nothing():
    ran = []

    with CaptureQueriesContext(connection) as queries, pytest.raises(SlotUnavailable), atomic():
        transaction.on_commit(lambda: ran.append("sent"))
        raise SlotUnavailable()

    assert ran == []
    assert queries.captured_queries[-1]["sql"] == "ROLLBACK"


@pytest.mark.django_db(transaction=True)
def test_a_refusal_after_a_write_undoes_the_write():
    with pytest.raises(SlotUnavailable):
        _refuse_after(write=True)

    assert not Company.objects.filter(name="PME refusée").exists()


@pytest.mark.django_db(transaction=True)
def test_inside_a_request_transaction_only_a_refusal_that_wrote_marks_it_for_rollback():
    with undone_whole():
        with pytest.raises(SlotUnavailable):
            _refuse_after(write=False)
        clean = not transaction.get_rollback()
        with pytest.raises(SlotUnavailable):
            _refuse_after(write=True)
        marked = transaction.get_rollback()

    assert (clean, marked) == (True, True)
    assert not Company.objects.filter(name="PME refusée").exists()


@pytest.mark.django_db(transaction=True)
def test_a_booking_refused_by_a_rule_leaves_nothing_and_no_rollback():
    membership = MembershipFactory(company__validated_at=timezone.now())
    machine = MachineFactory()
    day = timezone.localdate() + timedelta(days=10)
    sunday = day + timedelta(days=6 - day.weekday())
    night = datetime.combine(sunday, time(2, 0))  # the platform's wall clock: closed

    with CaptureQueriesContext(connection) as queries, pytest.raises(DomainError) as refused:
        booking_create(
            machine=machine,
            company=membership.company_id,
            user=membership.user,
            start=night,
            end=night + timedelta(hours=1),
        )

    assert refused.value.code == "outside_opening_hours"
    assert not Booking.objects.exists()
    assert [q["sql"] for q in queries.captured_queries][-1] == "COMMIT"
