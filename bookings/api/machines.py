"""The machine endpoints as the demand side completes them: a machine's availability and the
network-wide search for free time. The supply side (``platforms.api``) owns the catalogue."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_schema import error_responses
from core.fields import BoundedDateTimeField
from core.shared import shared_answer
from platforms import api as catalogue
from platforms.models import Machine

from ..exceptions import WindowTooLong
from ..selectors import (
    machine_seen_by,
    machines_search,
    qualification_standing,
    with_machines,
)
from .waiting import (
    WAITING_ERRORS,
    WaitingCreateSerializer,
    WaitingEntrySerializer,
    waitlist_join,
)

MAX_WINDOW = timedelta(days=31)
WINDOW_ERRORS = {
    400: "`invalid`: missing or bad dates (years 2000–2100); `window_too_long`: over 31 days."
}


def _check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise serializers.ValidationError(_("The end must be after the start."))
    if end - start > MAX_WINDOW:
        raise WindowTooLong(days=MAX_WINDOW.days)


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class MachineSerializer(catalogue.MachineSerializer):
    first_free = serializers.SerializerMethodField()

    class Meta(catalogue.MachineSerializer.Meta):
        fields = (*catalogue.MachineSerializer.Meta.fields, "first_free")

    @extend_schema_field(IntervalSerializer(many=True, allow_null=True))
    def get_first_free(self, machine: Machine) -> list[dict[str, Any]] | None:
        """With available_from/available_to: the machine's first free slots, soonest first."""
        slots = self.context.get("first_free", {}).get(machine.pk)
        if slots is None:
            return None
        intervals = [{"start": start, "end": end} for start, end in slots]
        return IntervalSerializer(intervals, many=True).data  # type: ignore[return-value]


class MachineSearchSerializer(catalogue.MachineFilterSerializer):
    available_from = BoundedDateTimeField(required=False)
    available_to = BoundedDateTimeField(required=False)
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
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_window(attrs["start"], attrs["end"])
        return attrs


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


class MachineViewSet(catalogue.MachineViewSet):
    """Machines of every active platform (public), and the network-wide search."""

    serializer_class = MachineSerializer

    @extend_schema(
        parameters=[MachineSearchSerializer],
        responses={
            200: MachineSerializer(many=True),
            **error_responses(
                {400: "`invalid`: bad filters; `window_too_long`: more than 31 days."}
            ),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Filter by platform, category and region. With available_from and available_to,
        search the whole network: only machines with a bookable free slot in the window, soonest
        first, each with its first free slots."""
        filters = MachineSearchSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if "available_from" not in params:
            page = self.paginate_queryset(self.filtered(params))
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        if request.user.is_authenticated:
            return Response(self._search(params, now=timezone.now()))
        # Visitors share the answer for a few seconds (core/shared.py).
        # The whole address: the page's next and previous links carry its host.
        asked = (request.build_absolute_uri(), get_language())
        return Response(shared_answer("api-search", asked, lambda at: self._search(params, at)))

    def _search(self, params: dict[str, Any], now: datetime) -> Any:
        """A page of the whole-network search, as the answer's data."""
        platform = params.get("platform")
        results = machines_search(
            start=params["available_from"],
            end=params["available_to"],
            category=params.get("category"),
            region=params.get("region"),
            platforms=None if platform is None else [platform],
            min_free_minutes=params.get("min_free_minutes", 0),
            now=now,
        )
        shown = with_machines(self.paginate_queryset(results) or [])  # type: ignore[arg-type]
        context = {
            **self.get_serializer_context(),
            "first_free": {result.machine_id: result.first_free for result in shown},
        }
        machines = [result.machine for result in shown]
        return self.get_paginated_response(
            MachineSerializer(machines, many=True, context=context).data
        ).data

    @extend_schema(
        parameters=[WindowSerializer],
        responses={200: AvailabilitySerializer, **error_responses(WINDOW_ERRORS)},
    )
    @action(detail=True, methods=["get"])
    def availability(self, request: Request, pk: str | None = None) -> Response:
        """Free, busy and closed time of the machine between start and end (ISO 8601, at most
        31 days). Other companies' bookings are anonymous busy time."""
        machine = self.get_object()
        window = WindowSerializer(data=request.query_params)
        window.is_valid(raise_exception=True)
        seen = machine_seen_by(
            user=request.user,
            machine=machine,
            start=window.validated_data["start"],
            end=window.validated_data["end"],
        )
        availability = seen.availability
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
                            "mine": busy.mine,
                            "booking": busy.booking_id,
                        }
                        for busy in seen.busy
                    ],
                    "closed": [{"start": s, "end": e} for s, e in availability.closed],
                }
            ).data
        )

    @extend_schema(
        request=WaitingCreateSerializer,
        responses={201: WaitingEntrySerializer, **error_responses(WAITING_ERRORS)},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def waitlist(self, request: Request, pk: str | None = None) -> Response:
        """Join the machine's waiting list over a busy range (start, end: at most 7 days,
        naive times in the platform's time zone): when a cancellation, a move or a rejection
        frees part of it, you get an e-mail with a link to book it — everyone waiting is told
        at once, the first to book gets it. See and leave your entries at /waitlist/."""
        return waitlist_join(request, self.get_object())

    def renews_qualification(self, machine: Machine) -> bool:
        standing = qualification_standing(
            user=self.request.user, machine=machine, start=timezone.now()
        )
        return standing.ended_on is not None and not standing.qualified
