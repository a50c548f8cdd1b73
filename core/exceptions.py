"""The base of every domain error, and the errors no single app owns.

A domain error carries a stable ``code`` (what the API returns and clients switch on) and a
message translated into the language active when it is shown, not when it is raised.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    # 400 for a rule violation, 409 for a conflict, 403 for an action not allowed,
    # 503 when the system is momentarily too busy to decide.
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


class Busy(DomainError):
    """A lock could not be had in time (or the database broke a deadlock): nothing was
    written, and the same request may simply be sent again."""

    code = "busy"
    status = 503
    retry_after = 2
    message = _("The machine is being booked by someone else right now; try again in a moment.")


class OutOfRange(DomainError):
    """A date outside the years the system works with (a typo, or a hostile value)."""

    code = "out_of_range"
    message = _("Dates must lie between the years %(first)d and %(last)d.")
