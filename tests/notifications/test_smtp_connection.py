"""One SMTP connection carries a worker's messages (issue 28): opened once, reused, opened
again when the server dropped it — against a real SMTP server (aiosmtpd on a local port)."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage

from notifications import smtp
from tests.integration.test_notifications import free_port


class CountingSink:
    def __init__(self) -> None:
        self.greetings = 0
        self.messages = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        return "250 Message accepted for delivery"


@pytest.fixture
def sink(settings: Any) -> Iterator[CountingSink]:
    handler = CountingSink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        smtp.close()
        controller.stop()


def message(number: int) -> EmailMessage:
    return EmailMessage(f"Réservation {number}", "Confirmée.", "noreply@example.fr", ["a@pme.fr"])


def test_messages_share_one_connection_and_a_dropped_one_is_opened_again(
    sink: CountingSink,
) -> None:
    for number in range(5):
        smtp.send(message(number))
    assert (sink.greetings, sink.messages) == (1, 5)
    # the server drops the idle connection (its timeout): the next message opens a new one
    smtp._local.connection.connection.sock.shutdown(socket.SHUT_RDWR)
    smtp.send(message(5))
    assert (sink.greetings, sink.messages) == (2, 6)
