"""Domain errors shared by every app, and the platform-side ones.

A domain error carries a stable ``code`` (what the API returns and clients switch on) and a
message translated into the language active when it is shown, not when it is raised.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    # 400 for a rule violation, 409 for a conflict, 403 for an action not allowed.
    status = 400
    message: str | Promise = _("The request was refused.")

    def __init__(self, message: str | Promise | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.code)

    @property
    def detail(self) -> str:
        """The human message, in the active language, with its parameters filled in."""
        text = str(self.message)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class InvalidLocalTime(DomainError):
    code = "invalid_local_time"
    message = _(
        "%(time)s does not exist or is ambiguous in the time zone %(zone)s "
        "(daylight saving time change); choose another time."
    )


class OperatorOnly(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Only an operator of this platform can do this.")


class ClosureNotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Only an operator of this platform can manage its closures.")


class InvalidClosureRange(DomainError):
    code = "invalid_range"
    message = _("The end of the closure must be after its start.")


class NoSuchOccurrence(DomainError):
    code = "no_such_occurrence"
    message = _("This closure has no occurrence at that time.")


class QualificationNotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Only an operator of this machine's platform can decide on qualifications.")


class WindowTooLong(DomainError):
    code = "window_too_long"
    message = _("Ask for at most %(days)d days at a time.")
