"""The REST API's shared parts: the one exception handler and the URL tree."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import DomainError
from core.parsers import RequestTooLarge


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors → their status and code; DRF's errors → the same ``{"code", "detail"}``."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.detail}
        conflicts = getattr(exc, "conflicts", None)
        if conflicts is not None:
            body["conflicts"] = [
                {key: _jsonable(value) for key, value in conflict.items()} for conflict in conflicts
            ]
        session = getattr(exc, "next_session", None)
        if session is not None:
            body["next_training_session"] = {
                "id": session.pk,
                "start": session.start.astimezone(session.machine.platform.tz).isoformat(),
                "url": f"/api/v1/training-sessions/{session.pk}/",
            }
        retry_after = getattr(exc, "retry_after", None)
        headers = None
        if retry_after is not None:
            body["retry_after"] = retry_after
            headers = {"Retry-After": str(retry_after)}
        return Response(body, status=exc.status, headers=headers)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        # Too many fields, a malformed multipart body…: Django's own 400, said in JSON.
        exc = exceptions.ParseError(_("The request is malformed."))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _("The request is not valid: see the errors per field."),
            "errors": exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail},
        }
        return response
    if isinstance(exc, exceptions.APIException):
        body = {"code": exc.default_code, "detail": str(exc.detail)}
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            body["retry_after"] = int(wait)
        response.data = body
    return response


def _router() -> DefaultRouter:
    from accounts.api import TokenViewSet
    from billing.api import InvoiceViewSet, MachineViewSet
    from bookings.api import (
        BookingViewSet,
        CompanyViewSet,
        TrainingSessionViewSet,
        WaitingViewSet,
    )
    from notifications.api import WebhookViewSet
    from platforms.api import PlatformViewSet, QualificationViewSet

    router = DefaultRouter()
    router.register("platforms", PlatformViewSet, basename="platform")
    router.register("machines", MachineViewSet, basename="machine")
    router.register("bookings", BookingViewSet, basename="booking")
    router.register("companies", CompanyViewSet, basename="company")
    router.register("qualifications", QualificationViewSet, basename="qualification")
    router.register("invoices", InvoiceViewSet, basename="invoice")
    router.register("waitlist", WaitingViewSet, basename="waitlist")
    router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
    router.register("auth/tokens", TokenViewSet, basename="token")
    router.register("webhooks", WebhookViewSet, basename="webhook")
    return router


def urlpatterns() -> list[Any]:
    from accounts.api import ObtainTokenView
    from reports.api import UsageReportView

    return [
        path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
        path("api/v1/reports/usage/", UsageReportView.as_view(), name="api-reports-usage"),
        path("api/v1/", include(_router().urls)),
        path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        # The split view serves Swagger UI's start-up script as a file of its own: the
        # Content-Security-Policy allows no inline script.
        path(
            "api/docs/",
            SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
            name="api-docs",
        ),
    ]
