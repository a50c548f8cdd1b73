"""Subscribed reports go out once per subscription and period through the outbox, with the XLSX
and the PDF attached; reports built in the background record their progress."""

import io
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail

from bookings.models import Booking
from notifications.models import Message, MessageKind
from reports.exceptions import ReportNotFound
from reports.models import (
    ExportStatus,
    Frequency,
    ReportDelivery,
    ReportExport,
    ReportSubscription,
)
from reports.services import (
    export_request,
    last_period,
    reports_send_due,
    subscription_create,
)
from tests.conftest import paris
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_last_whole_month_and_quarter() -> None:
    assert last_period(Frequency.MONTHLY, date(2026, 11, 3)) == (
        date(2026, 10, 1),
        date(2026, 11, 1),
    )
    assert last_period(Frequency.MONTHLY, date(2027, 1, 1)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert last_period(Frequency.QUARTERLY, date(2026, 11, 3)) == (
        date(2026, 7, 1),
        date(2026, 10, 1),
    )
    assert last_period(Frequency.QUARTERLY, date(2027, 2, 1)) == (
        date(2026, 10, 1),
        date(2027, 1, 1),
    )


def test_one_report_per_subscription_and_period_with_its_files(
    october: Any, funder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    booker = MembershipFactory(
        company=october.dupont_lyon,
        user__display_name="Jeanne Secret",
        user__email="jeanne@dupont.fr",
    ).user
    Booking.objects.filter(company=october.dupont_lyon).update(booked_by=booker)
    subscription_create(
        user=funder,
        email="comite@bpifrance.fr",
        frequency=Frequency.MONTHLY,
        programme_id=funder.programme.pk,
    )
    with time_machine.travel(paris(2026, 11, 2, 6), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = reports_send_due()
        with django_capture_on_commit_callbacks(execute=True):
            second = reports_send_due()
    assert (first, second) == (1, 0)
    assert ReportDelivery.objects.get().period_start == date(2026, 10, 1)
    assert Message.objects.filter(kind=MessageKind.USAGE_REPORT).count() == 1
    [email] = mail.outbox
    assert email.to == ["comite@bpifrance.fr"]
    assert "Industrie du futur" in email.subject and "octobre 2026" in email.subject
    assert "Heures utilisées : 7,5" in email.body
    names = sorted(name for name, _content, _type in email.attachments)
    assert names == ["usage-2026-10-01-2026-11-01.pdf", "usage-2026-10-01-2026-11-01.xlsx"]
    files = {name: content for name, content, _type in email.attachments}
    book = load_workbook(io.BytesIO(files["usage-2026-10-01-2026-11-01.xlsx"]))
    summary = {row[0]: row[1:] for row in book["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert summary["Heures utilisées"][0] == 7.5
    pdf = PdfReader(io.BytesIO(files["usage-2026-10-01-2026-11-01.pdf"]))
    assert "420,00" in " ".join(page.extract_text() for page in pdf.pages)
    # company-level data only: the person who booked is named nowhere
    xlsx_text = " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    pdf_text = " ".join(page.extract_text() for page in pdf.pages)
    for told in (email.body, email.alternatives[0][0], xlsx_text, pdf_text):
        assert "Jeanne" not in told and "jeanne@dupont.fr" not in told


def test_a_subscription_outside_ones_view_is_refused_and_a_lost_view_stops_it(
    october: Any, funder: Any
) -> None:
    other = october.other_platform_machine.platform_id
    with pytest.raises(ReportNotFound):
        subscription_create(
            user=funder, email="x@bpifrance.fr", frequency="monthly", platform_id=other
        )
    subscription = subscription_create(
        user=funder, email="x@bpifrance.fr", frequency="monthly", programme_id=funder.programme.pk
    )
    funder.programme.funders.remove(funder)
    with time_machine.travel(paris(2026, 11, 2, 6), tick=False):
        assert reports_send_due() == 0
    subscription.refresh_from_db()
    assert not subscription.active and not ReportDelivery.objects.exists()
    member = MembershipFactory(company=october.eti).user
    with pytest.raises(Exception) as refused:
        subscription_create(user=member, email="x@eti.fr", frequency="monthly")
    assert getattr(refused.value, "code", "") == "not_allowed"
    assert ReportSubscription.objects.count() == 1


def test_a_report_built_in_the_background_records_its_progress(
    october: Any, funder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(
            user=funder,
            parameters={"start": "2026-01-01", "end": "2026-12-01"},
            kind="xlsx",
        )
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.progress == 100
    assert export.filename.endswith(".xlsx") and bytes(export.content).startswith(b"PK")
    broken = ReportExport.objects.create(
        owner=funder, parameters={"start": "2026-12-01", "end": "2026-01-01"}, format="pdf"
    )
    from reports.services import export_build

    assert export_build(export_id=broken.pk) == "failed"
    broken.refresh_from_db()
    assert broken.status == ExportStatus.FAILED and "trois ans" in broken.error


def test_files_sent_go_after_the_retention_and_the_outbox_keeps_the_subject(
    october: Any, funder: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    from notifications.models import Attachment
    from notifications.services import attachments_purge

    settings.NOTIFICATIONS_ATTACHMENT_DAYS = 30
    subscription_create(
        user=funder,
        email="comite@bpifrance.fr",
        frequency="monthly",
        programme_id=funder.programme.pk,
    )
    with (
        time_machine.travel(paris(2026, 11, 2, 6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reports_send_due()
    assert Attachment.objects.count() == 2
    with time_machine.travel(paris(2026, 11, 30, 6), tick=False):
        assert attachments_purge() == 0  # 28 days: kept
    with time_machine.travel(paris(2026, 12, 3, 6), tick=False):
        assert attachments_purge() == 2
    message = Message.objects.get(kind=MessageKind.USAGE_REPORT)
    assert not Attachment.objects.exists() and "Industrie du futur" in message.subject
