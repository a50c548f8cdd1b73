"""The admin shows closures as one thing, in the platform's local time; django-scheduler's
internals are not offered to staff."""

import pytest
from django.contrib.admin.sites import site
from schedule.models import Calendar, CalendarRelation, Event, EventRelation, Rule

from platforms.admin import ClosureAdmin
from platforms.models import Closure
from platforms.services import closure_create
from tests.conftest import paris
from tests.factories import PlatformFactory, UserFactory


def test_scheduler_internals_are_not_in_the_admin() -> None:
    for model in (Calendar, CalendarRelation, Event, EventRelation, Rule):
        assert not site.is_registered(model), model


@pytest.mark.django_db
def test_closure_list_shows_the_platforms_local_time() -> None:
    platform = PlatformFactory(timezone="America/Martinique")
    closure = closure_create(
        platform=platform,
        user=UserFactory(is_staff=True),
        title="Inventaire",
        start=paris(2027, 1, 6, 14),
        end=paris(2027, 1, 6, 16),
    )
    shown = ClosureAdmin(Closure, site).first_start(closure)
    # 14:00 in Paris is 09:00 in Martinique
    assert shown == "2027-01-06 09:00 (America/Martinique)"
