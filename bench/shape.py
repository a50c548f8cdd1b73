"""The production shape for the benchmarks that need one: gunicorn with ``config/gunicorn.py``
on a local port, started and waited for."""

import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """gunicorn serving the application on 127.0.0.1:``port``, once ``/healthz`` answers."""
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "config/gunicorn.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        # its access log (config/gunicorn.py writes it to stdout, as in production): written,
        # not shown
        stdout=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    return server
