from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import (
    CompanyFactory,
    MachineFactory,
    MembershipFactory,
    PlatformFactory,
    UserFactory,
)

PARIS = ZoneInfo("Europe/Paris")
# A Monday morning in winter: every test that freezes time starts from here.
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=PARIS)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness costs a third of a second per user created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    # The limits count in the cache (local memory in tests): each test starts from none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def frozen_now() -> Iterator[datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def machine(db: Any) -> Any:
    return MachineFactory()


@pytest.fixture
def member(db: Any) -> Any:
    """A user who is a member of a company: ``member.company`` is that company."""
    membership = MembershipFactory()
    user = membership.user
    user.company = membership.company
    return user


@pytest.fixture
def make_machine(db: Any) -> Callable[..., Any]:
    return MachineFactory


@pytest.fixture
def make_member(db: Any) -> Callable[..., Any]:
    def make(**kwargs: Any) -> Any:
        membership = MembershipFactory(**kwargs)
        membership.user.company = membership.company
        return membership.user

    return make


@pytest.fixture
def operator(db: Any, machine: Any) -> Any:
    user = UserFactory()
    machine.platform.operators.add(user)
    return user


__all__ = ["CompanyFactory", "PlatformFactory", "UserFactory", "paris"]


@pytest.fixture
def log_output() -> Iterator[Any]:
    """What the project's one log handler writes (its redacting filter included), as text:
    ``log_output.getvalue()``."""
    import io
    import logging

    (handler,) = [h for h in logging.getLogger().handlers if h.filters]
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
