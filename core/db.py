"""Transactions: what the database says when it could not decide in time, as a domain answer;
and the request transaction that services nest in without a savepoint.

A lock not obtained within ``lock_timeout`` (PostgreSQL 55P03), a deadlock the server broke
(40P01), a serialisation failure (40001), or SQLite's "database is locked" after its busy
timeout: the transaction was rolled back, nothing was written, and the same request can be sent
again. That is ``Busy`` (503 with Retry-After) — never a conflict with another booking.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import OperationalError, connection, transaction

from .exceptions import Busy, DomainError

_undone_whole: ContextVar[bool] = ContextVar("undone_whole", default=False)

LOCK_SQLSTATES = frozenset({"55P03", "40P01", "40001"})
_SQLITE_LOCKED = ("database is locked", "database table is locked")

P = ParamSpec("P")
R = TypeVar("R")


def is_lock_failure(exc: BaseException) -> bool:
    """Whether a database error means "could not get the lock in time" (or a broken deadlock)."""
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in LOCK_SQLSTATES
    return any(text in str(exc) for text in _SQLITE_LOCKED)


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


@contextmanager
def undone_whole() -> Iterator[None]:
    """A transaction whose owner undoes all of it on an error that wrote (the idempotent
    request's): the atomic blocks of the services it calls need no savepoint of their own, two
    statements fewer each. The owner must not go on using the transaction once it is marked
    for rollback (``transaction.get_rollback()``)."""
    with transaction.atomic():
        token = _undone_whole.set(True)
        try:
            yield
        finally:
            _undone_whole.reset(token)


class WriteWatch:
    """Counts the statements run through Django that may write: anything but a SELECT."""

    def __init__(self) -> None:
        self.writes = 0
        self.queued = len(connection.run_on_commit)

    @property
    def dirty(self) -> bool:
        """Whether anything was written, or queued to run on commit, since the watch began."""
        return bool(self.writes) or len(connection.run_on_commit) > self.queued

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.lstrip()[:6].upper() != "SELECT":
            self.writes += 1
        return execute(sql, params, many, context)


def wrote_nothing() -> None:
    """Tell the watches that the statement just run, which they counted as a write, wrote
    nothing (an ``INSERT … SELECT`` whose condition let no row through): a refusal after it
    may still commit what holds nothing but locks (``atomic``)."""
    for wrapper in connection.execute_wrappers:
        if isinstance(wrapper, WriteWatch) and wrapper.writes:
            wrapper.writes -= 1


@contextmanager
def watching_writes() -> Iterator[WriteWatch]:
    watch = WriteWatch()
    with connection.execute_wrapper(watch):
        yield watch


@contextmanager
def atomic() -> Iterator[None]:
    """``transaction.atomic()`` for a service that checks everything before it writes.

    A refusal (``DomainError``) raised before any write leaves the block as a success would —
    committing a transaction that holds nothing but its locks — and is raised after. A rollback
    would do the same to the data, but psycopg forgets every prepared statement of the
    connection at each rollback (and deallocates them on the server), so every refused booking
    cost the following requests their prepared plans. A refusal after a write, or any other
    error, rolls back as usual. Nested in ``undone_whole``: no savepoint of its own.
    """
    refusal: DomainError | None = None
    with transaction.atomic(savepoint=not _undone_whole.get()), watching_writes() as watch:
        try:
            yield
        except DomainError as error:
            if watch.dirty:
                raise
            refusal = error
    if refusal is not None:
        raise refusal
