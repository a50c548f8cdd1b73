"""Pytest plugin: picks the database for the run and tells which real services are present.

Loaded with ``-p tests.plugin`` (pyproject's addopts) so that it runs before pytest-django
reads the settings:
- PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fablab) when it
  answers; else the embedded PostgreSQL (config/embedded_postgres), which the first test
  that needs the database starts. Every test runs either way: none waits for a database.
- Each run creates its own test database (``test_fablab_<random>``), so two checkouts can
  test on one server at the same time.
- Redis at TEST_REDIS_URL when it answers; tests marked ``redis`` skip with the reason when
  it does not, and fail instead when REQUIRE_SERVICES=1 (CI).
"""

import os
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/fablab"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

services: dict[str, Any] = {}


def _probe_postgres(url: str) -> str | None:
    """None when the server answers, else why not. Probes the maintenance database."""
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        psycopg.connect(maintenance, connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL does not answer at {parts.hostname}:{parts.port or 5432} ({exc})"
    return None


def _probe_redis(url: str) -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:
        return f"Redis does not answer at {url} ({exc})"
    return None


def require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: Any, parser: Any, args: list[str]) -> None:
    # Unit tests run Celery eagerly; integration tests that want a real broker set it up.
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    reason = _probe_postgres(url)
    if reason is None:
        os.environ["DATABASE_URL"] = url
        services["database"] = f"PostgreSQL at {urlsplit(url).hostname}:{urlsplit(url).port}"
    else:
        os.environ.pop("DATABASE_URL", None)
        services["database"] = f"the embedded PostgreSQL ({reason})"
    os.environ["TEST_DATABASE_NAME"] = f"test_fablab_{secrets.token_hex(4)}"
    redis_url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    services["redis_url"] = redis_url
    services["redis_missing"] = _probe_redis(redis_url)


def pytest_report_header(config: Any) -> list[str]:
    lines = [
        f"database: {services.get('database')}, test database {os.environ['TEST_DATABASE_NAME']}"
    ]
    if services.get("redis_missing"):
        lines.append(f"Redis tests: not run — {services['redis_missing']}")
    else:
        lines.append(f"redis: {services.get('redis_url')}")
    if require_services():
        lines.append("REQUIRE_SERVICES=1: a missing service fails its tests")
    return lines


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Under pytest-xdist (``-n``), the tests that use the one Redis (a real Celery worker
    consumes its queue) run one after the other on one worker: two workers' tests would take
    each other's tasks."""
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis"))


def pytest_runtest_setup(item: Any) -> None:
    if item.get_closest_marker("redis") and services.get("redis_missing"):
        reason = services["redis_missing"]
        if require_services():
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
