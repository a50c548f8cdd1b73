"""The audit trail: every state change made through the services writes an entry in its own
transaction — who, when, from which address, what, the fields before and after.

The address is the request's (set by ``AuditAddressMiddleware``); a periodic job's entries
have none, and no actor.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connections
from django.http import HttpRequest, HttpResponse

from core.db import wrote_nothing
from core.network import client_ip
from core.rows import insert_statement

from .models import AuditEntry

_address: ContextVar[str | None] = ContextVar("audit_address", default=None)


def _plain(value: Any) -> Any:
    """A field's value as JSON keeps it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def state_of(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``obj`` (a foreign key as its id)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _plain(getattr(obj, attname))
    return values


def _entry(
    actor: Any, action: str, obj: Any, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> AuditEntry:
    return AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        address=_address.get(),
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry about ``obj`` (call it inside the change's transaction)."""
    entry = _entry(actor, action, obj, before, after)
    entry.save()
    return entry


def insert_audited(
    obj: Any, *, actor: Any, action: str, fields: Iterable[str], using: str = "default"
) -> AuditEntry:
    """Insert ``obj`` (new) and the entry that records its creation (``after``: the named
    fields), inside the caller's transaction.

    On PostgreSQL one statement: the entry's INSERT takes the row's new key from the first
    INSERT's ``RETURNING``, in a data-modifying ``WITH`` (it runs to completion or not at all
    with the row). Elsewhere ``obj.save()``, then the entry. Like ``bulk_create``, the
    PostgreSQL path sends no ``pre_save``/``post_save``: nothing here listens to them (the
    services announce their own events), and a test holds it so.
    """
    entry = _entry(actor, action, obj, None, state_of(obj, fields))
    connection = connections[using]
    if connection.vendor != "postgresql":
        obj.save(using=using)
        entry.object_id = str(obj.pk)
        entry.save(using=using)
        return entry
    _, inserted = _insert_with_entry(obj, entry, using=using)
    assert inserted
    return entry


def insert_audited_if(
    obj: Any,
    *,
    actor: Any,
    action: str,
    fields: Iterable[str],
    state: tuple[str, list[Any]],
    condition: str,
    using: str = "default",
) -> tuple[tuple[Any, ...], AuditEntry | None]:
    """PostgreSQL only: ``insert_audited`` in the statement that first reads ``state`` (a
    query answering one row; its SQL and parameters), and only if ``condition`` (SQL over that
    row's columns, as ``state.<column>``) holds. Returns the state's row, and the entry — None
    when the condition let nothing be inserted.

    One round trip where a check and then the insert would take two. The state is read with
    the statement's snapshot, taken when it starts: after the caller's locks.
    """
    assert connections[using].vendor == "postgresql"
    entry = _entry(actor, action, obj, None, state_of(obj, fields))
    row, inserted = _insert_with_entry(obj, entry, using=using, state=state, condition=condition)
    if not inserted:
        wrote_nothing()
    return row, entry if inserted else None


def _insert_with_entry(
    obj: Any,
    entry: AuditEntry,
    *,
    using: str,
    state: tuple[str, list[Any]] | None = None,
    condition: str = "",
) -> tuple[tuple[Any, ...], bool]:
    """The statement of ``insert_audited`` (and ``insert_audited_if`` when ``state`` is
    given); returns the state's row and whether ``obj`` and its entry were inserted."""
    connection = connections[using]
    quote = connection.ops.quote_name
    key, entry_key = quote(obj._meta.pk.column), quote(AuditEntry._meta.pk.column)
    row_sql, row_params = insert_statement(
        obj, using=using, source=None if state is None else f"state WHERE {condition}"
    )
    # The entry is written for the new row, its object the row's key as text.
    entry_sql, entry_params = insert_statement(
        entry, using=using, raw={"object_id": f"CAST(new.{key} AS varchar(40))"}, source="new"
    )
    tables = [f"new AS ({row_sql})", f"entry AS ({entry_sql})"]
    params = row_params + entry_params
    if state is None:
        select = f"SELECT new.{key}, entry.{entry_key} FROM new, entry"
    else:
        tables.insert(0, f"state AS ({state[0]})")
        params = list(state[1]) + params
        select = (
            f"SELECT state.*, new.{key}, entry.{entry_key} "
            "FROM state LEFT JOIN new ON TRUE LEFT JOIN entry ON TRUE"
        )
    sql = f"WITH {', '.join(tables)} {select}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        *row, obj_pk, entry_pk = cursor.fetchone()
    if obj_pk is None:
        return tuple(row), False
    obj.pk, entry.pk = obj_pk, entry_pk
    entry.object_id = str(obj.pk)
    for saved in (obj, entry):
        saved._state.adding, saved._state.db = False, using
    return tuple(row), True


def audit_record_many(
    *,
    actor: Any,
    action: str,
    objects: Iterable[Any],
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """The same change to many objects (a periodic job's), one entry each."""
    AuditEntry.objects.bulk_create(_entry(actor, action, obj, before, after) for obj in objects)


def history_of(obj: Any) -> list[AuditEntry]:
    """The entries about ``obj``, oldest first, with who made them."""
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.model_name, object_id=str(obj.pk)
        ).select_related("actor")
    )


@contextmanager
def address(value: str | None) -> Iterator[None]:
    token = _address.set(value)
    try:
        yield
    finally:
        _address.reset(token)


class AuditAddressMiddleware:
    """Remember the client's address for the entries this request writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with address(client_ip(request) or None):
            return self.get_response(request)
