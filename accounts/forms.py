from typing import Any

from django import forms

from .models import User


class MessagePreferencesForm(forms.ModelForm):
    """The optional e-mails a person receives (what follows their own actions always goes)."""

    class Meta:
        model = User
        fields = ("wants_reminders", "wants_digests", "wants_copies")

    def __init__(self, *args: Any, shown: tuple[str, ...] = Meta.fields, **kwargs: Any) -> None:
        # Only what concerns the person (digests for operators, copies for company admins):
        # a field not shown is not changed.
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - set(shown):
            del self.fields[name]
