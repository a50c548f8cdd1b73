"""The embedded PostgreSQL: what `make run` and `make test` use on a machine with no server."""

import os
import subprocess
import sys
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_NAME"}}
    env["EMBEDDED_POSTGRES_DATA"] = str(data)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _servers_on(data: Path) -> list[psutil.Process]:
    return [
        process
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres" and str(data) in (process.info["cmdline"] or [])
    ]


def test_without_database_url_the_embedded_server_starts_migrates_and_stops(tmp_path):
    # given: no DATABASE_URL, an empty data folder
    data = tmp_path / "postgres"

    # when
    result = _manage("migrate", "--noinput", data=data)

    # then: the schema is there (the overlap constraint needs btree_gist), the server stopped
    assert result.returncode == 0, result.stdout + result.stderr
    assert (data / "PG_VERSION").exists()
    assert _servers_on(data) == []
    again = _manage("migrate", "--check", data=data)
    assert again.returncode == 0, again.stdout + again.stderr


def test_an_embedded_server_that_cannot_start_names_database_url(tmp_path):
    # given: a data folder that cannot be made (its parent is a file)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    # when
    result = _manage("migrate", "--noinput", data=blocker / "postgres")

    # then
    assert result.returncode != 0
    assert "The embedded PostgreSQL could not start" in result.stderr
    assert "DATABASE_URL" in result.stderr
