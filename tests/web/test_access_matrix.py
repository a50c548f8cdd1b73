"""The pages' access matrix: every page that names an object, read and written, by every kind
of user. What a person may not see is a 404 (a sign-in first for someone signed out), and a
refused call leaves the database as it was; a page a person may see shows nothing of another
company's bookings. The API's own matrix is ``tests/api/test_permissions.py``."""

from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from accounts.models import ApiToken, AuditEntry
from accounts.services import token_create
from billing.models import BillableLine, BillingAccount, Invoice, PlatformBilling, Programme
from bookings.models import (
    Booking,
    Company,
    Enrolment,
    TrainingSession,
    UsageFeedback,
    WaitingEntry,
)
from bookings.services import training_enrol, training_schedule, waiting_join
from notifications.webhook_models import WebhookDelivery, WebhookEndpoint
from platforms.models import (
    Closure,
    Machine,
    OpeningHours,
    Qualification,
    QualificationRecognition,
)
from platforms.services import closure_create
from reports.models import ExportStatus, ReportExport, ReportSubscription
from reports.services import subscription_create
from tests.conftest import paris
from tests.factories import CompanyFactory
from tests.world import ROLES, build_world, expect, fill

pytestmark = [pytest.mark.django_db]

SECRET_NOTE = "Plan de production confidentiel"
LOGIN = "login"  # a signed-out visitor is sent to sign in


@pytest.fixture
def world(db: Any, frozen_now: Any) -> Any:
    world = build_world()
    world.booking.note = SECRET_NOTE
    world.booking.save(update_fields=["note"])
    platform = world.machine.platform
    operator, funder = world.users["operator"], world.users["funder"]
    world.closure = closure_create(
        platform=platform,
        user=operator,
        title="Entretien hebdomadaire",
        start=paris(2027, 1, 8, 8),
        end=paris(2027, 1, 8, 9),
        machine=world.machine,
        frequency="WEEKLY",
    )
    programme = Programme.objects.get(funders=funder)
    world.export = ReportExport.objects.create(
        owner=funder,
        parameters={},
        format="csv",
        status=ExportStatus.DONE,
        filename="rapport.csv",
        content=b"plateforme;heures\n",
    )
    world.subscription = subscription_create(
        user=funder, email="suivi@bpifrance.example", frequency="monthly", programme_id=programme.pk
    )
    world.token, _ = token_create(user=world.users["member_a"], name="ERP")
    world.waiting = CompanyFactory(name="PME en attente", validated_at=None)
    world.recognition = QualificationRecognition.objects.create(
        platform=platform, accepts=world.other_machine.platform, category="laser"
    )
    world.incident = UsageFeedback.objects.create(
        booking=world.booking, worked=False, report="Buse bouchée", given_by=world.users["member_a"]
    )
    world.session = training_schedule(
        operator=operator,
        machine=world.machine,
        start=paris(2027, 1, 13, 14),
        end=paris(2027, 1, 13, 17),
        capacity=4,
    )
    world.enrolment = training_enrol(
        session=world.session, person=world.users["member_a"], actor=world.users["member_a"]
    )
    world.entry = waiting_join(
        machine=world.machine,
        company=world.company_a,
        user=world.users["member_a"],
        start=paris(2027, 1, 6, 10),
        end=paris(2027, 1, 6, 11),
    )
    world.webhook = WebhookEndpoint.objects.create(
        url="https://erp.example.fr/hooks",
        events=["booking.created"],
        platform=platform,
        secret="s",
    )
    world.delivery = WebhookDelivery.objects.create(
        endpoint=world.webhook, event="booking.created", event_id="e1", body="{}", status="failed"
    )
    return world


def snapshot() -> tuple[Any, ...]:
    """Everything a page of the matrix could write."""
    return (
        [model_to_dict(b) for b in Booking.objects.order_by("pk")],
        list(Company.objects.order_by("pk").values()),
        [model_to_dict(q) for q in Qualification.objects.order_by("pk")],
        [model_to_dict(m, exclude=["operators"]) for m in Machine.objects.order_by("pk")],
        list(OpeningHours.objects.order_by("pk").values()),
        list(Closure.objects.order_by("pk").values()),
        list(ApiToken.objects.order_by("pk").values("pk", "revoked_at")),
        list(ReportSubscription.objects.order_by("pk").values("pk", "active")),
        ReportExport.objects.count(),
        AuditEntry.objects.count(),
        list(BillableLine.objects.order_by("pk").values("pk", "waived")),
        list(Invoice.objects.order_by("pk").values("pk", "sha256")),
        list(BillingAccount.objects.order_by("pk").values()),
        list(PlatformBilling.objects.order_by("pk").values()),
        list(WaitingEntry.objects.order_by("pk").values()),
        list(QualificationRecognition.objects.order_by("pk").values()),
        list(UsageFeedback.objects.order_by("pk").values()),
        list(TrainingSession.objects.order_by("pk").values()),
        list(Enrolment.objects.order_by("pk").values()),
        list(WebhookEndpoint.objects.order_by("pk").values()),
        list(WebhookDelivery.objects.order_by("pk").values("pk", "status")),
    )


