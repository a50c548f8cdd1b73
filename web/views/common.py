"""What every page view needs: the signed-in person, their companies, paging."""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User

PER_PAGE = 24


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type checking)."""

    htmx: HtmxDetails


def signed_in(request: HttpRequest) -> User:
    # Callers are behind login_required.
    return cast(User, request.user)


def page_of(items: Any, number: int | None, per_page: int = PER_PAGE) -> Page:
    """A page of ``items``; a number past the end gives the last page (never an error)."""
    return Paginator(items, per_page).get_page(number or 1)


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
