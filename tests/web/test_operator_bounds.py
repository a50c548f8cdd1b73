"""Every operator field has a bound the model holds (issue 26, 5): extreme values are a form
error naming the field, never a saved rule that turns the machine's public pages into 500s."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platforms.models import Machine
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES = [
    "hourly_rate",
    "setup_fee",
    "minimum_charge",
    "assisted_hourly_rate",
    "vat_rate",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "min_notice_hours",
    "max_advance_days",
    "weekly_quota_hours",
    "daily_quota_hours",
    "buffer_minutes",
]
extreme = st.one_of(
    st.sampled_from(
        ["2147483647", "-1", "0", "9999999999", "1e308", "-0.01", "99999.99", "NaN", ""]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
)


@pytest.fixture
def machine_and_operator(db: Any) -> tuple[Machine, Any]:
    machine = MachineFactory(name="Découpe laser", hourly_rate=Decimal("60"))
    operator = UserFactory()
    machine.platform.operators.add(operator)
    return machine, operator


def _form(machine: Machine, **values: str) -> dict[str, str]:
    data = {
        "name": machine.name,
        "description": "",
        "manufacturer": "",
        "model_name": "",
        "specs_text": "",
        "hourly_rate": "60",
        "setup_fee": "0",
        "minimum_charge": "0",
        "assisted_hourly_rate": "",
        "vat_rate": "20",
        "slot_minutes": "30",
        "min_minutes": "30",
        "max_minutes": "480",
        "min_notice_hours": "24",
        "max_advance_days": "90",
        "weekly_quota_hours": "",
        "daily_quota_hours": "",
        "buffer_minutes": "0",
        "requires_approval": "",
        "requires_qualification": "",
    }
    return data | values


def test_a_notice_of_two_billion_hours_is_a_form_error(
    client: Any, machine_and_operator: tuple[Machine, Any]
) -> None:
    machine, operator = machine_and_operator
    client.force_login(operator)
    url = reverse("web:operator-machine", args=[machine.pk])
    for field in ("min_notice_hours", "buffer_minutes", "weekly_quota_hours"):
        value = "-1" if field == "weekly_quota_hours" else "2147483647"
        answer = client.post(url, _form(machine, **{field: value}))
        assert answer.status_code == 422, field
        assert answer.context["form"].errors[field], field
    machine.refresh_from_db()
    assert machine.min_notice_hours == 24 and machine.weekly_quota_hours is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.fixed_dictionaries({}, optional={name: extreme for name in RULES}))
def test_any_rule_saved_leaves_the_public_pages_working(
    client: Any, machine_and_operator: tuple[Machine, Any], values: dict[str, str]
) -> None:
    machine, operator = machine_and_operator
    client.force_login(operator)
    answer = client.post(
        reverse("web:operator-machine", args=[machine.pk]), _form(machine, **values)
    )
    assert answer.status_code in (302, 422)
    client.logout()
    for url in (
        reverse("web:machine", args=[machine.pk]),
        reverse("web:machine", args=[machine.pk]) + "?week=2027-W10",
        reverse("web:machines") + "?min_free=120",
        f"/api/v1/machines/{machine.pk}/availability/",
    ):
        assert client.get(url).status_code in (200, 400, 404), url
