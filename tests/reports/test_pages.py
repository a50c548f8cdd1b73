"""The reports dashboard, its downloads (direct, or built in the background with progress) and
the scheduled reports page, for each kind of person; hostile filters never fail."""

import re
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import (
    ExportStatus,
    ReportExport,
    ReportSnapshot,
    ReportSubscription,
)
from tests.conftest import paris
from tests.factories import MachineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"start": "2026-10-01", "last": "2026-10-31"}


@pytest.fixture(autouse=True)
def _november() -> Any:
    with time_machine.travel(paris(2026, 11, 20, 10), tick=False):
        yield


def test_the_funder_sees_the_programmes_progress_trend_and_machines(
    client: Any, october: Any, funder: Any
) -> None:
    client.force_login(funder)
    page = client.get(reverse("web:reports"), OCTOBER)
    text = page.content.decode()
    assert page.status_code == 200
    assert page.context["report"]["programme"]["smes_served_to_date"] == 2
    assert 'max="2000" value="2"' in text  # the progress bar toward the target
    assert text.count('class="chart__bar"') == 2  # one month, two charts
    assert "Laser" in text and "Fraiseuse" in text and "Robot ailleurs" not in text
    assert "style=" not in text  # the Content-Security-Policy forbids inline styles


def test_an_sme_sees_its_own_usage_and_a_stranger_is_told_what_reports_are(
    client: Any, october: Any
) -> None:
    member = MembershipFactory(company=october.micro).user
    client.force_login(member)
    page = client.get(reverse("web:reports"), OCTOBER)
    assert page.status_code == 200
    assert page.context["report"]["totals"]["bookings"]["completed"] == 2
    assert reverse("web:report-subscriptions") not in page.content.decode()
    client.force_login(UserFactory())
    assert client.get(reverse("web:reports")).status_code == 403


def test_filters_outside_ones_view_fall_back_to_the_default(
    client: Any, october: Any, funder: Any
) -> None:
    client.force_login(funder)
    other = october.other_platform_machine.platform_id
    page = client.get(reverse("web:reports"), {**OCTOBER, "platform": other})
    assert page.status_code == 200
    assert "Robot ailleurs" not in page.content.decode()
    assert "ne peuvent pas être utilisés" in page.content.decode()


