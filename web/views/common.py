"""What every page view needs: the signed-in person, their companies, paging."""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from accounts.models import User
from notifications.selectors import company_told, outbox_mark

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


def page_param(request: HttpRequest) -> int | None:
    """The ``?page=`` asked for, when it reads as one (anything else: the first page)."""
    value = request.GET.get("page", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else None


def typed_text(request: HttpRequest, name: str, *, max_length: int = 100) -> str:
    """What was typed in ``?name=``: spaces tidied, no NUL (PostgreSQL refuses them), at most
    ``max_length`` characters."""
    return " ".join(request.GET.get(name, "").replace("\x00", "").split())[:max_length]


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def told_mark() -> int:
    """Taken before a change, for ``told_text`` after it."""
    return outbox_mark()


def told_text(booking_id: int, mark: int) -> str:
    """ " The company is told by e-mail." when the change made since ``mark`` recorded a
    message to the booking's company, else nothing: an operator's page never claims a message
    nobody wrote."""
    if company_told(booking_id=booking_id, after=mark):
        return " " + _("The company is told by e-mail.")
    return ""
