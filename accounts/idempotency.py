"""Safe retries of create requests (the IETF ``Idempotency-Key`` header draft).

A client whose connection dropped after the server committed sends the same request again
with the same key: it gets the first answer (same status, same body, ``Idempotent-Replayed:
true``) and nothing is created twice, also when the two arrive at the same moment. The same key
with another request is 422 ``idempotency_key_reused``. Answers are kept 24 h per user.

How: the view runs inside one transaction, and a success is recorded last, in that same
transaction, by one upsert. If an answer is already recorded under the key (a retry, or a
concurrent twin that committed first — PostgreSQL makes the upsert wait for it), this request's
own work is rolled back and the recorded answer is replayed. A refusal (4xx: a rule, a
malformed body) rolls its attempt back and is then recorded on its own. Transient answers
(429, 5xx) are not recorded: retrying them should try again.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .exceptions import IdempotencyKeyReused, InvalidIdempotencyKey
from .models import IdempotencyKey, User
from .services import idempotency_answer_record

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional, recommended: a unique value per request (a UUID). A retry with the same key "
        "and the same body within 24 h gets the first answer again (header "
        "`Idempotent-Replayed: true`) and creates nothing; the same key with another body is "
        "422 `idempotency_key_reused`."
    ),
)
IDEMPOTENCY_ERRORS = {
    422: "`idempotency_key_reused`: the Idempotency-Key was used for another request.",
}


def _key(raw: str) -> str:
    # The draft sends a structured-field string ("..."); a bare token is accepted too.
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= 255 or not all(" " <= char <= "~" for char in key):
        raise InvalidIdempotencyKey()
    return key


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request._request.body)
    return digest.hexdigest()


def _answer(body: str, status: int, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    if replayed:
        response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view: Callable[..., Response]) -> Callable[..., HttpResponse]:
    """Make a create action of a DRF view set safe to retry with an ``Idempotency-Key``."""

    @wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        raw = request.headers.get(HEADER)
        if raw is None:
            return view(self, request, *args, **kwargs)
        key = _key(raw)
        fingerprint = _fingerprint(request)

        def record(response: Response) -> tuple[str, bool]:
            body = JSONRenderer().render(response.data).decode()
            return body, idempotency_answer_record(
                user=request.user,
                key=key,
                fingerprint=fingerprint,
                status_code=response.status_code,
                body=body,
                now=timezone.now(),
            )

        with transaction.atomic():
            try:
                response = view(self, request, *args, **kwargs)
            except Exception as exc:
                # The view set's own error answer; an unexpected error propagates (rollback).
                response = self.handle_exception(exc)
            status = response.status_code
            transient = status >= 500 or status == 429
            if status < 400:
                body, kept = record(response)
                if kept:
                    return _answer(body, status)
            # Refused, transient, or answered before: undo this attempt.
            transaction.set_rollback(True)
        if transient:
            return response
        if status >= 400:
            # A refusal is kept on its own, once its attempt is undone.
            body, kept = record(response)
            if kept:
                return _answer(body, status)
        first = IdempotencyKey.objects.get(user=cast(User, request.user), key=key)
        if first.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        return _answer(first.response_body, first.status_code, replayed=True)

    return wrapper
