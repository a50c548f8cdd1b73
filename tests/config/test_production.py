"""Production settings refuse to be unsafe: no built-in secret key, HTTPS everywhere."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
# The production environment docs/OPERATIONS.md documents.
# `check` connects to no database: an address nothing answers at will do.
UNUSED_DATABASE = "postgres://fablab@127.0.0.1:9/fablab"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "booking.example.fr",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' own, never a deployment's.
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DATABASE_URL=UNUSED_DATABASE,
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "key", [None, "insecure-development-key-change-me-in-production-0123456789"]
)
def test_the_app_refuses_to_start_in_production_without_a_secret_key(tmp_path, key):
    env = {**PRODUCTION, "DATABASE_URL": UNUSED_DATABASE}
    env.pop("SECRET_KEY")
    if key is not None:
        env["SECRET_KEY"] = key

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_https_is_enforced_but_health_checks_answer_over_http(db, settings):
    settings.SECURE_SSL_REDIRECT = True

    client = Client()
    page = client.get("/api/v1/platforms/")
    health = client.get("/healthz")

    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    assert health.status_code == 200


def test_production_answers_the_api_in_json_only():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])",
        DATABASE_URL=UNUSED_DATABASE,
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['rest_framework.renderers.JSONRenderer']"


@pytest.mark.parametrize(
    "url",
    [
        "/profile/",
        "/profile/my-data.json",
        "/reports/download/?start=2026-10-01&last=2026-10-31&format=csv",
    ],
)
def test_personal_pages_and_downloads_are_never_stored(client, member, url):
    client.force_login(member)
    answer = client.get(url)
    assert answer.status_code in (200, 302), url  # a large report is built in the background
    assert "no-store" in answer["Cache-Control"]


def test_the_server_refuses_to_start_without_its_static_files_and_says_what_to_run(tmp_path):
    # given a production environment whose static files were never collected
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}},
        **PRODUCTION,
        "DATABASE_URL": UNUSED_DATABASE,
        "STATIC_ROOT": str(tmp_path),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    start = [gunicorn, "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}"]
    start.append("config.wsgi:application")

    # when gunicorn starts, as the image runs it
    refused = subprocess.run(start, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    # then it stops with the command to run; once collected, it starts and serves pages
    assert refused.returncode != 0
    assert "manage.py collectstatic --noinput" in refused.stderr
    assert (
        manage(
            "collectstatic", "--noinput", **{**PRODUCTION, "STATIC_ROOT": str(tmp_path)}
        ).returncode
        == 0
    )
    server = subprocess.Popen(start, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        status = 0
        for _ in range(100):
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).status
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
