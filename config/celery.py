"""Celery application.

Without a broker configured (``CELERY_BROKER_URL`` / ``REDIS_URL`` unset) tasks run eagerly
in-process: that is the embedded default used by ``make run``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
