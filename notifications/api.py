"""Webhooks in the API: register an endpoint for a platform you operate or a company you
administer (the signing secret is in the answer, once), list them, read their delivery log,
resume a paused one, send a delivery again, delete."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Company
from core.api_schema import error_responses
from core.fields import IdField, key_of
from platforms.models import Platform

from .exceptions import WebhookNotAllowed, WebhookNotFound
from .webhook_models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .webhooks import (
    delivery_resend,
    webhook_create,
    webhook_delete,
    webhook_resume,
    webhooks_managed_by,
)

CREATE_ERRORS = {
    400: "`invalid`, `webhook_events_invalid`, `webhook_address_refused` (not https, a host "
    "that does not resolve, or a private, loopback or local address).",
    403: "`webhook_not_allowed`: name one platform you operate or one company you administer.",
}


class WebhookSerializer(serializers.ModelSerializer):
    platform = serializers.IntegerField(source="platform_id", read_only=True, allow_null=True)
    company = serializers.IntegerField(source="company_id", read_only=True, allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = (
            "id",
            "url",
            "events",
            "platform",
            "company",
            "created_at",
            "failures",
            "paused_at",
        )


class NewWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="The HMAC-SHA256 key of `X-Signature`: shown only now, store it."
    )

    class Meta(WebhookSerializer.Meta):
        fields = ("secret", *WebhookSerializer.Meta.fields)


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="An https address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=10
    )
    platform = IdField(required=False)
    company = IdField(required=False)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "event",
            "event_id",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "delivered_at",
            "next_attempt_at",
        )


class ResendSerializer(serializers.Serializer):
    delivery = IdField()


@extend_schema_view(
    list=extend_schema(summary="The webhooks you manage"),
    retrieve=extend_schema(
        responses={200: WebhookSerializer, **error_responses({404: "`not_found`."})}
    ),
    destroy=extend_schema(responses={204: None, **error_responses({404: "`not_found`."})}),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhooks of the platforms you operate and of the companies you administer. Each POST to
    an endpoint carries `X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
    `X-Webhook-Event` and `X-Webhook-Id` (the event's id: the same on every retry)."""

    serializer_class = WebhookSerializer

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return webhooks_managed_by(user=self.request.user)

    def get_object(self) -> WebhookEndpoint:
        endpoint = self.get_queryset().filter(pk=key_of(self.kwargs["pk"])).first()
        if endpoint is None:
            raise WebhookNotFound()
        return endpoint

    @extend_schema(
        request=WebhookCreateSerializer,
        responses={201: NewWebhookSerializer, **error_responses(CREATE_ERRORS)},
    )
    def create(self, request: Request) -> Response:
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        platform = company = None
        if "platform" in data:
            platform = Platform.objects.filter(pk=data["platform"]).first()
            if platform is None:
                raise WebhookNotAllowed()
        if "company" in data:
            company = Company.objects.filter(pk=data["company"]).first()
            if company is None:
                raise WebhookNotAllowed()
        endpoint = webhook_create(
            user=request.user,
            url=data["url"],
            events=data["events"],
            platform=platform,
            company=company,
        )
        return Response(NewWebhookSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        webhook_delete(endpoint=instance, user=self.request.user)

    @extend_schema(responses={200: DeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        """The last 100 deliveries, newest first."""
        endpoint = self.get_object()
        rows = endpoint.deliveries.all()[:100]
        return Response(DeliverySerializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: WebhookSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: Any = None) -> Response:
        """Un-pause: the deliveries that waited go now."""
        endpoint = self.get_object()
        webhook_resume(endpoint=endpoint, user=request.user)
        endpoint.refresh_from_db()
        return Response(WebhookSerializer(endpoint).data)

    @extend_schema(request=ResendSerializer, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: Any = None) -> Response:
        """Send one of its deliveries again."""
        endpoint = self.get_object()
        serializer = ResendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = endpoint.deliveries.filter(pk=serializer.validated_data["delivery"]).first()
        if delivery is None:
            raise WebhookNotFound()
        delivery_resend(delivery=delivery, user=request.user)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data)
