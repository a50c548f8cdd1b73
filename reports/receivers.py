"""What the reports add when something happens below (connected in ``ReportsConfig.ready``)."""

from typing import Any

from django.dispatch import receiver

from accounts.signals import account_erased
from billing.models import Programme

from .models import ReportExport, ReportSubscription


@receiver(account_erased, dispatch_uid="reports.account_erased")
def _on_account_erased(sender: Any, user: Any, **kwargs: Any) -> None:
    """An erased person follows no programme; their subscriptions and downloads go."""
    ReportSubscription.objects.filter(owner=user).delete()
    ReportExport.objects.filter(owner=user).delete()
    for programme in Programme.objects.filter(funders=user):
        programme.funders.remove(user)
