"""Domain errors of notifications (webhooks)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class WebhookNotAllowed(DomainError):
    code = "webhook_not_allowed"
    status = 403
    message = _(
        "A webhook belongs to a platform you operate or to a company you administer: "
        "name exactly one of them."
    )


class WebhookNotFound(DomainError):
    code = "not_found"
    status = 404
    message = _("No such webhook.")


class WebhookEventsInvalid(DomainError):
    code = "webhook_events_invalid"
    message = _("Choose at least one event among those offered.")


class WebhookAddressRefused(DomainError):
    code = "webhook_address_refused"
    message = _("This address cannot receive webhooks: %(reason)s")
