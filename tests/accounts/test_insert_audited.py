"""A new booking and the entry recording its creation, written together: one statement on
PostgreSQL (a data-modifying WITH), two elsewhere, and the same rows either way."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import signals
from django.db.models.sql import InsertQuery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.audit import address, audit_record, insert_audited, state_of
from accounts.models import AuditEntry
from bookings.models import Booking, BookingStatus
from core.rows import insert_statement
from tests.factories import CompanyFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.django_db

FIELDS = ("machine", "company", "start", "end", "status", "price", "note")


def _booking(machine=None, start=None, **fields):
    start = start or timezone.now().replace(microsecond=0) + timedelta(days=3)
    values = {
        "machine": machine or MachineFactory(),
        "company": CompanyFactory(),
        "start": start,
        "end": start + timedelta(hours=1),
        "status": BookingStatus.CONFIRMED,
        "price": Decimal("42.50"),
        "note": "<script>alert(1)</script>",
        **fields,
    }
    return Booking(**values)


def _row(obj):
    fresh = type(obj).objects.get(pk=obj.pk)
    return {
        field.attname: getattr(fresh, field.attname)
        for field in fresh._meta.concrete_fields
        if field.attname not in ("id", "created_at", "updated_at", "at")
    }


def test_the_booking_and_its_entry_are_written_as_save_and_audit_record_write_them():
    user = UserFactory()
    machine = MachineFactory()
    saved = _booking(machine)
    saved.save()
    audit_record(actor=user, action="booking.created", obj=saved, after=state_of(saved, FIELDS))
    together = _booking(machine, start=saved.start + timedelta(hours=2))
    together.company = saved.company

    with address("203.0.113.7"), CaptureQueriesContext(connection) as queries:
        entry = insert_audited(together, actor=user, action="booking.created", fields=FIELDS)

    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert together.pk and not together._state.adding and together._state.db == "default"
    assert entry.pk and entry.object_id == str(together.pk)
    stored = AuditEntry.objects.get(pk=entry.pk)
    expected = AuditEntry.objects.get(object_id=str(saved.pk))
    assert (stored.actor_id, stored.action, stored.object_type) == (
        expected.actor_id,
        expected.action,
        expected.object_type,
    )
    assert stored.object_id == str(together.pk)
    assert str(stored.address) == "203.0.113.7"
    assert stored.after == {
        **expected.after,
        "start": together.start.isoformat(),
        "end": together.end.isoformat(),
    }
    # The booking's row: every column as save() writes it, auto_now fields set.
    reference = _row(saved)
    assert _row(together) == {
        **reference,
        "start": together.start,
        "end": together.end,
    }
    assert Booking.objects.get(pk=together.pk).created_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_refused_row_leaves_no_entry():
    booking = _booking(status=BookingStatus.CONFIRMED)
    booking.machine_id = 10**9  # no such machine: the foreign key refuses the row

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_audited(booking, actor=None, action="booking.created", fields=FIELDS)

    assert not AuditEntry.objects.exists()
    assert not Booking.objects.exists()


def test_the_statement_is_the_one_the_orm_composes():
    """``insert_statement`` composes its INSERT once per model: it must stay what Django's
    compiler writes for ``save()`` (same columns, same order, same values)."""
    booking = _booking()
    sql, params = insert_statement(booking)

    opts = Booking._meta
    fields = [f for f in opts.local_concrete_fields if not f.generated and f is not opts.auto_field]
    query = InsertQuery(Booking)
    query.insert_values(fields, [booking])
    compiler = query.get_compiler(using="default")
    compiler.returning_fields = [opts.pk]
    ((expected_sql, expected_params),) = compiler.as_sql()

    assert sql == expected_sql
    # auto_now fields take the clock when each statement is composed: compare the rest.
    moments = [i for i, f in enumerate(fields) if f.attname in ("created_at", "updated_at")]
    assert [p for i, p in enumerate(params) if i not in moments] == [
        p for i, p in enumerate(expected_params) if i not in moments
    ]


def test_an_expression_is_refused_not_written():
    from django.db.models.functions import Now

    booking = _booking()
    booking.start = Now()
    with pytest.raises(TypeError, match="start"):
        insert_statement(booking)


def test_nothing_listens_to_the_saves_the_postgresql_path_skips():
    """The one-statement path sends no pre_save/post_save (as bulk_create): a receiver added
    for bookings or audit entries would silently miss them there."""
    for model in (Booking, AuditEntry):
        assert not signals.pre_save.has_listeners(model)
        assert not signals.post_save.has_listeners(model)
