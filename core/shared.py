"""Answers that visitors who are not signed in share for a few seconds (issue 28).

The whole-network search costs 150–250 ms at 5,000 machines, and visitors ask the same few
questions: the first to ask in a period of ``SEARCH_SHARED_SECONDS`` computes the answer as it
will stand at the end of that period (what is still bookable then), and everyone asking the
same until then gets it from the cache (Redis, shared by every web process). A booking made
meanwhile shows at the next period — booking checks everything again; a signed-in person, who
may just have booked, never gets a shared answer. With the cache down, each visitor gets an
answer of their own.

``kept`` is the same without periods, for what changes only with a key of its own (a report's
snapshot and its time)."""

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

T = TypeVar("T")


def shared_answer(
    scope: str,
    asked: Iterable[Any],
    compute: Callable[[datetime], T],
    *,
    now: datetime | None = None,
) -> T:
    """``compute(at)``, ``at`` being the end of the current period, once per period for
    everyone asking ``asked`` (the question, whole: its parameters, the language) under
    ``scope``. What ``compute`` returns is kept in the cache: plain data or HTML, small."""
    seconds = settings.SEARCH_SHARED_SECONDS
    now = now or timezone.now()
    if seconds <= 0:
        return compute(now)
    at = datetime.fromtimestamp(-(-now.timestamp() // seconds) * seconds, tz=UTC)
    return kept(f"shared:{scope}", (list(asked), at.timestamp()), seconds, lambda: compute(at))


def kept(scope: str, asked: Any, seconds: int, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the cache ``seconds`` for whoever asks ``asked`` (its ``repr``
    names it) under ``scope``; with the cache down, computed each time."""
    key = f"{scope}:{hashlib.sha256(repr(asked).encode()).hexdigest()}"
    try:
        found: T | None = cache.get(key)
    except Exception:
        logger.warning("Nothing kept for %s: the cache does not answer", scope, exc_info=True)
        return compute()
    if found is None:
        found = compute()
        with contextlib.suppress(Exception):
            cache.set(key, found, timeout=seconds)
    return found
