from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bookings.models import MembershipRole
from tests.factories import MachineFactory, MembershipFactory


@pytest.fixture
def signed_in(client: Client) -> Callable[[Any], Client]:
    def sign_in(user: Any) -> Client:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def company_admin(db: Any) -> Any:
    membership = MembershipFactory(role=MembershipRole.ADMIN)
    membership.user.company = membership.company
    return membership.user


@pytest.fixture
def laser(db: Any) -> Any:
    return MachineFactory(name="Découpe laser Trotec", min_notice_hours=0)
