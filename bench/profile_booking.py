"""Where a booking request spends its time, in-process: the WSGI application called directly
(no socket, no server), so what remains is Django, DRF, the booking core and PostgreSQL.

Sends N requests to ``POST /api/v1/bookings/`` (each with its own ``Idempotency-Key``) and N to
the bare insert (``BENCH_ENDPOINTS=1``), alternating, and reports the median time of each, the
statements each runs, and with ``--profile`` the functions that cost most (cProfile).

    .venv/bin/python bench/profile_booking.py --database-url postgres://…/fablab_bench_500_1000000
"""

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_booking import (  # noqa: E402
    MEMBER_PREFIX,
    NOTE,
    add_network_arguments,
    bench_environment,
    bench_requests,
)


def _environ(path: str, token: str, body: bytes, key: str | None) -> dict[str, Any]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if key is not None:
        environ["HTTP_IDEMPOTENCY_KEY"] = key
    return environ


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--only",
        choices=["bare insert", "booking"],
        help="send only these requests (to count instructions under valgrind --tool=callgrind)",
    )
    parser.add_argument(
        "--profile-out", help="also write the profile to this file (for pstats or snakeviz)"
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="time each statement and its database CPU (adds its own cost to each request)",
    )
    add_network_arguments(parser, "fablab_bench_500_1000000")
    args = parser.parse_args()
    env = bench_environment(args.database_url, args.redis_url if args.members else None)
    os.environ.clear()  # without the broker it was not given
    os.environ.update(env)

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bookings.models import Booking

    token, bodies, tokens = bench_requests(2 * args.requests + 40, args.seed, args.members)
    gc.freeze()

    def backend_ticks() -> int:
        """CPU ticks (user + system) the PostgreSQL backend of this connection has used."""
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def call(path: str, body: dict[str, Any], keyed: bool) -> tuple[float, int]:
        user_token = token
        if keyed and tokens:  # the booking, by the company's administrator
            user_token = tokens[body["company"]]
            body = {name: value for name, value in body.items() if name != "company"}
        raw = json.dumps(body).encode()
        environ = _environ(path, user_token, raw, str(uuid.uuid4()) if keyed else None)
        status: list[str] = []
        started = time.perf_counter()
        chunks = application(environ, lambda s, h, *a: status.append(s))
        b"".join(chunks)
        elapsed = time.perf_counter() - started
        return elapsed, int(status[0].split()[0])

    endpoints = {
        "bare insert": ("/api/bench/bare-insert/", False),
        "booking": ("/api/v1/bookings/", True),
    }
    try:
        # Warm up, then count the statements of one request of each.
        for index, (path, keyed) in enumerate(endpoints.values()):
            for body in bodies[index * 20 : index * 20 + 19]:
                call(path, body, keyed)
        statements: dict[str, list[str]] = {}
        for index, (name, (path, keyed)) in enumerate(endpoints.items()):
            with CaptureQueriesContext(connection) as queries:
                call(path, bodies[index * 20 + 19], keyed)
            statements[name] = [q["sql"] for q in queries.captured_queries]
        times: dict[str, list[float]] = {name: [] for name in endpoints}
        # CPU seconds of this process (Python) and of the database backend, per endpoint.
        python_cpu = dict.fromkeys(endpoints, 0.0)
        cpu_each: dict[str, list[float]] = {name: [] for name in endpoints}
        database_ticks = dict.fromkeys(endpoints, 0)
        statuses: dict[str, dict[int, int]] = {name: {} for name in endpoints}
        profiler = cProfile.Profile() if args.profile else None
        # Time spent in each statement (from sending it to its answer), by its first words.
        spent: dict[str, dict[str, list[float]]] = {name: {} for name in endpoints}
        current: list[str] = ["bare insert"]

        # And the database's CPU ticks for each.
        ticked: dict[str, dict[str, int]] = {name: {} for name in endpoints}

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            ticks = backend_ticks()
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                elapsed = time.perf_counter() - started
                label = " ".join(sql.split()[:4])[:60]
                if label.split()[0] in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
                    label = label.rsplit(" ", 1)[0]
                spent[current[0]].setdefault(label, []).append(elapsed)
                mine = ticked[current[0]]
                mine[label] = mine.get(label, 0) + backend_ticks() - ticks

        # The profile covers the booking, or the one endpoint asked for (``--only``).
        profiled = args.only or "booking"
        rest = bodies[40:]
        # Marks for `valgrind --tool=callgrind --dump-before=sched_yield`: the requests, and
        # nothing else, fall between the first two dumps (bench/README.md).
        os.sched_yield()
        for number in range(args.requests):
            for index, (name, (path, keyed)) in enumerate(endpoints.items()):
                if args.only and name != args.only:
                    continue
                body = rest[2 * number + index]
                if profiler and name == profiled:
                    profiler.enable()
                current[0] = name
                ticks = backend_ticks()
                cpu = time.process_time()
                if args.statements:
                    with connection.execute_wrapper(timed):
                        elapsed, code = call(path, body, keyed)
                else:
                    elapsed, code = call(path, body, keyed)
                cpu = time.process_time() - cpu
                python_cpu[name] += cpu
                cpu_each[name].append(cpu)
                database_ticks[name] += backend_ticks() - ticks
                if profiler and name == profiled:
                    profiler.disable()
                times[name].append(elapsed)
                statuses[name][code] = statuses[name].get(code, 0) + 1
        os.sched_yield()
        with connection.cursor() as cursor:
            # What PostgreSQL planned once (generic) and what it planned every time (custom).
            cursor.execute(
                "SELECT generic_plans, custom_plans, left(regexp_replace(statement, '\\s+', ' ',"
                " 'g'), 70) FROM pg_prepared_statements ORDER BY custom_plans DESC"
            )
            plans = cursor.fetchall()
    finally:
        Booking.objects.filter(note=NOTE).delete()
        if args.members:
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
            User.objects.filter(email__startswith=MEMBER_PREFIX).delete()

    if args.only:  # under callgrind, say: what counts is the instructions, not the times
        endpoints = {args.only: endpoints[args.only]}
    medians = {name: statistics.median(times[name]) * 1000 for name in endpoints}
    tick = os.sysconf("SC_CLK_TCK")
    for name in endpoints:
        print(
            f"{name:12} median {medians[name]:6.2f} ms  statuses {statuses[name]}  "
            f"{len(statements[name])} statements  CPU per request: Python "
            f"{python_cpu[name] / args.requests * 1000:.2f} ms (median "
            f"{statistics.median(cpu_each[name]) * 1000:.2f}), PostgreSQL "
            f"{database_ticks[name] / tick / args.requests * 1000:.2f} ms"
        )
        for sql in statements[name]:
            print(f"    {sql[:110]}")
        if not args.statements:
            continue
        print("  per statement: median ms, count per request, database CPU ms per request")
        for label, values in spent[name].items():
            print(
                f"    {statistics.median(values) * 1000:6.3f}  "
                f"{len(values) / args.requests:4.2f}  "
                f"{ticked[name][label] / tick / args.requests * 1000:5.2f}  {label}"
            )
    if not args.only:
        print(
            f"ratio of medians (bare / booking): {medians['bare insert'] / medians['booking']:.0%}"
        )
    print("prepared statements: generic plans, custom plans, statement")
    for generic, custom, statement in plans:
        print(f"    {generic:6} {custom:6}  {statement}")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
        if args.profile_out:
            stats.dump_stats(args.profile_out)


if __name__ == "__main__":
    main()
