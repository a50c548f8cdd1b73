"""Celery application.

Without a broker configured (``CELERY_BROKER_URL`` / ``REDIS_URL`` unset) tasks run eagerly
in-process: that is the embedded default used by ``make run``.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**_: Any) -> None:
    """Workers and beat log through the project's one handler and its redacting filter
    (``LOGGING``) instead of the handlers Celery would install on the root logger."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
