import pytest

from config.celery import app as celery_app
from tests.plugin import services


@pytest.fixture
def broker(settings):
    """Point Celery at a broker URL for the duration of a test."""
    original = celery_app.conf.broker_url

    def use(url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        celery_app.conf.broker_url = url

    yield use
    celery_app.conf.broker_url = original


@pytest.mark.django_db
def test_healthz_reports_the_database_and_an_eager_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reports_a_reachable_redis_broker(client, broker):
    broker(services["redis_url"])

    assert client.get("/healthz").json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_broker_that_does_not_answer_without_failing(client, broker):
    broker("redis://127.0.0.1:1/0")  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 200  # the web app still serves without its broker
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import OperationalError, connection

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
