"""Transactions: what the database says when it could not decide in time, as a domain answer.

A lock not obtained within ``lock_timeout`` (PostgreSQL 55P03), a deadlock the server broke
(40P01) or a serialisation failure (40001): the transaction was rolled back, nothing was
written, and the same request can be sent again. That is ``Busy`` (503 with Retry-After) —
never a conflict with another booking.
"""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import OperationalError

from .exceptions import Busy

LOCK_SQLSTATES = frozenset({"55P03", "40P01", "40001"})

P = ParamSpec("P")
R = TypeVar("R")


def is_lock_failure(exc: BaseException) -> bool:
    """Whether a database error means "could not get the lock in time" (or a broken deadlock)."""
    if not isinstance(exc, OperationalError):
        return False
    return getattr(exc.__cause__, "sqlstate", None) in LOCK_SQLSTATES


def busy_on_lock_failure(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a service from outside its atomic block: a lock failure becomes ``Busy`` once the
    transaction (or savepoint) has been rolled back."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except OperationalError as exc:
            if is_lock_failure(exc):
                raise Busy() from exc
            raise

    return wrapper
