from django import forms

from .models import User


class MessagePreferencesForm(forms.ModelForm):
    """The optional e-mails a person receives (what follows their own actions always goes)."""

    class Meta:
        model = User
        fields = ("wants_reminders", "wants_digests", "wants_copies")
