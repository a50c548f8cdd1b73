"""Public API of the supply side: platforms, the machine catalogue, qualifications.

Machines and platforms are public (anonymous visitors may browse). The demand side
(``bookings.api``) extends the machine endpoints with availability and the network search.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.idempotency import IDEMPOTENCY_ERRORS, IDEMPOTENCY_PARAMETER, idempotent
from core.api_schema import error_responses
from core.fields import BoundedDateField, IdField
from core.text import multi_line

from .models import Machine, MachineCategory, Platform, Qualification, Region
from .selectors import qualifications_visible_to
from .services import qualification_grant, qualification_refuse, qualification_request


class PlatformSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="get_region_display", read_only=True)

    class Meta:
        model = Platform
        fields = (
            "id",
            "name",
            "slug",
            "region",
            "region_name",
            "city",
            "timezone",
            "contact_email",
            "label_reference",
            "label_date",
        )


class MachineSerializer(serializers.ModelSerializer):
    platform_name = serializers.CharField(source="platform.name", read_only=True)
    region = serializers.CharField(source="platform.region", read_only=True)

    class Meta:
        model = Machine
        fields: tuple[str, ...] = (
            "id",
            "platform",
            "platform_name",
            "region",
            "name",
            "slug",
            "category",
            "description",
            "manufacturer",
            "model_name",
            "hourly_rate",
            "slot_minutes",
            "min_minutes",
            "max_minutes",
            "min_notice_hours",
            "max_advance_days",
            "buffer_minutes",
            "weekly_quota_hours",
            "daily_quota_hours",
            "requires_approval",
            "requires_qualification",
            "qualification_months",
            "qualification_lapse_months",
        )


class MachineFilterSerializer(serializers.Serializer):
    platform = IdField(required=False)
    category = serializers.ChoiceField(choices=MachineCategory.choices, required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)


class QualificationSerializer(serializers.ModelSerializer):
    machine_name = serializers.CharField(source="machine.name", read_only=True)
    user_email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Qualification
        fields = (
            "id",
            "machine",
            "machine_name",
            "user",
            "user_email",
            "status",
            "requested_at",
            "granted_at",
            "valid_until",
            "note",
        )
        read_only_fields = fields


class QualificationRequestSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", validators=[multi_line]
    )


class GrantSerializer(serializers.Serializer):
    valid_until = BoundedDateField(required=False, allow_null=True, default=None)


OPERATOR_ONLY = {403: "`not_allowed`: only an operator of the machine's platform decides."}


class QualificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your qualifications, and the requests on the machines of the platforms you operate."""

    serializer_class = QualificationSerializer

    def get_queryset(self) -> QuerySet[Qualification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Qualification.objects.none()
        return qualifications_visible_to(user=self.request.user).order_by("machine", "user")

    @extend_schema(
        request=GrantSerializer,
        responses={200: QualificationSerializer, **error_responses(OPERATOR_ONLY)},
    )
    @action(detail=True, methods=["post"])
    def grant(self, request: Request, pk: str | None = None) -> Response:
        """Qualify the person on the machine, until an optional date."""
        qualification = self.get_object()
        data = GrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        granted = qualification_grant(
            operator=request.user,
            user=qualification.user,
            machine=qualification.machine,
            valid_until=data.validated_data["valid_until"],
        )
        return Response(QualificationSerializer(granted).data)

    @extend_schema(
        request=None, responses={200: QualificationSerializer, **error_responses(OPERATOR_ONLY)}
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        """Refuse the request, or withdraw the qualification."""
        refused = qualification_refuse(operator=request.user, qualification=self.get_object())
        return Response(QualificationSerializer(refused).data)


class PlatformViewSet(viewsets.ReadOnlyModelViewSet):
    """The labelled platforms of the network (public)."""

    serializer_class = PlatformSerializer
    permission_classes = [AllowAny]
    queryset = Platform.objects.filter(active=True).order_by("name")


class MachineViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue: machines of every active platform (public). ``bookings.api`` adds
    their availability and the network-wide search."""

    serializer_class = MachineSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Machine]:
        return (
            Machine.objects.filter(active=True, platform__active=True)
            .select_related("platform")
            .order_by("platform__name", "name")
        )

    def filtered(self, params: dict[str, Any]) -> QuerySet[Machine]:
        """The catalogue narrowed by platform, category and region."""
        machines = self.get_queryset()
        if "platform" in params:
            machines = machines.filter(platform_id=params["platform"])
        if "category" in params:
            machines = machines.filter(category=params["category"])
        if "region" in params:
            machines = machines.filter(platform__region=params["region"])
        return machines

    @extend_schema(parameters=[MachineFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Filter by platform, category and region."""
        filters = MachineFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(self.filtered(filters.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=QualificationRequestSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: QualificationSerializer, **error_responses(IDEMPOTENCY_ERRORS)},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    @idempotent
    def qualification(self, request: Request, pk: str | None = None) -> Response:
        """Ask the platform to qualify you on this machine (operators grant it); one that
        expired or lapsed is asked for again."""
        data = QualificationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        machine = self.get_object()
        requested = qualification_request(
            user=request.user,
            machine=machine,
            note=data.validated_data["note"],
            renew=self.renews_qualification(machine),
        )
        return Response(QualificationSerializer(requested).data, status=201)

    def renews_qualification(self, machine: Machine) -> bool:
        """Whether the person's granted qualification on ``machine`` ended, so that asking
        again renews it: the demand side (``bookings.api``) knows; here, never."""
        return False
