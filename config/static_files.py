"""With ``DEBUG`` off, every page names its CSS and scripts through WhiteNoise's manifest of
collected static files; a clone started by hand without ``collectstatic`` would answer 500 on
every page. gunicorn refuses to start instead (``config/gunicorn.py``), and says what to run."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_collected_static() -> None:
    if settings.DEBUG:
        return  # runserver serves the files from the apps' folders
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file():
        raise ImproperlyConfigured(
            f"The static files are not collected ({manifest} is missing): run "
            "`python manage.py collectstatic --noinput` before starting the server (the "
            "Dockerfile does). Without them every page would answer 500."
        )
