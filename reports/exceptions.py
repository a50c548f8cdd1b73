"""Domain errors of the reports, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class ReportNotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Reports are for funders, platform operators and member companies.")


class ReportNotFound(DomainError):
    code = "not_found"
    status = 404
    message = _("No such programme, platform or machine among those you follow.")


class ReportPeriodInvalid(DomainError):
    code = "invalid_period"
    status = 400
    message = _("The period must end after it starts and last at most three years.")


class ExportsBusy(DomainError):
    code = "exports_busy"
    status = 429
    message = _(
        "Your previous report is still being built: download it once ready, then ask for the "
        "next one."
    )


class ReportComputing(DomainError):
    """Not an error: the API's answer (202) while a worker computes a view nobody asked for
    yet."""

    code = "report_computing"
    status = 202
    message = _("These figures are being computed: ask again in a few seconds.")
