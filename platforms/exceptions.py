"""Domain errors of the supply side (the base class is ``core.exceptions.DomainError``)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

__all__ = [
    "ClosureNotAllowed",
    "DomainError",
    "InvalidClosureRange",
    "InvalidLocalTime",
    "MachineNotAllowed",
    "NoSuchOccurrence",
    "OperatorOnly",
    "QualificationNotAllowed",
]


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


class MachineNotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Only an operator of this platform can change its machines and opening hours.")


class QualificationNotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Only an operator of this machine's platform can decide on qualifications.")


class RecognitionOfItself(DomainError):
    code = "recognition_of_itself"
    message = _("A platform recognises its own qualifications already: choose another platform.")


class FileTooLarge(DomainError):
    code = "file_too_large"
    message = _("This file is larger than %(limit)d MB: make it smaller.")


class NotAnImage(DomainError):
    code = "not_an_image"
    message = _(
        "This file is not a photo we can read: send a JPEG, PNG or WebP image (SVG and other "
        "formats are refused)."
    )


class ImageTooLarge(DomainError):
    code = "image_too_large"
    message = _("This image has more than %(limit)d million pixels: send a smaller one.")


class NotAPdf(DomainError):
    code = "not_a_pdf"
    message = _("Documents are PDF files only, and this file could not be read as one.")


class PdfWithScript(DomainError):
    code = "pdf_with_script"
    message = _(
        "This PDF holds a script or an action that runs when it is opened: export it again "
        "without them (print to PDF, for example)."
    )


class TooManyFiles(DomainError):
    code = "too_many_files"
    status = 409
    message = _("A machine has at most %(limit)d of these: remove one first.")


class LastOperator(DomainError):
    code = "last_operator"
    status = 409
    message = _("A platform keeps at least one operator: invite another before leaving.")
