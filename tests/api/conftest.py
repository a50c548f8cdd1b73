"""The API tests' world (``tests/world.py``) and a client per role."""

import pytest
from rest_framework.test import APIClient

from accounts.services import token_create
from tests.world import World, build_world


@pytest.fixture
def world(db, frozen_now) -> World:
    return build_world()


@pytest.fixture
def api_as(world):
    """An API client for a role, authenticated with a real token."""

    def make(role: str, language: str = "fr") -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        user = world.users[role]
        if user is not None:
            _, raw = token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make
