"""Public API of the supply side: platforms, machines, network-wide search, availability.

Machines and platforms are public (anonymous visitors may browse and search); availability
shows other companies' bookings as anonymous busy time.
"""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_schema import error_responses

from .exceptions import WindowTooLong
from .models import Machine, MachineCategory, Platform, Region

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
