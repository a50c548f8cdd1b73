"""``GET /api/v1/reports/usage/``: who sees what, the JSON contract, and the same numbers in the
CSV, XLSX (read back with openpyxl) and PDF (read back with pypdf) downloads."""

import csv
import io
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/usage/"
OCTOBER = {"start": "2026-10-01", "end": "2026-11-01"}


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_funder_sees_the_programmes_platforms_and_its_progress(
    october: Any, funder: Any
) -> None:
    answer = _client(funder).get(URL, OCTOBER)
    body = answer.json()
    assert answer.status_code == 200
    assert set(body) == {
        "period",
        "programme",
        "totals",
        "platforms",
        "machines",
        "by_category",
        "by_size_class",
        "by_region",
        "by_month",
        "previous",
        "subsidy",
    }
    # the other platform's booking (999 €) is not in view
    assert body["totals"]["revenue"] == "420.00" and body["totals"]["hours_used"] == 7.5
    assert [p["name"] for p in body["platforms"]] == ["Usine du Futur Lyon"]
    with_programme = _client(funder).get(URL, {**OCTOBER, "programme": funder.programme.pk})
    assert with_programme.json()["programme"] == {
        "id": funder.programme.pk,
        "name": "Industrie du futur",
        "target": 2000,
        # Dupont and the micro company, served since January (the ETI is no SME)
        "smes_served_to_date": 2,
    }
    other = october.other_platform_machine
    for outside in ({"platform": other.platform_id}, {"machine": other.pk}, {"programme": 99999}):
        refused = _client(funder).get(URL, {**OCTOBER, **outside})
        assert refused.status_code == 404 and refused.json()["code"] == "not_found"


def test_an_operator_sees_their_platforms_and_an_sme_its_own_usage(october: Any) -> None:
    operator = UserFactory()
    october.other_platform_machine.platform.operators.add(operator)
    theirs = _client(operator).get(URL, OCTOBER).json()
    assert theirs["totals"]["revenue"] == "999.00"
    member = MembershipFactory(company=october.eti).user
    own = _client(member).get(URL, OCTOBER).json()
    # the ETI's completed 3 h (2 used), pending and confirmed bookings; nobody else's
    assert own["totals"]["bookings"]["completed"] == 1 and own["totals"]["hours_used"] == 2.0
    assert own["totals"]["bookings"]["pending"] == 1 and own["programme"] is None
    assert (
        _client(member).get(URL, {**OCTOBER, "platform": october.laser.platform_id}).status_code
        == 404
    )


def test_no_report_for_strangers(october: Any) -> None:
    assert APIClient().get(URL, OCTOBER).status_code == 401
    nobody = _client(UserFactory()).get(URL, OCTOBER)
    assert nobody.status_code == 403 and nobody.json()["code"] == "not_allowed"


def test_the_csv_has_a_row_per_machine_and_month_and_no_formula(october: Any, funder: Any) -> None:
    october.laser.name = '=HYPERLINK("http://evil","clic")'
    october.laser.save(update_fields=["name"])
    answer = _client(funder).get(URL, {**OCTOBER, "format": "csv"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert len(rows) == 2 and {row["month"] for row in rows} == {"2026-10"}
    assert sum(float(row["hours_used"]) for row in rows) == 7.5
    assert sum(int(row["bookings_completed"]) for row in rows) == 5
    assert {row["machine"] for row in rows} == {'\'=HYPERLINK("http://evil","clic")', "Fraiseuse"}


def test_the_xlsx_reads_back_with_the_same_totals_and_charts(october: Any, funder: Any) -> None:
    from openpyxl import load_workbook

    answer = _client(funder).get(
        URL, {**OCTOBER, "format": "xlsx", "programme": funder.programme.pk}
    )
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[:3] == ["Synthèse", "Par mois", "Plates-formes"]
    summary = {row[0]: row[1:] for row in book["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert summary["Heures utilisées"] == (7.5, 1.5)
    assert summary["Chiffre d'affaires (€ HT)"][0] == 420.0
    assert summary["PME servies depuis le début du programme"][0] == 2
    assert len(book["Par mois"]._charts) == 2
    machines = list(book["Machines"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[1] for row in machines) == ["Fraiseuse", "Laser"]


def test_the_pdf_reads_back_with_the_same_totals(october: Any, funder: Any) -> None:
    from pypdf import PdfReader

    answer = _client(funder).get(
        URL, {**OCTOBER, "format": "pdf", "programme": funder.programme.pk}
    )
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(answer.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Industrie du futur" in text
    assert "Heures utilisées 7,5 1,5" in text
    assert "420,00" in text and "614,0" in text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["start", "end", "programme", "platform", "machine", "region", "format"]),
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(["0001-01-01", "9999-12-31", "2026-10-01", "2030-01-01", "-1", "0"]),
            st.integers(min_value=-(2**40), max_value=2**40).map(str),
        ),
    )
)
def test_hostile_queries_get_a_clear_4xx(october: Any, funder: Any, params: dict[str, str]) -> None:
    answer = _client(funder).get(URL, params)
    assert answer.status_code in (200, 400, 404)
    if answer.status_code != 200:
        assert {"code", "detail"} <= set(answer.json())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.one_of(
        st.text(min_size=1, max_size=60),
        st.sampled_from(["Laser\x0b\x1b[31m\x7f", "<b>gras</b> & <i>", "=1+1\r\n-2", "\u2028\x85"]),
    ).filter(lambda text: "\x00" not in text and text.strip())
)
def test_any_machine_name_gives_readable_files(october: Any, funder: Any, name: str) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    # given a machine name an operator typed (the form refuses only NUL)
    october.laser.name = name
    october.laser.save(update_fields=["name"])
    client = _client(funder)

    # when / then: every file is built and reads back, the name in it
    answer = client.get(URL, {**OCTOBER, "format": "csv"})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode(), newline="")))
    assert len(rows) == 2
    answer = client.get(URL, {**OCTOBER, "format": "xlsx"})
    assert answer.status_code == 200
    machines = load_workbook(io.BytesIO(answer.content))["Machines"]
    names = [row[1] or "" for row in machines.iter_rows(min_row=2, values_only=True)]
    assert sorted(map(_visible, names)) == sorted([_visible("Fraiseuse"), _visible(name)])
    answer = client.get(URL, {**OCTOBER, "format": "pdf"})
    assert answer.status_code == 200
    assert PdfReader(io.BytesIO(answer.content)).pages


def _visible(text: str) -> str:
    """What a reader sees of a name, spacing aside: no control character, no white space."""
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cc")
