"""Secret tokens of iCal feed URLs."""

import secrets


def new_feed_token() -> str:
    """A random, URL-safe secret (256 bits): whoever holds the URL reads the feed."""
    return secrets.token_urlsafe(32)
