"""The API's error schema, and the AutoSchema that documents shared errors on every endpoint.

Kept apart from ``config.api`` (which imports views): DRF loads this class from its settings
while view classes are being defined.
"""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ConflictSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    code = serializers.CharField()
    detail = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every error the API returns."""

    code = serializers.CharField(help_text="Stable, machine-readable code.")
    detail = serializers.CharField(help_text="Human message in the request's language.")
    # A declared field, not Serializer.errors: the metaclass moves it into the field list.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="Malformed input (code `invalid`): messages per field."
    )
    conflicts = ConflictSerializer(
        many=True, required=False, help_text="A refused series: every refused date."
    )
    retry_after = serializers.IntegerField(
        required=False,
        help_text="Seconds to wait, as in Retry-After (codes `login_blocked`, `busy`).",
    )


UNAUTHENTICATED = {401: "`not_authenticated`, `authentication_failed`: no or bad credentials."}
NOT_FOUND = {404: "`not_found`: no such object, or one you may not see."}
INVALID = {400: "`invalid`: malformed input, with `errors` per field."}


def error_responses(errors: dict[int, str]) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for error statuses, each described by the codes it can carry."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=description)
        for status, description in errors.items()
    }


class AutoSchema(SpectacularAutoSchema):
    """Documents the errors every endpoint shares, beside the ones each action declares:
    401 where credentials are needed, 404 on an object's URL, 400 where a body is sent."""

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        shared = {}
        if not any(issubclass(p, AllowAny) for p in getattr(self.view, "permission_classes", [])):
            shared["401"] = UNAUTHENTICATED[401]
        if "{" in self.path:
            shared["404"] = NOT_FOUND[404]
        if self.method in ("POST", "PUT", "PATCH"):
            shared["400"] = INVALID[400]
        for status, description in shared.items():
            if status not in responses:
                response = self._get_response_for_code(ErrorSerializer, status)
                response["description"] = description
                responses[status] = response
        return responses
