"""A flood of sign-ins with random names against the production shape (gunicorn, 3 workers,
PostgreSQL, Redis), while one visitor reads a machine's page: its latency with and without the
flood (issue 26, 4).

The flood: N connections each posting random e-mail addresses to ``/login/`` as fast as the
server answers (with the page's CSRF token), all from one client address. The visitor: one
connection reading ``/machines/<id>/`` in a loop. Prints the visitor's p50 and p95 alone,
then under the flood, and what the flood got back.

Usage (a PostgreSQL at DATABASE_URL, Redis at REDIS_URL; the demo is seeded first):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fablab_flood \\
    REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/signin_flood.py --connections 16 --seconds 20
"""

import argparse
import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shape import gunicorn

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _connection() -> http.client.HTTPConnection:
    # gunicorn's sync workers close each connection after its answer: one per request.
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)


def _get(path: str, cookie: str = "") -> tuple[int, bytes, str]:
    conn = _connection()
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, response.getheader("Set-Cookie") or ""


def _flood(stop: threading.Event, answers: Counter[int]) -> None:
    _status, body, set_cookie = _get("/login/")
    cookie = set_cookie.split(";")[0]
    token = TOKEN.search(body).group(1).decode()  # type: ignore[union-attr]
    while not stop.is_set():
        form = (
            f"csrfmiddlewaretoken={token}&username={secrets.token_hex(6)}%40example.fr"
            "&password=not-the-password"
        )
        conn = _connection()
        conn.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{PORT}/login/",
            },
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        answers[response.status] += 1


def _visit(path: str, seconds: float) -> list[float]:
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        began = time.perf_counter()
        status, _body, _cookie = _get(path)
        samples.append((time.perf_counter() - began) * 1000)
        assert status == 200, status
        time.sleep(0.05)
    return samples


def _percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples):.0f} ms, p95 {cuts[18]:.0f} ms ({len(samples)} reads)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    # Production settings, over plain HTTP on loopback (no TLS proxy in front here).
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
    }
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True)
    collect = [python, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    server = gunicorn(env, PORT)
    try:
        path = "/machines/1/"
        _visit(path, 2)  # warm the workers
        alone = _visit(path, args.seconds / 2)
        stop, answers = threading.Event(), Counter[int]()
        flooders = [
            threading.Thread(target=_flood, args=(stop, answers), daemon=True)
            for _ in range(args.connections)
        ]
        for thread in flooders:
            thread.start()
        time.sleep(1)
        flooded = _visit(path, args.seconds)
        stop.set()
        print(f"{path} alone:            {_percentiles(alone)}")
        print(f"{path} under the flood:  {_percentiles(flooded)}")
        print(f"flood ({args.connections} connections): {dict(answers)} answers by status")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
