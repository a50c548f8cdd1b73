"""Webhooks in the API: who may register one for what (a platform one operates, a company one
administers), who sees, resumes, re-sends and deletes it; the secret shown once; hostile bodies
answered with a 4xx and nothing written."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.webhook_models import WebhookDelivery, WebhookEndpoint
from tests.api.test_fuzz import FUZZ, body_of, raw_bodies, values
from tests.world import ROLES, expect

pytestmark = [pytest.mark.django_db]

HOOK = "http://127.0.0.1:9/hooks/fablab"
EVENTS = ["booking.created", "invoice.issued"]


@pytest.fixture(autouse=True)
def _private_receivers(settings):
    # The receivers of these tests would be on this machine (nothing is sent here).
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def hook(world):
    endpoint = WebhookEndpoint.objects.create(
        url=HOOK, events=EVENTS, platform=world.machine.platform, secret="s" * 64
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="booking.created", event_id="e1", body="{}", status="failed"
    )
    return endpoint


def snapshot():
    return (
        list(WebhookEndpoint.objects.order_by("pk").values()),
        list(WebhookDelivery.objects.order_by("pk").values("pk", "status", "attempts")),
    )


P_ONLY = expect(401, 404, 404, 200, 404, 404, 200)
MATRIX = [
    ("list", "get", "/api/v1/webhooks/", None, expect(401, 200, 200, 200, 200, 200, 200)),
    (
        "register for P",
        "post",
        "/api/v1/webhooks/",
        {"url": HOOK, "events": EVENTS, "platform": "{platform}"},
        expect(401, 403, 403, 201, 403, 403, 201),
    ),
    (
        "register for company A",
        "post",
        "/api/v1/webhooks/",
        {"url": HOOK, "events": EVENTS, "company": "{company_a}"},
        expect(401, 201, 403, 403, 403, 403, 403),
    ),
    ("P's webhook", "get", "/api/v1/webhooks/{hook}/", None, P_ONLY),
    ("P's deliveries", "get", "/api/v1/webhooks/{hook}/deliveries/", None, P_ONLY),
    ("resume P's", "post", "/api/v1/webhooks/{hook}/resume/", {}, P_ONLY),
    ("resend P's", "post", "/api/v1/webhooks/{hook}/resend/", {"delivery": "{delivery}"}, P_ONLY),
    (
        "delete P's",
        "delete",
        "/api/v1/webhooks/{hook}/",
        None,
        expect(401, 404, 404, 204, 404, 404, 204),
    ),
]


def _fill(value, ids):
    if isinstance(value, str):
        for name, key in ids.items():
            if value == "{" + name + "}":
                return key
            value = value.replace("{" + name + "}", str(key))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("label", "method", "url", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_webhook_matrix(world, hook, api_as, role, label, method, url, body, expected):
    ids = {
        "platform": world.machine.platform_id,
        "company_a": world.company_a.pk,
        "hook": hook.pk,
        "delivery": hook.deliveries.get().pk,
    }
    before = snapshot()

    response = getattr(api_as(role), method)(_fill(url, ids), _fill(body, ids), format="json")

    assert response.status_code == expected[role], response.content[:300]
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "detail"}
        assert snapshot() == before, "a refused call changed the database"
    if response.status_code == 201:
        made = response.json()
        assert len(made["secret"]) == 64
        listed = api_as(role).get("/api/v1/webhooks/").json()["results"]
        assert all("secret" not in row for row in listed)
        assert made["id"] in [row["id"] for row in listed]


def test_each_lists_only_its_own(world, hook, api_as):
    seen = {
        role: [row["id"] for row in api_as(role).get("/api/v1/webhooks/").json()["results"]]
        for role in ROLES
        if role != "anonymous"
    }

    assert seen == {
        "member_a": [],
        "member_b": [],
        "operator": [hook.pk],
        "other_operator": [],
        "funder": [],
        "staff": [hook.pk],
    }


@pytest.mark.parametrize("role", ["operator", "member_a"])
def test_hostile_bodies_never_get_a_5xx(world, api_as, role):
    client = api_as(role)
    ids = st.one_of(st.sampled_from([world.machine.platform_id, world.company_a.pk]), values)
    urls = st.one_of(
        st.sampled_from([HOOK, "https://[::1]/x", "https://a:b@c/", "javascript:alert(1)", ""]),
        st.text(max_size=600),
    )
    events = st.one_of(st.lists(st.sampled_from([*EVENTS, "booking.moved", "x"])), values)

    @FUZZ
    @given(
        body=st.one_of(
            st.fixed_dictionaries(
                {},
                optional={"url": urls, "events": events, "platform": ids, "company": ids},
            ).map(json.dumps),
            body_of("url", "events", "platform", "company", ids=ids).map(json.dumps),
            raw_bodies,
        )
    )
    def send(body: str) -> None:
        before = snapshot()
        response = client.generic(
            "POST", "/api/v1/webhooks/", body, content_type="application/json"
        )
        assert response.status_code < 500, response.content[:300]
        if response.status_code >= 400:
            assert "code" in response.json()
            assert snapshot() == before

    send()
