"""What the reports add when something happens below (connected in ``ReportsConfig.ready``)."""

from datetime import date
from typing import Any

from django.dispatch import receiver

from bookings.signals import demo_seeded

from .models import Programme

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
