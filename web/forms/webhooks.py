"""The webhook form: an address, the events, and whose it is (a platform one operates or a
company one administers)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.webhook_models import WebhookEvent


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Address (https)"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.fr/hooks/fablab"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEvent.BOOKING_CREATED, WebhookEvent.BOOKING_CANCELLED],
    )
    owner = forms.ChoiceField(label=_("For"))

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = owners
