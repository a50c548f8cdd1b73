"""The outbox's one INSERT (``core.rows.insert_new``) has its parts composed once per model:
it must stay the statement Django's compiler writes, and insert only what is new."""

import pytest
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

from core.rows import _insert_new_parts, insert_new
from notifications.models import Message, MessageKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _message(user, key):
    return Message(
        kind=MessageKind.BOOKING_CONFIRMED,
        recipient=user,
        context={"note": "<script>alert(1)</script>"},
        idempotency_key=key,
    )


def test_the_statement_is_the_one_the_orm_composes():
    """For one row, the very statement the compiler writes; more rows repeat the row's
    placeholders after VALUES (Django itself writes PostgreSQL's UNNEST form then)."""
    user = UserFactory()
    prefix, row, suffix, fields = _insert_new_parts(Message, "default", "idempotency_key")

    opts = Message._meta
    query = InsertQuery(Message, on_conflict=OnConflict.IGNORE)
    query.insert_values(list(fields), [_message(user, "k:1")])
    compiler = query.get_compiler(using="default")
    compiler.returning_fields = [opts.pk, opts.get_field("idempotency_key")]
    ((expected_sql, expected_params),) = compiler.as_sql()

    assert prefix + row + suffix == expected_sql
    assert list(fields) == [
        f for f in opts.local_concrete_fields if not f.generated and f is not opts.auto_field
    ]
    assert row.count("%s") == len(expected_params)


def test_only_new_keys_are_inserted_and_come_back_with_their_key():
    user = UserFactory()
    (first,) = insert_new([_message(user, "k:1")], unique="idempotency_key")

    new = insert_new(
        [_message(user, "k:1"), _message(user, "k:2"), _message(user, "k:3")],
        unique="idempotency_key",
    )

    assert [m.idempotency_key for m in new] == ["k:2", "k:3"]
    assert all(m.pk and not m._state.adding for m in new)
    assert Message.objects.count() == 3
    assert Message.objects.get(idempotency_key="k:1").pk == first.pk
    assert Message.objects.get(pk=new[0].pk).context == {"note": "<script>alert(1)</script>"}
