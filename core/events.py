"""Announcing what happened, from a lower layer to whoever listens above.

A service sends a Django signal inside its transaction (``announce``); the listening app writes
what it needs (an outbox row) in the same transaction. Demo and benchmark data are built with
``announcements_muted()``: nothing is announced, so nothing is sent.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.dispatch import Signal

_muted: ContextVar[bool] = ContextVar("announcements_muted", default=False)


def announce(signal: Signal, sender: type, **kwargs: Any) -> None:
    """Send ``signal`` unless announcements are muted. Receivers' errors propagate: a listener
    that cannot record its row rolls the whole change back rather than losing the event."""
    if not _muted.get():
        signal.send(sender=sender, **kwargs)


@contextmanager
def announcements_muted() -> Iterator[None]:
    """Build data without telling anyone (``seed_demo``, benchmarks)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)
