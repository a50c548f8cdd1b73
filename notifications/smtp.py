"""One mail connection per worker thread, kept open between messages.

A new SMTP connection per message (the TCP handshake, EHLO, STARTTLS, AUTH) cost more than the
message itself: one worker sent 47-53 a second (issue 28). The connection is opened on the
first message and reused; one the server closed meanwhile (idle timeout) is opened again and
the message sent once more. Keyed by the mail settings, so a change of backend or server (the
tests swap them) gets a new connection."""

import contextlib
import smtplib
import threading
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

_local = threading.local()


def _settings_key() -> tuple[Any, ...]:
    return (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", ""),
        getattr(settings, "EMAIL_PORT", 0),
        getattr(settings, "EMAIL_HOST_USER", ""),
        getattr(settings, "EMAIL_USE_TLS", False),
        getattr(settings, "EMAIL_USE_SSL", False),
    )


def _connection() -> Any:
    key = _settings_key()
    if getattr(_local, "key", None) != key or _local.connection is None:
        close()
        _local.connection = get_connection()
        _local.key = key
    if hasattr(_local.connection, "open"):
        _local.connection.open()  # a no-op once open
    return _local.connection


def close() -> None:
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        with contextlib.suppress(Exception):  # a connection already dropped by the server
            connection.close()


def send(email: EmailMessage) -> None:
    """Send ``email`` through this thread's open connection; errors propagate (the outbox
    decides what to retry)."""
    for attempt in (1, 2):
        try:
            _connection().send_messages([email])
            return
        except smtplib.SMTPServerDisconnected:
            close()  # the server dropped an idle connection: open a new one, once
            if attempt == 2:
                raise
        except Exception:
            close()  # never reuse a connection left in an unknown state
            raise
