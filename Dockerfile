# The production image: gunicorn for web, the same image for Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY config ./config
COPY accounts ./accounts
COPY platforms ./platforms
COPY bookings ./bookings
COPY billing ./billing
COPY notifications ./notifications
COPY reports ./reports
COPY web ./web
COPY demo ./demo
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install . \
    && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput

USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
