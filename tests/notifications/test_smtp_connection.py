"""One SMTP connection carries a worker's messages (issue 28): opened once, reused, opened
again when the server dropped it — against a real SMTP server (aiosmtpd on a local port)."""

import socket
from typing import Any

from django.core.mail import EmailMessage

from notifications import smtp as connection


def message(number: int) -> EmailMessage:
    return EmailMessage(f"Réservation {number}", "Confirmée.", "noreply@example.fr", ["a@pme.fr"])


def test_messages_share_one_connection_and_a_dropped_one_is_opened_again(smtp: Any) -> None:
    for number in range(5):
        connection.send(message(number))
    assert (smtp.greetings, len(smtp.received)) == (1, 5)
    # the server drops the idle connection (its timeout): the next message opens a new one
    connection._local.connection.connection.sock.shutdown(socket.SHUT_RDWR)
    connection.send(message(5))
    assert (smtp.greetings, len(smtp.received)) == (2, 6)
    assert [sent["Subject"] for sent in smtp.received][-1] == "Réservation 5"
