"""Domain errors of billing, each with a stable code (shown as a form error in the pages,
``{"code", "detail"}`` by the API)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class BillingError(DomainError):
    pass


class NotOperator(BillingError):
    code = "not_allowed"
    status = 403
    message = _("Only an operator of this platform can do this.")


class AlreadyInvoiced(BillingError):
    code = "already_invoiced"
    status = 409
    message = _("This line is on an invoice already: correct it with a credit note.")


class SellerIncomplete(BillingError):
    code = "seller_incomplete"
    status = 409
    message = _(
        "The platform's invoicing details are incomplete (legal name, address, SIRET, "
        "invoice prefix): its operators complete them on the billing page."
    )


class NothingToCredit(BillingError):
    code = "nothing_to_credit"
    status = 409
    message = _("These lines are credited already, or belong to another invoice.")


class NotAnInvoice(BillingError):
    code = "not_an_invoice"
    status = 409
    message = _("Only an invoice can be credited, not a credit note.")


class ReasonRequired(BillingError):
    code = "reason_required"
    message = _("Say why the invoice is credited: the reason is printed on the credit note.")


class MonthNotOver(BillingError):
    code = "month_not_over"
    message = _("A month is invoiced once it is over.")
