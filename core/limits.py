"""How often something that sends e-mail or starts work may happen: a count per key in a
fixed window, kept in the cache (Redis in production, shared by every process).

A limit is a promise to the person at the other end (no flood of e-mails to a victim, no
machine kept busy by one address), not an accounting: a window restarting early, or the cache
being emptied, lets a few more through, never fewer; with the cache down, nothing is limited
(sign-in keeps working with Redis down)."""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def allow(scope: str, subject: str, *, limit: int, window: int) -> bool:
    """Count one use of ``subject`` (an address, a client IP…) under ``scope``; False once more
    than ``limit`` uses fell in the current ``window`` seconds."""
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    key = f"limit:{scope}:{digest}"
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
            count = 1
    except Exception:
        # The cache (Redis) is down: signing in, resetting a password, signing up keep
        # working, unlimited until it is back, rather than failing for everyone.
        logger.warning("Limit %s not counted: the cache does not answer", scope, exc_info=True)
        return True
    return count <= limit
