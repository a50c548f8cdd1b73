"""The API's only parser: JSON, bounded in size and depth.

DRF's own JSON parser lets the RecursionError of a body nested a thousand levels deep escape as
a 500, and accepts NaN and Infinity. The size check here holds whichever stream DRF hands over
(recent DRF reads ``request.body`` first, where Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` already
applies and the exception handler answers 413).
"""

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = _("The request body is too large.")


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            return {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Read one byte more than allowed: a body without Content-Length is bounded too.
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError as error:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from error
        except ValueError as error:
            raise exceptions.ParseError(_("The body is not valid JSON.")) from error


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's parser accepts them unless told not to.
    raise ValueError(f"{name} is not JSON")
