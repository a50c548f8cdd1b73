"""Training sessions on the pages: the operator's schedule form and cancellation, the SME's
enrolment (themselves, or a member of a company they administer)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.training_models import MAX_CANCEL_HOURS, MAX_CAPACITY
from core.text import multi_line
from platforms.models import Machine

from .fields import BoundedDateTimeField, RangeForm


class MachineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.platform.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name())


class TrainingSessionForm(RangeForm):
    machine = MachineChoiceField(label=_("Machine"), queryset=Machine.objects.none())
    whole_category = forms.BooleanField(
        label=_("Attending qualifies on every machine of its category on the platform"),
        required=False,
    )
    start = BoundedDateTimeField(label=_("From"))
    end = BoundedDateTimeField(label=_("To"))
    trainer = PersonChoiceField(
        label=_("Trainer"),
        queryset=Machine.objects.none(),
        required=False,
        empty_label=_("— myself —"),
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=MAX_CAPACITY)
    min_attendance = forms.IntegerField(
        label=_("Minimum attendance"), min_value=1, max_value=MAX_CAPACITY, initial=1
    )
    cancel_hours_before = forms.IntegerField(
        label=_("Checked this many hours before (else cancelled)"),
        min_value=0,
        max_value=MAX_CANCEL_HOURS,
        initial=48,
    )
    company_seats = forms.IntegerField(
        label=_("Seats per company (blank: no limit)"),
        min_value=1,
        max_value=MAX_CAPACITY,
        required=False,
    )
    price = forms.DecimalField(
        label=_("Price per seat (€ excl. VAT)"),
        min_value=Decimal("0"),
        max_value=Decimal("100000"),
        decimal_places=2,
        initial=Decimal("0"),
    )
    note = forms.CharField(
        label=_("Programme (sent to those enrolled)"),
        required=False,
        max_length=2000,
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, machines: QuerySet[Machine], trainers: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        machine_field = self.fields["machine"]
        assert isinstance(machine_field, forms.ModelChoiceField)
        machine_field.queryset = machines
        trainer_field = self.fields["trainer"]
        assert isinstance(trainer_field, forms.ModelChoiceField)
        trainer_field.queryset = trainers

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        capacity, minimum = cleaned.get("capacity"), cleaned.get("min_attendance")
        if capacity and minimum and minimum > capacity:
            self.add_error("min_attendance", _("At most the number of seats."))
        per_company = cleaned.get("company_seats")
        if capacity and per_company and per_company > capacity:
            self.add_error("company_seats", _("At most the number of seats."))
        return cleaned


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to those enrolled"),
        required=False,
        max_length=1000,
        validators=[multi_line],
        widget=forms.TextInput(),
    )


class AttendanceForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    attended = forms.TypedChoiceField(
        choices=[("yes", _("Came")), ("no", _("Absent"))],
        coerce=lambda value: value == "yes",
    )


class EnrolForm(forms.Form):
    """Who takes the seat, for which company (a membership: oneself, or — for a company
    administrator — one of its members); ``waiting`` asks for the waiting list of a full
    session."""

    membership = forms.TypedChoiceField(label=_("Participant"), coerce=int)
    waiting = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.fields["membership"]
        assert isinstance(membership, forms.TypedChoiceField)
        membership.choices = people
