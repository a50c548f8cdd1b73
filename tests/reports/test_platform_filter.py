"""The reports' platform filter: typed with suggestions among the platforms in view (a funder
may see hundreds), an id from a link still read (issue 28)."""

from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"start": "2026-10-01", "last": "2026-10-31"}


def test_a_typed_platform_or_its_id_scopes_the_report(
    client: Any, october: Any, funder: Any
) -> None:
    client.force_login(funder)
    lyon = october.laser.platform
    for typed in ("usine du futur lyon", "Lyon", str(lyon.pk)):
        page = client.get(reverse("web:reports"), {**OCTOBER, "platform": typed})
        assert page.status_code == 200
        assert "Ces filtres n’ont pas pu être utilisés" not in page.content.decode()
    # an id (from a link) shows as the platform's name in the field
    assert f'value="{lyon.name}"' in page.content.decode()


def test_a_platform_out_of_view_or_too_vague_is_said_in_the_form(
    client: Any, october: Any, funder: Any
) -> None:
    client.force_login(funder)
    elsewhere = october.other_platform_machine.platform
    other = PlatformFactory(name="Usine du Futur Lyon Sud", city="Vénissieux")
    funder.programme.platforms.add(other)
    unknown = client.get(reverse("web:reports"), {**OCTOBER, "platform": elsewhere.name})
    assert f"Aucune plateforme visible ne s’appelle « {elsewhere.name} »." in (
        unknown.content.decode()
    )
    by_id = client.get(reverse("web:reports"), {**OCTOBER, "platform": str(elsewhere.pk)})
    assert "Aucune plateforme visible" in by_id.content.decode()
    vague = client.get(reverse("web:reports"), {**OCTOBER, "platform": "usine"})
    assert "2 plateformes visibles correspondent à « usine »" in vague.content.decode()
    exact = client.get(reverse("web:reports"), {**OCTOBER, "platform": "Usine du futur LYON"})
    assert "Ces filtres n’ont pas pu être utilisés" not in exact.content.decode()


def test_suggestions_come_from_the_platforms_in_view_only(
    client: Any, october: Any, funder: Any
) -> None:
    url = reverse("web:report-platforms")
    assert client.get(url, {"platform": "usine"}).status_code == 302  # signed out
    client.force_login(funder)
    text = client.get(url, {"platform": "usine"}).content.decode()
    assert '<option value="Usine du Futur Lyon">' in text
    elsewhere = october.other_platform_machine.platform
    assert elsewhere.name not in client.get(url, {"platform": elsewhere.name}).content.decode()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.one_of(st.text(max_size=250), st.sampled_from(["<script>x</script>", "%", "0"])))
def test_whatever_is_typed_answers_a_page(
    client: Any, october: Any, funder: Any, typed: str
) -> None:
    client.force_login(funder)
    for name in ("web:reports", "web:report-platforms", "web:report-subscriptions"):
        answer = client.get(reverse(name), {**OCTOBER, "platform": typed})
        assert answer.status_code == 200
        assert b"<script>x</script>" not in answer.content
