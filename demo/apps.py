from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo network `make run` shows (``seed_demo``): data, not product code."""

    name = "demo"
    verbose_name = "Demo"
