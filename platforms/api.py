"""Public API of the supply side: platforms, machines, network-wide search, availability.

Machines and platforms are public (anonymous visitors may browse and search); availability
shows other companies' bookings as anonymous busy time.
"""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_schema import error_responses

from .exceptions import WindowTooLong
from .models import Machine, MachineCategory, Platform, Qualification, Region
from .selectors import qualifications_visible_to
from .services import qualification_grant, qualification_refuse, qualification_request

MAX_WINDOW = timedelta(days=31)


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


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class MachineSerializer(serializers.ModelSerializer):
    platform_name = serializers.CharField(source="platform.name", read_only=True)
    region = serializers.CharField(source="platform.region", read_only=True)
    first_free = serializers.SerializerMethodField()

    class Meta:
        model = Machine
        fields = (
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
            "requires_approval",
            "requires_qualification",
            "first_free",
        )

    @extend_schema_field(IntervalSerializer(many=True, allow_null=True))
    def get_first_free(self, machine: Machine) -> list[dict[str, Any]] | None:
        """With available_from/available_to: the machine's first free slots, soonest first."""
        slots = self.context.get("first_free", {}).get(machine.pk)
        if slots is None:
            return None
        intervals = [{"start": start, "end": end} for start, end in slots]
        return IntervalSerializer(intervals, many=True).data  # type: ignore[return-value]


class MachineFilterSerializer(serializers.Serializer):
    platform = serializers.IntegerField(required=False, min_value=1)
    category = serializers.ChoiceField(choices=MachineCategory.choices, required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    available_from = serializers.DateTimeField(required=False)
    available_to = serializers.DateTimeField(required=False)
    min_free_minutes = serializers.IntegerField(required=False, min_value=0, max_value=24 * 60)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("available_from"), attrs.get("available_to")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                _("Give both available_from and available_to, or neither.")
            )
        if start is not None and end is not None:
            _check_window(start, end)
        return attrs


class WindowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_window(attrs["start"], attrs["end"])
        return attrs


def _check_window(start: Any, end: Any) -> None:
    if end <= start:
        raise serializers.ValidationError(_("The end must be after the start."))
    if end - start > MAX_WINDOW:
        raise WindowTooLong(days=MAX_WINDOW.days)


class BusySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    mine = serializers.BooleanField(help_text="A booking of one of your companies.")
    booking = serializers.IntegerField(
        allow_null=True, help_text="Its id, for your own bookings and your platform's."
    )


class AvailabilitySerializer(serializers.Serializer):
    machine = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    free = IntervalSerializer(many=True)
    busy = BusySerializer(many=True)
    closed = IntervalSerializer(many=True)


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
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class GrantSerializer(serializers.Serializer):
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


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
    """Machines of every active platform (public), and the network-wide search."""

    serializer_class = MachineSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Machine]:
        return (
            Machine.objects.filter(active=True, platform__active=True)
            .select_related("platform")
            .order_by("platform__name", "name")
        )

    @extend_schema(
        parameters=[MachineFilterSerializer],
        responses={
            200: MachineSerializer(many=True),
            **error_responses(
                {
                    400: "`invalid`: bad filters; `window_too_long`: more than 31 days.",
                }
            ),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Filter by platform, category and region. With available_from and available_to,
        search the whole network: only machines with a bookable free slot in the window, soonest
        first, each with its first free slots."""
        from bookings.selectors import machines_search

        filters = MachineFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if "available_from" not in params:
            machines = self.get_queryset()
            if "platform" in params:
                machines = machines.filter(platform_id=params["platform"])
            if "category" in params:
                machines = machines.filter(category=params["category"])
            if "region" in params:
                machines = machines.filter(platform__region=params["region"])
            page = self.paginate_queryset(machines)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        results = machines_search(
            start=params["available_from"],
            end=params["available_to"],
            category=params.get("category"),
            region=params.get("region"),
            platform=params.get("platform"),
            min_free_minutes=params.get("min_free_minutes", 0),
        )
        page = self.paginate_queryset([result.machine for result in results])  # type: ignore[arg-type]
        context = {
            **self.get_serializer_context(),
            "first_free": {result.machine.pk: result.first_free for result in results},
        }
        return self.get_paginated_response(MachineSerializer(page, many=True, context=context).data)

    @extend_schema(
        request=QualificationRequestSerializer,
        responses={201: QualificationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def qualification(self, request: Request, pk: str | None = None) -> Response:
        """Ask the platform to qualify you on this machine (operators grant it)."""
        data = QualificationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        requested = qualification_request(
            user=request.user, machine=self.get_object(), note=data.validated_data["note"]
        )
        return Response(QualificationSerializer(requested).data, status=201)

    @extend_schema(
        parameters=[WindowSerializer],
        responses={
            200: AvailabilitySerializer,
            **error_responses(
                {400: "`invalid`: missing or bad start/end; `window_too_long`: over 31 days."}
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def availability(self, request: Request, pk: str | None = None) -> Response:
        """Free, busy and closed time of the machine between start and end (ISO 8601, at most
        31 days). Other companies' bookings are anonymous busy time."""
        from bookings.selectors import bookings_visible_to, machine_availability

        machine = self.get_object()
        window = WindowSerializer(data=request.query_params)
        window.is_valid(raise_exception=True)
        availability = machine_availability(
            machine=machine, start=window.validated_data["start"], end=window.validated_data["end"]
        )
        ids = [busy.booking_id for busy in availability.busy]
        visible = set(
            bookings_visible_to(user=request.user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        mine = set(
            bookings_visible_to(user=request.user, own_companies_only=True)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        return Response(
            AvailabilitySerializer(
                {
                    "machine": machine.pk,
                    "start": availability.start,
                    "end": availability.end,
                    "free": [{"start": s, "end": e} for s, e in availability.free],
                    "busy": [
                        {
                            "start": busy.start,
                            "end": busy.end,
                            "mine": busy.booking_id in mine,
                            "booking": busy.booking_id if busy.booking_id in visible else None,
                        }
                        for busy in availability.busy
                    ],
                    "closed": [{"start": s, "end": e} for s, e in availability.closed],
                }
            ).data
        )