def test_a_period_over_the_limit_says_why_and_the_downloads_keep_the_default(
    client: Any, october: Any, funder: Any
) -> None:
    client.force_login(funder)
    # A start alone reaches to the end of this month: more than three years
    page = client.get(reverse("web:reports"), {"start": "2023-01-01"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Un rapport couvre au plus trois ans" in text
    assert "2023-01-01" in text  # the form keeps what was typed
    downloads = re.findall(r'href="(/reports/download/[^"]*)"', text)
    assert downloads and all("2023" not in link for link in downloads)
    answer = client.get(downloads[0].replace("&amp;", "&"))
    assert answer.status_code in (200, 302)


def _csv_rows(content: bytes, delimiter: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(content.decode("utf-8")), delimiter=delimiter))


def test_the_csv_reads_in_french_excel_and_in_english(
    client: Any, october: Any, funder: Any
) -> None:
    client.force_login(funder)
    url = reverse("web:report-download")
    french = client.get(url, {**OCTOBER, "format": "csv"}).content
    # UTF-8 with a byte order mark, ";" between cells, French headers, decimal commas
    assert french.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(french[3:], ";")
    assert len(rows) == 2 and {row["Mois"] for row in rows} == {"2026-10"}
    assert {row["Catégorie"] for row in rows} >= {"Découpe laser"}
    used = [row["Heures utilisées"] for row in rows]
    assert sum(float(value.replace(",", ".")) for value in used) == 7.5
    assert any("," in value for value in used)
    assert sum(int(row["Réservations : Réalisée"]) for row in rows) == 5
    funder.preferred_language = "en"
    funder.save(update_fields=["preferred_language"])
    english = client.get(url, {**OCTOBER, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en").content
    assert not english.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(english, ",")
    assert sum(float(row["hours_used"]) for row in rows) == 7.5
    assert {row["category"] for row in rows} >= {"laser"}


def test_the_pdf_states_its_scope_and_counts_its_machines(
    client: Any, october: Any, funder: Any
) -> None:
    import io

    from pypdf import PdfReader

    client.force_login(funder)
    answer = client.get(reverse("web:report-download"), {**OCTOBER, "format": "pdf"})
    pages = PdfReader(io.BytesIO(answer.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Plateformes : Usine du Futur Lyon." in text
    assert "Les 2 machines les plus utilisées" in text
    assert "25 machines" not in text


def test_every_machine_is_listed_a_page_at_a_time(client: Any, october: Any, funder: Any) -> None:
    for index in range(25):
        MachineFactory(platform=october.laser.platform, name=f"Machine {index:02d}")
    client.force_login(funder)
    first = client.get(reverse("web:reports"), OCTOBER)
    second = client.get(reverse("web:reports"), {**OCTOBER, "page": "2"})
    listed = {row["name"] for row, _platform in first.context["machines"]}
    listed |= {row["name"] for row, _platform in second.context["machines"]}
    assert len(listed) == 27
    assert "Page 1 sur 2" in first.content.decode()
    # the busiest first; a page past the end shows the last
    ranked = [row["utilisation"] or 0 for row, _platform in first.context["machines"]]
    assert ranked == sorted(ranked, reverse=True) and ranked[0] > 0
    beyond = client.get(reverse("web:reports"), {**OCTOBER, "page": "9"})
    assert "Page 2 sur 2" in beyond.content.decode()
    last = [row["name"] for row, _p in second.context["machines"]]
    assert all(name in beyond.content.decode() for name in last)


def test_a_small_download_comes_at_once_a_large_one_in_the_background(
    client: Any, october: Any, funder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(funder)
    url = reverse("web:report-download")
    small = client.get(url, {**OCTOBER, "format": "csv"})
    assert small.status_code == 200 and small["Content-Type"].startswith("text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        large = client.get(url, {"start": "2026-01-01", "last": "2026-10-31", "format": "xlsx"})
    export = ReportExport.objects.get()
    assert large.status_code == 302 and large["Location"] == reverse(
        "web:report-export", args=[export.pk]
    )
    progress = client.get(large["Location"], headers={"HX-Request": "true"}).content.decode()
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    # built already (no broker: in-process): the partial stops polling and offers the file
    assert "every 1s" not in progress
    assert reverse("web:report-export-file", args=[export.pk]) in progress
    assert "prêt" in client.get(large["Location"]).content.decode()
    file = client.get(reverse("web:report-export-file", args=[export.pk]))
    assert file.status_code == 200 and file.content.startswith(b"PK")
    client.force_login(UserFactory())
    assert client.get(reverse("web:report-export-file", args=[export.pk])).status_code == 404
    assert client.get(large["Location"]).status_code == 404
    assert client.get(url, {**OCTOBER, "format": "exe"}).status_code == 404


def test_scheduling_and_stopping_a_report(client: Any, october: Any, funder: Any) -> None:
    client.force_login(funder)
    url = reverse("web:report-subscriptions")
    outside = client.post(
        url,
        {
            "email": "comite@bpifrance.fr",
            "frequency": "monthly",
            "platform": october.other_platform_machine.platform_id,
        },
    )
    made = client.post(url, {"email": "comite@bpifrance.fr", "frequency": "quarterly"})
    assert outside.status_code == 422 and made.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert (subscription.email, subscription.frequency) == ("comite@bpifrance.fr", "quarterly")
    assert "comite@bpifrance.fr" in client.get(url).content.decode()
    stranger = UserFactory()
    client.force_login(stranger)
    stop = reverse("web:report-subscription-stop", args=[subscription.pk])
    assert client.post(stop).status_code == 404
    assert client.get(url).status_code == 403
    client.force_login(funder)
    assert client.post(stop).status_code == 302
    subscription.refresh_from_db()
    assert not subscription.active


def test_the_dashboard_reads_a_fixed_number_of_queries(
    client: Any, october: Any, funder: Any
) -> None:
    client.force_login(funder)
    counts = []
    for extra in (0, 15):
        for _ in range(extra):
            MachineFactory(platform=october.laser.platform)
        ReportSnapshot.objects.all().delete()  # computed, not read from the last minutes
        cache.clear()  # nor waiting for a computation asked for by the previous round
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("web:reports"), {"start": "2026-01-01", "last": "2026-10-31"})
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["start", "last", "programme", "platform", "region", "format"]),
        st.one_of(
            st.text(max_size=15),
            st.sampled_from(["0001-01-01", "9999-12-31", "2026-10-01", "-5", "99999999999"]),
        ),
    )
)
def test_hostile_filters_never_fail(client: Any, october: Any, funder: Any, params: Any) -> None:
    client.force_login(funder)
    assert client.get(reverse("web:reports"), params).status_code == 200
    assert client.get(reverse("web:report-download"), params).status_code in (200, 302, 404)


def test_a_report_being_built_shows_its_progress_and_polls(
    client: Any, october: Any, funder: Any
) -> None:
    export = ReportExport.objects.create(
        owner=funder, parameters={}, format="pdf", status=ExportStatus.RUNNING, progress=40
    )
    client.force_login(funder)
    partial = client.get(
        reverse("web:report-export", args=[export.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'value="40"' in partial
    assert reverse("web:report-export-file", args=[export.pk]) not in partial
    assert client.get(reverse("web:report-export-file", args=[export.pk])).status_code == 404
