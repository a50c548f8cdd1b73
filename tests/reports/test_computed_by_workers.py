"""No request computes a report (issue 28): a view nobody asked for yet answers at once that it
is being computed and fills in by itself; an old one is served as it is while a worker computes
the next; one computation is asked for, however many people look meanwhile."""

import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from reports import tasks
from reports.models import ReportSnapshot
from reports.selectors import Scope
from reports.snapshots import report_recent
from tests.conftest import paris
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"start": date(2026, 10, 1), "end": date(2026, 11, 1)}


@pytest.fixture
def queued(monkeypatch: Any) -> list[tuple[Any, ...]]:
    """A worker that has not run yet: what is queued is only noted."""
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.report_snapshot_task, "delay", lambda *args: calls.append(args))
    return calls


def test_a_view_nobody_asked_for_answers_at_once_and_fills_in(
    client: Any, october: Any, queued: list[Any]
) -> None:
    operator = UserFactory()
    october.laser.platform.operators.add(operator)
    client.force_login(operator)
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        first = client.get(reverse("web:reports"))
        again = client.get(reverse("web:reports"))
        text = first.content.decode()
        assert first.status_code == 200 and "en cours de calcul" in text
        assert 'hx-trigger="every 2s"' in text and 'hx-select="#report"' in text
        assert len(queued) == 1 and "en cours de calcul" in again.content.decode()
        # the worker runs the task it was given
        tasks.report_snapshot_task(*queued[0])
        filled = client.get(reverse("web:reports"))
    assert "en cours de calcul" not in filled.content.decode()
    assert filled.context["report"]["totals"]["hours_used"] == 10.0  # January to November


def test_an_old_view_is_served_while_the_next_is_computed(
    october: Any, settings: Any, queued: list[Any]
) -> None:
    settings.REPORTS_SNAPSHOT_MINUTES = 10
    scope = Scope(platform_ids=(october.laser.platform_id,))
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        assert report_recent(scope=scope, **OCTOBER) == (None, None)
        tasks.report_snapshot_task(*queued.pop())
        fresh, at = report_recent(scope=scope, **OCTOBER)
    with time_machine.travel(paris(2026, 11, 20, 10, 30), tick=False):
        stale, stale_at = report_recent(scope=scope, **OCTOBER)
        report_recent(scope=scope, **OCTOBER)
    assert (stale, stale_at) == (fresh, at) and len(queued) == 1
    assert json.loads(json.dumps(stale)) == stale
    assert ReportSnapshot.objects.count() == 1


def test_the_api_answers_202_while_a_worker_computes_its_view(
    client: Any, october: Any, queued: list[Any]
) -> None:
    operator = UserFactory()
    october.laser.platform.operators.add(operator)
    client.force_login(operator)
    query = {"start": "2026-10-01", "end": "2026-11-01"}
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        waiting = client.get("/api/v1/reports/usage/", query, HTTP_ACCEPT_LANGUAGE="fr")
        assert waiting.status_code == 202 and waiting["Retry-After"] == "5"
        assert waiting.json()["code"] == "report_computing"
        assert "en cours de calcul" in waiting.json()["detail"]
        tasks.report_snapshot_task(*queued[0])
        ready = client.get("/api/v1/reports/usage/", query)
    assert ready.status_code == 200 and ready.json()["totals"]["hours_used"] == 7.5
