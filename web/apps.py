from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The pages people use: SMEs find, book and manage; served by Django templates + htmx."""

    name = "web"
    verbose_name = _("Web pages")
