"""Changes to companies made by their members."""

from typing import Any

from django.db import transaction

from platforms.feeds import new_feed_token

from ..exceptions import NotCompanyAdmin, NotMember
from ..models import Company
from ..selectors import user_is_company_admin, user_is_member


@transaction.atomic
def company_ical_token_regenerate(*, company: Company, user: Any) -> Company:
    """Give the company's iCal feed a new secret address; the old one stops working.

    The address is the company's, shared by all its members: only its administrators renew it
    (a plain member would cut every colleague's calendar off)."""
    if not user_is_company_admin(user=user, company=company):
        if user_is_member(user=user, company=company):
            raise NotCompanyAdmin()
        raise NotMember()
    company.ical_token = new_feed_token()
    company.save(update_fields=["ical_token"])
    return company
