"""The pages' forms, by area: ``booking`` (what SMEs fill in), ``account``, ``operator``,
``reports``, over the shared bounded date ``fields``. They parse and bound what is typed;
the services decide."""

from .account import (
    AccountEraseForm,
    EmailChangeForm,
    InvitationAccountForm,
    InviteForm,
    NameForm,
    PasswordResetForm,
    SignUpForm,
    TokenForm,
)
from .booking import (
    BookingFilterForm,
    BookingForm,
    CancelForm,
    MoveForm,
    QualificationRequestForm,
    SearchForm,
)
from .fields import MAX_SEARCH_DAYS, BoundedDateField, BoundedDateTimeField, RangeForm
from .operator import (
    ClosureForm,
    MachineRulesForm,
    OccurrenceForm,
    OnBehalfForm,
    OpeningHoursForm,
    OpeningHoursFormSet,
    OperatorCancelForm,
    QualificationGrantForm,
    RecognitionForm,
    RejectForm,
    UsageForm,
)
from .reports import ReportForm, ScopeForm, SubscriptionForm

__all__ = [
    "MAX_SEARCH_DAYS",
    "AccountEraseForm",
    "BookingFilterForm",
    "BookingForm",
    "BoundedDateField",
    "BoundedDateTimeField",
    "CancelForm",
    "ClosureForm",
    "EmailChangeForm",
    "InvitationAccountForm",
    "InviteForm",
    "MachineRulesForm",
    "MoveForm",
    "NameForm",
    "OccurrenceForm",
    "OnBehalfForm",
    "OpeningHoursForm",
    "OpeningHoursFormSet",
    "OperatorCancelForm",
    "PasswordResetForm",
    "QualificationGrantForm",
    "QualificationRequestForm",
    "RangeForm",
    "RecognitionForm",
    "RejectForm",
    "ReportForm",
    "ScopeForm",
    "SearchForm",
    "SignUpForm",
    "SubscriptionForm",
    "TokenForm",
    "UsageForm",
]