OK = "ok"  # read, done, or a form error for a person allowed here (200, a redirect or 422)


# Who may see a company A booking's SME page, the platform's operator pages, the funder's files.
COMPANY_A = expect(LOGIN, OK, 404, 404, 404, 404, 404)
PLATFORM_P = expect(LOGIN, 404, 404, OK, 404, 404, OK)
FUNDERS_OWN = expect(LOGIN, 404, 404, 404, 404, OK, 404)
ANY_OPERATOR = expect(LOGIN, 404, 404, OK, OK, 404, OK)

MATRIX = [
    # (label, method, url, data, expected per role)
    ("machine week", "get", "/machines/{machine}/", None, expect(OK, OK, OK, OK, OK, OK, OK)),
    (
        "book for A",
        "post",
        "/machines/{machine}/book/",
        {"company": "{company_a}", "start": "2027-01-07T10:00", "end": "2027-01-07T11:00"},
        # company A is not among the others' choices: a form error, nothing booked
        expect(LOGIN, OK, 422, 422, 422, 422, 422),
    ),
    ("booking page", "get", "/bookings/{booking}/", None, COMPANY_A),
    ("booking .ics", "get", "/bookings/{booking}/booking.ics", None, COMPANY_A),
    ("cancel page", "get", "/bookings/{booking}/cancel/", None, COMPANY_A),
    ("leave a waiting list", "post", "/bookings/waiting/{entry}/leave/", {}, COMPANY_A),
    ("cancel", "post", "/bookings/{booking}/cancel/", {"reason": "x"}, COMPANY_A),
    ("move page", "get", "/bookings/{booking}/move/", None, COMPANY_A),
    (
        "move",
        "post",
        "/bookings/{booking}/move/",
        {"start": "2027-01-08T10:00", "end": "2027-01-08T11:00"},
        COMPANY_A,
    ),
    ("members of A", "get", "/companies/{company_a}/members/", None, COMPANY_A),
    (
        "invite into A",
        "post",
        "/companies/{company_a}/members/",
        {"email": "nouveau@pme-a.fr", "role": "member"},
        COMPANY_A,
    ),
    ("renew A's feed", "post", "/profile/companies/{company_a}/ical-token/", {}, COMPANY_A),
    ("revoke A's key", "post", "/profile/tokens/{token}/revoke/", {}, COMPANY_A),
    (
        "renew machine feed",
        "post",
        "/profile/machines/{machine}/ical-token/",
        {},
        # the profile lists the feeds of the platforms one runs; staff renew them in the admin
        expect(LOGIN, 404, 404, OK, 404, 404, 404),
    ),
    ("platform week", "get", "/operator/platforms/{platform}/", None, PLATFORM_P),
    (
        "platform day",
        "get",
        "/operator/platforms/{platform}/?day=2027-01-06",
        None,
        PLATFORM_P,
    ),
    ("operator's booking", "get", "/operator/bookings/{booking}/", None, PLATFORM_P),
    (
        "operator cancels",
        "post",
        "/operator/bookings/{booking}/",
        {"action": "cancel", "reason": "panne"},
        PLATFORM_P,
    ),
    ("approve", "post", "/operator/bookings/{booking}/approve/", {}, PLATFORM_P),
    ("reject", "post", "/operator/bookings/{booking}/reject/", {"reason": "non"}, PLATFORM_P),
    (
        "usage",
        "post",
        "/operator/bookings/{booking}/usage/",
        {"start": "2027-01-06T10:00", "end": "2027-01-06T11:00"},
        PLATFORM_P,
    ),
    ("started", "post", "/operator/bookings/{booking}/started/", {}, PLATFORM_P),
    ("ended", "post", "/operator/bookings/{booking}/ended/", {}, PLATFORM_P),
    ("closures", "get", "/operator/platforms/{platform}/closures/", None, PLATFORM_P),
    (
        "place a closure",
        "post",
        "/operator/platforms/{platform}/closures/",
        {"kind": "closure", "title": "Fermé", "start_date": "2027-01-12", "repeat": ""},
        PLATFORM_P,
    ),
    ("closure page", "get", "/operator/closures/{closure}/", None, PLATFORM_P),
    (
        "skip an occurrence",
        "post",
        "/operator/closures/{closure}/occurrence/",
        {"original": "{occurrence}"},
        PLATFORM_P,
    ),
    ("remove closure", "post", "/operator/closures/{closure}/remove/", {}, PLATFORM_P),
    ("book on behalf", "get", "/operator/machines/{machine}/book/", None, PLATFORM_P),
    (
        "block time",
        "post",
        "/operator/machines/{machine}/book/",
        {"start": "2027-01-07T14:00", "end": "2027-01-07T15:00"},
        PLATFORM_P,
    ),
    ("machine rules", "get", "/operator/machines/{machine}/", None, PLATFORM_P),
    ("add a photo", "post", "/operator/machines/{machine}/photos/", {}, PLATFORM_P),
    ("add a document", "post", "/operator/machines/{machine}/documents/", {}, PLATFORM_P),
    (
        "edit machine",
        "post",
        "/operator/machines/{machine}/",
        {"name": "Renommée", "slot_minutes": 30},
        PLATFORM_P,
    ),
    ("opening hours", "get", "/operator/platforms/{platform}/hours/", None, PLATFORM_P),
    (
        "replace opening hours",
        "post",
        "/operator/platforms/{platform}/hours/",
        {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"},
        PLATFORM_P,
    ),
    (
        "grant qualification",
        "post",
        "/operator/qualifications/{qualification}/grant/",
        {},
        PLATFORM_P,
    ),
    (
        "refuse qualification",
        "post",
        "/operator/qualifications/{qualification}/refuse/",
        {},
        PLATFORM_P,
    ),
    (
        "stop accepting a platform's qualifications",
        "post",
        "/operator/qualifications/recognitions/{recognition}/remove/",
        {},
        PLATFORM_P,
    ),
    ("say how it went", "post", "/bookings/{booking}/feedback/", {"worked": "no"}, COMPANY_A),
    ("incident", "get", "/operator/incidents/{incident}/", None, PLATFORM_P),
    (
        "incident into maintenance",
        "post",
        "/operator/incidents/{incident}/",
        {"start": "2027-01-12T08:00", "end": "2027-01-12T12:00"},
        PLATFORM_P,
    ),
    ("close an incident", "post", "/operator/incidents/{incident}/close/", {}, PLATFORM_P),
    ("training sessions", "get", "/operator/training/", None, ANY_OPERATOR),
    ("the machine's QR sheet", "get", "/operator/machines/{machine}/qr/", None, PLATFORM_P),
    (
        "start at the machine",
        "get",
        "/machines/{machine}/use/",
        None,
        expect(LOGIN, OK, OK, OK, OK, OK, OK),
    ),
    ("a training session", "get", "/operator/training/{session}/", None, PLATFORM_P),
    (
        "record attendance",
        "post",
        "/operator/training/{session}/attendance/",
        {"person": "{member_a}", "attended": "yes"},
        PLATFORM_P,
    ),
    ("cancel a session", "post", "/operator/training/{session}/cancel/", {}, PLATFORM_P),
    ("give up A's seat", "post", "/training/seats/{enrolment}/withdraw/", {}, COMPANY_A),
    ("company A for operators", "get", "/operator/companies/{company_a}/", None, PLATFORM_P),
    ("waiting company", "get", "/operator/companies/{waiting}/", None, ANY_OPERATOR),
    ("validate", "post", "/operator/companies/{waiting}/validate/", {}, ANY_OPERATOR),
    (
        "refuse company",
        "post",
        "/operator/companies/{waiting}/refuse/",
        {"reason": "SIRET inconnu"},
        ANY_OPERATOR,
    ),
    (
        "platform's report",
        "get",
        "/reports/?platform={platform}",
        None,
        expect(LOGIN, OK, OK, OK, OK, OK, OK),
    ),
    (
        "platform's download",
        "get",
        "/reports/download/?platform={platform}&format=csv",
        None,
        expect(LOGIN, 404, 404, OK, 404, OK, OK),
    ),
    (
        "invoice PDF",
        "get",
        "/invoices/{invoice}/pdf/",
        None,
        expect(LOGIN, OK, 404, OK, 404, 404, OK),
    ),
    ("billing details of A", "get", "/invoices/companies/{company_a}/", None, COMPANY_A),
    (
        "set A's billing details",
        "post",
        "/invoices/companies/{company_a}/",
        {"email": "compta@pme-a.fr", "de_minimis_declared": "1000"},
        COMPANY_A,
    ),
    ("A's de minimis", "get", "/invoices/companies/{company_a}/de-minimis.pdf", None, COMPANY_A),
    ("billing of P", "get", "/operator/billing/?platform={platform}", None, ANY_OPERATOR),
    (
        "invoicing details of P",
        "get",
        "/operator/platforms/{platform}/invoicing/",
        None,
        PLATFORM_P,
    ),
    (
        "set P's invoicing details",
        "post",
        "/operator/platforms/{platform}/invoicing/",
        {"legal_name": "Autre", "payment_days": "30"},
        PLATFORM_P,
    ),
    ("waive P's line", "post", "/operator/billing/lines/{line}/waive/", {}, PLATFORM_P),
    (
        "credit A's invoice",
        "post",
        "/operator/invoices/{invoice}/credit/",
        {"reason": "x"},
        PLATFORM_P,
    ),
    (
        "consumable on P",
        "post",
        "/operator/billing/consumable/",
        {
            "platform": "{platform}",
            "company": "{company_a}",
            "name": "Vis",
            "quantity": "1",
            "unit_price_ht": "2",
            "vat_rate": "20.00",
            "on": "2027-01-04",
        },
        # another operator's form names their own platform: company A is not among its choices
        expect(LOGIN, 404, 404, OK, OK, 404, OK),
    ),
    (
        "journal of P",
        "get",
        "/operator/billing/journal.csv?platform={platform}&month=2027-01",
        None,
        ANY_OPERATOR,
    ),
    ("funder's export", "get", "/reports/exports/{export}/", None, FUNDERS_OWN),
    ("funder's export file", "get", "/reports/exports/{export}/file/", None, FUNDERS_OWN),
    (
        "stop funder's subscription",
        "post",
        "/reports/subscriptions/{subscription}/stop/",
        {},
        FUNDERS_OWN,
    ),
    # What operators set up themselves (issue 30, 1).
    ("P's settings", "get", "/operator/platforms/{platform}/settings/", None, PLATFORM_P),
    ("new machine on P", "get", "/operator/platforms/{platform}/machines/new/", None, PLATFORM_P),
    (
        "add a machine to P",
        "post",
        "/operator/platforms/{platform}/machines/new/",
        {"name": "", "category": "laser"},
        PLATFORM_P,
    ),
    (
        "invite an operator to P",
        "post",
        "/operator/platforms/{platform}/settings/",
        {"action": "invite", "email": "not-an-address"},
        PLATFORM_P,
    ),
    (
        "change P's price groups",
        "post",
        "/operator/platforms/{platform}/settings/",
        {"action": "save", "city": "Lyon", "sme_percent": "5000"},
        PLATFORM_P,
    ),
    # Webhooks: a platform's (P's here) are its operators'; a company's, its administrators'.
    ("webhooks", "get", "/webhooks/", None, expect(LOGIN, OK, 404, OK, OK, 404, OK)),
    ("P's webhook", "get", "/webhooks/{webhook}/", None, PLATFORM_P),
    (
        "send P's webhook again",
        "post",
        "/webhooks/{webhook}/action/",
        {"action": "resend", "delivery": "{delivery}"},
        PLATFORM_P,
    ),
    (
        "delete P's webhook",
        "post",
        "/webhooks/{webhook}/action/",
        {"action": "delete"},
        PLATFORM_P,
    ),
]


def _ids(world: Any) -> dict[str, Any]:
    return {
        "platform": world.machine.platform_id,
        "machine": world.machine.pk,
        "booking": world.booking.pk,
        "company_a": world.company_a.pk,
        "qualification": world.qualification.pk,
        "closure": world.closure.pk,
        "occurrence": int(paris(2027, 1, 15, 8).timestamp()),
        "export": world.export.pk,
        "subscription": world.subscription.pk,
        "token": world.token.pk,
        "waiting": world.waiting.pk,
        "entry": world.entry.pk,
        "recognition": world.recognition.pk,
        "incident": world.incident.pk,
        "session": world.session.pk,
        "enrolment": world.enrolment.pk,
        "member_a": world.users["member_a"].pk,
        "invoice": world.invoice.pk,
        "line": world.line.pk,
        "webhook": world.webhook.pk,
        "delivery": world.delivery.pk,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("label", "method", "url", "data", "expected"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_page_access_matrix(
    world: Any,
    client: Client,
    role: str,
    label: str,
    method: str,
    url: str,
    data: Any,
    expected: dict[str, Any],
) -> None:
    # given
    if world.users[role] is not None:
        client.force_login(world.users[role])
    ids = _ids(world)
    before = snapshot()

    # when
    response = getattr(client, method)(fill(url, ids), fill(data, ids))

    # then
    wanted = expected[role]
    if wanted == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif wanted == OK:
        assert response.status_code in (200, 302, 422), response.content[:300]
        assert "/login/" not in response.get("Location", "")
    else:
        assert response.status_code == wanted, response.content[:300]
    if wanted != OK:
        assert snapshot() == before, "a refused call changed the database"
    if wanted == OK and method == "get" and role not in ("member_a", "operator", "staff"):
        content = response.content.decode(errors="replace")
        assert SECRET_NOTE not in content and world.company_a.name not in content, (
            "another company's booking shown"
        )
