"""Webhooks on the pages: an operator registers one and sees its secret once, reads the delivery
log, sends a delivery again, resumes a paused endpoint, deletes it; a loopback address is a form
error in production settings; hostile forms never get a 500 nor write half a webhook."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.models import AuditEntry
from notifications.webhook_models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db]

HOOK = "http://127.0.0.1:9/hooks/fablab"


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(user)
    return client


def test_an_operator_registers_a_webhook_and_sees_its_secret_once(settings, operator, machine):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    client = browser(operator)
    page = client.get("/webhooks/")
    assert page.status_code == 200
    assert "Nouveau webhook" in page.content.decode()

    made = client.post(
        "/webhooks/",
        {
            "url": HOOK,
            "owner": f"platform:{machine.platform_id}",
            "events": ["booking.created", "invoice.issued"],
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/webhooks/{endpoint.pk}/"
    shown = client.get(made["Location"]).content.decode()
    assert endpoint.secret in shown
    assert "X-Signature" in shown
    assert endpoint.secret not in client.get(made["Location"]).content.decode()
    assert endpoint.events == ["booking.created", "invoice.issued"]
    assert AuditEntry.objects.filter(action="webhook.created").exists()
    assert HOOK in client.get("/webhooks/").content.decode()


def test_a_loopback_address_is_a_form_error_in_production_settings(operator, machine):
    client = browser(operator)

    answer = client.post(
        "/webhooks/",
        {"url": HOOK, "owner": f"platform:{machine.platform_id}", "events": ["booking.created"]},
    )

    assert answer.status_code == 422
    assert "elle doit commencer par https://" in answer.content.decode()
    answer = client.post(
        "/webhooks/",
        {
            "url": "https://127.0.0.1/hook",
            "owner": f"platform:{machine.platform_id}",
            "events": ["booking.created"],
        },
    )
    assert "adresse privée, de bouclage ou du réseau local" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_sends_again_and_a_paused_webhook_resumes(
    operator, machine, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpoint.objects.create(
        url="https://erp.example.fr/hooks",
        events=["booking.created"],
        platform=machine.platform,
        secret="s" * 64,
        paused_at=timezone.now(),
        failures=10,
    )
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="booking.created",
        event_id="booking.created:1:v1",
        body="{}",
        status="failed",
        attempts=8,
        last_error="HTTP 500",
    )
    client = browser(operator)
    page = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "En pause" in page and "10 échecs consécutifs" in page
    assert "HTTP 500" in page and "Renvoyer" in page

    with django_capture_on_commit_callbacks(execute=False):
        client.post(f"/webhooks/{endpoint.pk}/action/", {"action": "resend", "delivery": failed.pk})
        client.post(f"/webhooks/{endpoint.pk}/action/", {"action": "resume"})

    failed.refresh_from_db()
    endpoint.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert endpoint.paused_at is None and endpoint.failures == 0
    deleted = client.post(f"/webhooks/{endpoint.pk}/action/", {"action": "delete"})
    assert deleted["Location"] == "/webhooks/"
    assert not WebhookEndpoint.objects.exists()


def test_a_member_who_administers_nothing_has_no_webhooks_page(member):
    assert browser(member).get("/webhooks/").status_code == 404


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    form=st.fixed_dictionaries(
        {},
        optional={
            "url": st.one_of(st.sampled_from(["https://[::1]/", "javascript:x", HOOK]), st.text()),
            "owner": st.one_of(
                st.sampled_from(["platform:²", "company:1", "platform:"]), st.text()
            ),
            "events": st.lists(st.one_of(st.sampled_from(["booking.created"]), st.text())),
            "action": st.text(),
        },
    )
)
def test_hostile_forms_answer_a_page_and_write_nothing_half(operator, form):
    client = browser(operator)
    form = {
        k: [v.replace("\x00", "") for v in val]
        if isinstance(val, list)
        else val.replace("\x00", "")
        for k, val in form.items()
    }
    before = WebhookEndpoint.objects.count()

    answer = client.post("/webhooks/", form)

    assert answer.status_code in (302, 422)
    if answer.status_code == 422:
        assert WebhookEndpoint.objects.count() == before
    assert re.search(r"<h1>", client.get("/webhooks/").content.decode())
