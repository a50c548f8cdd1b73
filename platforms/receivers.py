"""What platforms remove when something happens below (connected in ``PlatformsConfig.ready``)."""

from typing import Any

from django.dispatch import receiver
from schedule.models import Event

from accounts.signals import account_erased

from .feeds import new_feed_token
from .models import Closure, Platform, Qualification


@receiver(account_erased, dispatch_uid="platforms.account_erased")
def _on_account_erased(sender: Any, user: Any, **kwargs: Any) -> None:
    """An erased person holds no qualification and operates nothing; closures they placed
    stay, placed by no one."""
    Qualification.objects.filter(user=user).delete()
    Qualification.objects.filter(granted_by=user).update(granted_by=None)
    for platform in Platform.objects.filter(operators=user):
        # The machines' calendar addresses they knew stop working.
        for machine in platform.machines.all():
            machine.ical_token = new_feed_token()
            machine.save(update_fields=["ical_token"])
        platform.operators.remove(user)
    Closure.objects.filter(created_by=user).update(created_by=None)
    Event.objects.filter(creator=user).update(creator=None)
