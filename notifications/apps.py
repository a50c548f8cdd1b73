from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Connects the listeners of bookings' and platforms' announcements.
        from . import freed, overruns, receivers, training, webhooks  # noqa: F401
