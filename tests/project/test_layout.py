"""The contract a newcomer relies on: README commands, compose file, migrations."""

import importlib
import re
import shlex
import shutil
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command, get_commands

ROOT = Path(__file__).resolve().parents[2]


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:1500]
    assert "make run" in head
    assert "make test" in head
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test", "lint", "bench"):
        assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), target


def _compose_commands() -> list[list[str]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    commands = []
    for name, service in compose["services"].items():
        command = service.get("command")
        if command is None or name in {"postgres", "redis"}:
            continue
        text = command if isinstance(command, str) else shlex.join(command)
        if text.startswith("sh -c "):
            text = shlex.split(text)[2]
        for part in text.split("&&"):
            commands.append(shlex.split(part))
    return commands


def test_the_compose_file_names_only_commands_the_project_has():
    commands = _compose_commands()
    seen = {argv[0] for argv in commands}
    assert {"python", "gunicorn", "celery"} <= seen
    bin_dir = Path(sys.executable).parent
    for argv in commands:
        program = argv[0]
        if program == "python":
            assert argv[1] == "manage.py"
            assert (ROOT / "manage.py").exists()
            assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
        elif program == "gunicorn":
            assert (bin_dir / "gunicorn").exists() or shutil.which("gunicorn")
            assert argv[1:3] == ["-c", "config/gunicorn.py"]  # its logs go through our filter
            assert (ROOT / argv[2]).exists()
            module, attribute = argv[3].split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
        elif program == "celery":
            assert (bin_dir / "celery").exists() or shutil.which("celery")
            assert argv[1:3] == ["-A", "config"]
            assert importlib.import_module("config").celery_app.main == "config"
            assert argv[3] in {"worker", "beat"}
        else:
            pytest.fail(f"unknown program in docker-compose.yml: {program}")


def test_the_dockerfile_copies_what_exists_and_every_app():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = set()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
                copied.add(source)
    ours = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name).is_dir()}
    assert ours and ours <= copied, f"the image lacks {ours - copied}"


def test_migrations_are_up_to_date(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_ci_script_installs_and_runs_the_readme_commands():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in script
    assert "REQUIRE_SERVICES=1" in script
    assert "make test\n" in script
    assert "make lint" in script
