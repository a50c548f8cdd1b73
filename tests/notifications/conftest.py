"""A small world for the outbox: a platform with an operator, a machine, a company with an
admin (French) and a member (English); and a real SMTP server on a local port."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bookings.models import MembershipRole
from notifications import smtp as connection
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory, UserFactory


@dataclass
class World:
    platform: Any
    machine: Any
    company: Any
    admin: Any
    member: Any
    operator: Any


@pytest.fixture
def world(db: Any) -> World:
    platform = PlatformFactory(
        name="Plateforme Usinage Lyon",
        city="Lyon",
        contact_email="contact@usinage-lyon.example.fr",
        contact_phone="04 72 00 00 00",
        address="12 rue de l'Industrie\n69007 Lyon",
        access="Accueil au bâtiment B ; parking visiteurs.",
    )
    machine = MachineFactory(platform=platform, name="Fraiseuse 5 axes")
    admin = MembershipFactory(
        user__email="dirigeante@pme.example.fr",
        user__display_name="Claire Martin",
        role=MembershipRole.ADMIN,
        company__name="Mécanique Martin",
    )
    member = MembershipFactory(
        user__email="john@pme.example.fr",
        user__display_name="John Smith",
        user__preferred_language="en",
        company=admin.company,
    )
    operator = UserFactory(email="operateur@usinage-lyon.example.fr", display_name="Opérateur")
    platform.operators.add(operator)
    return World(platform, machine, admin.company, admin.user, member.user, operator)


@dataclass
class Sink:
    """What a real SMTP server received. ``replies`` are answers to give to the next DATA
    commands instead of accepting ("451 ..." for a transient failure)."""

    received: list[EmailMessage] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    # EHLOs answered: one per connection a client opened.
    greetings: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.replies:
            return self.replies.pop(0)
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Sink]:
    """An aiosmtpd server on a free local port, and Django's SMTP backend pointed at it."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        connection.close()  # the worker thread's kept connection goes with its server
        controller.stop()
