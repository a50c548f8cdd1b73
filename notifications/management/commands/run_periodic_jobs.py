"""Run the periodic jobs in this process: the embedded mode's stand-in for Celery beat.

``make run`` starts it beside the development server: with no broker, every job of
``CELERY_BEAT_SCHEDULE`` (the outbox relay, reminders, digests, no-shows, the nightly closure
rebuild…) runs here at its interval, and the messages they queue are sent in-process to the
console. In production, one ``celery beat`` does this instead (docs/OPERATIONS.md).
"""

import logging
import signal
import time
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs of CELERY_BEAT_SCHEDULE in-process (embedded mode, no beat)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        current_app.loader.import_default_modules()
        jobs = {}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            if not isinstance(entry["schedule"], int | float):
                raise CommandError(f"{name}: only intervals in seconds are supported here")
            jobs[name] = (current_app.tasks[entry["task"]], float(entry["schedule"]))
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        due = dict.fromkeys(jobs, time.monotonic())
        self.stdout.write(f"Periodic jobs running in-process: {', '.join(jobs)}")
        while not stopping:
            for name, (task, interval) in jobs.items():
                if stopping or due[name] > time.monotonic():
                    continue
                result = task.apply()
                if result.failed():
                    logger.error("Periodic job %s failed: %r", name, result.result)
                else:
                    logger.debug("Periodic job %s: %r", name, result.result)
                due[name] = time.monotonic() + interval
            if options["once"]:
                return
            time.sleep(max(0.0, min(1.0, min(due.values()) - time.monotonic())))
