"""A stored-XSS attempt (a company name, a machine name and a booking note carrying
``<script>`` and ``"><img onerror>``) is rendered as text everywhere: the SME's and the
operator's pages, the reports, the e-mails, the calendar feed and the exports."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_create
from tests.factories import CompanyFactory, MachineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT}{IMAGE}"


def _safe(html: str) -> None:
    assert SCRIPT not in html and "<img src=x" not in html, "a payload came out as markup"


@pytest.fixture
def hostile(db: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    operator = UserFactory(email="ops@fablab.fr", is_staff=True, is_superuser=True)
    machine = MachineFactory(name=f"Laser {PAYLOAD}", min_notice_hours=0)
    machine.platform.operators.add(operator)
    company = CompanyFactory(name=f"PME {PAYLOAD}")
    member = MembershipFactory(company=company, user__email="pme@xss.fr").user
    start = (timezone.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(
            machine=machine,
            company=company,
            user=member,
            start=start,
            end=start + timedelta(hours=1),
            note=f"Note {PAYLOAD}",
        )
    return {
        "operator": operator,
        "machine": machine,
        "company": company,
        "member": member,
        "booking": booking,
    }


def test_the_pages_show_the_payload_as_text(client: Any, hostile: dict[str, Any]) -> None:
    booking, machine = hostile["booking"], hostile["machine"]
    client.force_login(hostile["member"])
    for path in (
        "/",
        "/bookings/",
        f"/bookings/{booking.pk}/",
        f"/machines/{machine.pk}/",
        "/machines/",
        "/reports/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        _safe(page.content.decode())
    client.force_login(hostile["operator"])
    day = timezone.localtime(booking.start, machine.platform.tz).date().isoformat()
    for path in (
        "/operator/",
        f"/operator/platforms/{machine.platform_id}/",
        f"/operator/platforms/{machine.platform_id}/?day={day}",
        f"/operator/bookings/{booking.pk}/",
        "/operator/companies/",
        f"/operator/companies/{hostile['company'].pk}/",
        "/reports/",
        "/admin/bookings/booking/",
        f"/admin/bookings/booking/{booking.pk}/change/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        _safe(page.content.decode())
    assert "&lt;script&gt;" in client.get(f"/operator/bookings/{booking.pk}/").content.decode()


def test_the_emails_feed_and_exports_keep_it_text(client: Any, hostile: dict[str, Any]) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    confirmations = [m for m in mail.outbox if "pme@xss.fr" in m.to]
    assert confirmations
    for message in confirmations:
        _safe(message.alternatives[0][0])
    feed = client.get(
        reverse("ical-company", args=[hostile["company"].ical_token])
    ).content.decode()
    # text in a calendar, each property on its line: no line of the feed starts a new property
    assert "BEGIN:VEVENT" in feed and "\nonerror" not in feed and "\n<script" not in feed
    client.force_login(hostile["operator"])
    start = timezone.localdate() - timedelta(days=1)
    query = {"start": start.isoformat(), "end": (start + timedelta(days=30)).isoformat()}
    csv_text = client.get("/api/v1/reports/usage/", {**query, "format": "csv"}).content.decode()
    assert f"Laser {PAYLOAD}".replace('"', '""') in csv_text  # quoted as text by the CSV writer
    xlsx = client.get("/api/v1/reports/usage/", {**query, "format": "xlsx"}).content
    names = [
        row[1]
        for row in load_workbook(io.BytesIO(xlsx))["Machines"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert f"Laser {PAYLOAD}" in names
    pdf = client.get("/api/v1/reports/usage/", {**query, "format": "pdf"})
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")  # printed, as written
    assert Booking.objects.count() == 1
