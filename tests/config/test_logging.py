"""Each log line is written once."""

import logging

import pytest


def handlers_reached(name: str) -> list[logging.Handler]:
    """The handlers a record of logger ``name`` reaches, pytest's capture left aside."""
    logger: logging.Logger | None = logging.getLogger(name)
    reached: list[logging.Handler] = []
    while logger is not None:
        reached += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        if not logger.propagate:
            break
        logger = logger.parent
    return reached


@pytest.mark.parametrize(
    "name", ["django.request", "django.utils.autoreload", "bookings.services", "django.db.backends"]
)
def test_a_log_record_reaches_one_handler(name):
    assert len(handlers_reached(name)) == 1
