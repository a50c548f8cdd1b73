"""A report's scope and period, and a subscription to it."""

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day
from platforms.models import Platform, Region
from platforms.selectors import platforms_called
from reports.models import Frequency
from reports.selectors import MAX_REPORT_DAYS
from reports.snapshots import default_period

from .fields import BoundedDateField, suggested_input


class ScopeForm(forms.Form):
    """A report's scope: a programme, a platform, a region (choices among those in view)."""

    programme = forms.TypedChoiceField(
        label=_("Programme"), required=False, coerce=int, empty_value=None
    )
    # Typed, with suggestions (``web:report-platforms``), not a <select>: a funder may see
    # hundreds of platforms. An id (a link, a download) is read too.
    platform = forms.CharField(
        label=_("Platform"),
        required=False,
        max_length=200,
        widget=suggested_input(
            url_name="web:report-platforms",
            list_id="platforms-in-view",
            placeholder=_("Every platform in view"),
        ),
    )
    region = forms.ChoiceField(
        label=_("Region of the platforms"),
        required=False,
        choices=[("", _("All regions")), *Region.choices],
    )

    def __init__(
        self, *args: Any, programmes: Any = (), platforms: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programmes, self.platforms = list(programmes), list(platforms)
        cast(forms.ChoiceField, self.fields["programme"]).choices = [
            ("", _("Every programme I follow")),
            *[(p.pk, p.name) for p in self.programmes],
        ]
        typed = self.data.get("platform", "") if self.is_bound else ""
        if typed.isascii() and typed.isdigit():
            # An id shows as its platform's name, when that name says which one it is.
            found = [p for p in self.platforms if str(p.pk) == typed]
            if found and len(self._named(found[0].name)) == 1:
                self.data = {**dict(self.data.items()), "platform": found[0].name}

    def _named(self, typed: str) -> list[Any]:
        """The platforms in view called ``typed``, or whose name or city holds it."""
        return platforms_called(
            typed, Platform.objects.filter(pk__in=[p.pk for p in self.platforms])
        )

    def clean_platform(self) -> int | None:
        typed = " ".join(self.cleaned_data["platform"].split())
        if not typed:
            return None
        if typed.isascii() and typed.isdigit():
            found = [p for p in self.platforms if str(p.pk) == typed]
        else:
            found = self._named(typed)
        if len(found) == 1:
            return int(found[0].pk)
        if not found:
            raise ValidationError(
                _("No platform in view is called “%(typed)s”."), params={"typed": typed}
            )
        raise ValidationError(
            _("%(count)s platforms in view match “%(typed)s”: choose one of the suggestions."),
            params={"count": len(found), "typed": typed},
        )


class ReportForm(ScopeForm):
    """The dashboard's filters: a period (its last day included) and a scope. Without dates,
    the twelve months to the end of this one."""

    start = BoundedDateField(label=_("From"), required=False)
    last = BoundedDateField(label=_("To (included)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, last = cleaned.get("start"), cleaned.get("last")
        if start and last and last < start:
            self.add_error("last", _("The end must be after the start."))
        elif start or last:
            # One date alone is completed (the period below): the limit holds all the same.
            first, end = _period(start, last)
            if (end - first).days > MAX_REPORT_DAYS:
                self.add_error(
                    "last" if last else "start",
                    _(
                        "A report covers at most three years: from %(start)s, end by "
                        "%(latest)s at the latest."
                    )
                    % {
                        "start": day(first),
                        "latest": day(first + timedelta(days=MAX_REPORT_DAYS - 1)),
                    },
                )
        return cleaned

    def only_programme(self) -> int | None:
        """A funder following one programme sees its progress without choosing it."""
        return self.programmes[0].pk if len(self.programmes) == 1 else None

    def period(self) -> tuple[date, date]:
        """[start, end): the dates given, or the twelve months to the end of this one."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return _period(data.get("start"), data.get("last"))


def _period(start: date | None, last: date | None) -> tuple[date, date]:
    """[start, end) from the first and last days given: a missing start is eleven months
    before the end, a missing end the end of this month; neither, the default twelve months."""
    if start is None and last is None:
        return default_period(timezone.localdate())
    end = last + timedelta(days=1) if last else default_period(timezone.localdate())[1]
    if start is None:
        start = (end - timedelta(days=335)).replace(day=1)
    return start, max(end, start + timedelta(days=1))


class SubscriptionForm(ScopeForm):
    email = forms.EmailField(label=_("Send to"), max_length=254)
    frequency = forms.ChoiceField(label=_("Every"), choices=Frequency.choices)
