"""gunicorn's settings (``gunicorn -c config/gunicorn.py config.wsgi:application``). Its access
log prints every request line, calendar feed addresses and password-reset links included: both
of its logs pass through the project's redacting filter, like the application's."""

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.log_redaction.RedactingFilter"}},
    "formatters": {
        "access": {"format": "%(message)s"},
        "error": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"},
    },
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "access",
            "filters": ["redact"],
        },
        "error": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "error",
            "filters": ["redact"],
        },
    },
    # Until Django's own LOGGING takes over the root logger, as the application loads.
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}


def on_starting(server: object) -> None:
    """Refuse to start without the collected static files, saying what to run: with
    ``DEBUG`` off every page names them through WhiteNoise's manifest, and answered 500."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from config.static_files import require_collected_static

    require_collected_static()
