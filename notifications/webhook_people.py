"""Who hears that a webhook was paused, and what the e-mail says (composed at send time: not
sent if the endpoint was resumed or deleted meanwhile)."""

from typing import Any

from accounts.models import User

from .models import Message
from .selectors import company_admins
from .webhook_models import WebhookEndpoint


def webhook_owners(*, endpoint: WebhookEndpoint) -> list[User]:
    """The platform's operators, or the company's administrators."""
    if endpoint.company_id is not None:
        assert endpoint.company is not None
        return company_admins(company=endpoint.company)
    return list(
        User.objects.filter(is_active=True, operated_platforms=endpoint.platform_id).order_by("pk")
    )


def webhook_paused_context(message: Message) -> dict[str, Any] | None:
    endpoint = (
        WebhookEndpoint.objects.select_related("platform", "company")
        .filter(pk=message.context.get("endpoint"), paused_at__isnull=False)
        .first()
    )
    if endpoint is None:
        return None
    return {
        "endpoint": endpoint,
        "owner": endpoint.platform or endpoint.company,
        "error": message.context.get("error", ""),
        "failures": message.context.get("failures", 0),
    }
