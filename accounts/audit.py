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

from django.http import HttpRequest, HttpResponse

from core.network import client_ip

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
