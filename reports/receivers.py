"""What the reports add when something happens below (connected in ``ReportsConfig.ready``)."""

from datetime import date
from typing import Any

from django.dispatch import receiver

from accounts.signals import account_erased
from bookings.signals import demo_seeded

from .models import Programme, ReportExport, ReportSubscription

DEMO_PROGRAMME = "Plateformes d'accélération Industrie du futur"


@receiver(demo_seeded, dispatch_uid="reports.demo_seeded")
def _on_demo_seeded(
    sender: Any, platforms: list[Any], users: dict[str, Any], **kwargs: Any
) -> None:
    """The demo's programme: every demo platform, a target of 2,000 SMEs, followed by the
    demo funder."""
    programme, _created = Programme.objects.get_or_create(
        name=DEMO_PROGRAMME,
        defaults={"start_date": date(date.today().year - 1, 1, 1), "target_smes": 2000},
    )
    programme.platforms.add(*platforms)
    if "funder" in users:
        programme.funders.add(users["funder"])


@receiver(account_erased, dispatch_uid="reports.account_erased")
def _on_account_erased(sender: Any, user: Any, **kwargs: Any) -> None:
    """An erased person follows no programme; their subscriptions and downloads go."""
    ReportSubscription.objects.filter(owner=user).delete()
    ReportExport.objects.filter(owner=user).delete()
    for programme in Programme.objects.filter(funders=user):
        programme.funders.remove(user)
