"""Pytest plugin: picks the database for the run and tells which real services are present.

Loaded with ``-p tests.plugin`` (pyproject's addopts) so that it runs before pytest-django
reads the settings:
- ``make test``: PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
  fablab) when it answers, else SQLite; Redis at TEST_REDIS_URL when it answers.
- ``make test-sqlite`` (TEST_DATABASE=sqlite): the embedded default, SQLite.
Tests marked ``postgres`` or ``redis`` skip with the reason when their service is missing, and
fail instead when REQUIRE_SERVICES=1 (CI). Tests marked ``sqlite`` run on SQLite only.
"""

import os
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
    if os.environ.get("TEST_DATABASE", "auto") == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        services["database"] = "sqlite"
        services["postgres_missing"] = "this run is on SQLite (make test-sqlite)"
        services["postgres_wanted"] = False
    else:
        url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
        reason = _probe_postgres(url)
        services["postgres_wanted"] = True
        if reason is None:
            os.environ["DATABASE_URL"] = url
            services["database"] = "postgresql"
        else:
            os.environ.pop("DATABASE_URL", None)
            services["database"] = "sqlite"
            services["postgres_missing"] = reason
    redis_url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    services["redis_url"] = redis_url
    services["redis_missing"] = _probe_redis(redis_url)


def pytest_report_header(config: Any) -> list[str]:
    lines = [f"database: {services.get('database')}"]
    if services.get("postgres_missing"):
        lines.append(f"PostgreSQL tests: not run — {services['postgres_missing']}")
    if services.get("redis_missing"):
        lines.append(f"Redis tests: not run — {services['redis_missing']}")
    else:
        lines.append(f"redis: {services.get('redis_url')}")
    if require_services():
        lines.append("REQUIRE_SERVICES=1: a missing service fails its tests")
    return lines


def _missing(reason: str, wanted: bool) -> None:
    if wanted and require_services():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item: Any) -> None:
    if item.get_closest_marker("postgres") and services.get("database") != "postgresql":
        _missing(services["postgres_missing"], services["postgres_wanted"])
    if item.get_closest_marker("sqlite") and services.get("database") != "sqlite":
        pytest.skip("SQLite-only test: runs under make test-sqlite")
    if item.get_closest_marker("redis") and services.get("redis_missing"):
        _missing(services["redis_missing"], True)
