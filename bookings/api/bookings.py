"""Bookings (lists filtered by the same selector as the UI), series, their lifecycle, and the
companies of the signed-in user with their iCal feed."""

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.idempotency import IDEMPOTENCY_ERRORS, IDEMPOTENCY_PARAMETER, idempotent
from accounts.models import User
from core.api_schema import error_responses
from core.fields import BoundedDateTimeField, IdField
from core.text import multi_line

from ..exceptions import NotMember
from ..models import Booking, BookingKind, BookingStatus, Company
from ..selectors import bookings_visible_to, companies_of
from ..services import (
    booking_approve,
    booking_cancel,
    booking_create,
    booking_create_series,
    booking_move,
    booking_reject,
    company_ical_token_regenerate,
    usage_measure_start,
    usage_measure_stop,
    usage_record,
)

RULE_CODES = (
    "`unknown_machine`, `unknown_company`, `invalid_local_time`, `not_aligned`, `too_short`, "
    "`too_long`, `too_soon`, `too_far`, "
    "`outside_opening_hours`, `closed`, `not_qualified`, `quota_exceeded`, `machine_inactive`, "
    "`invalid_range`, `out_of_range`"
)
BOOKING_ERRORS = {
    400: f"`invalid` (malformed input, `errors` per field) or a booking rule: {RULE_CODES}.",
    403: "`not_member`: you may not book for this company.",
    409: "`slot_unavailable`: another booking overlaps the slot.",
}
ACTION_ERRORS = {
    403: "`not_allowed`: you may see this booking but not do this to it.",
    409: "`not_cancellable` / `not_pending`: the booking's status does not allow it; "
    "`holds_training`: an internal block that holds a training session changes with it.",
}


class BookingSerializer(serializers.Serializer):
    """A booking as the API shows it (read only: bookings change through the services). Fields
    declared one by one: a ModelSerializer derives them from the model on every answer."""

    id = serializers.IntegerField(read_only=True)
    machine = serializers.IntegerField(source="machine_id", read_only=True)
    machine_name = serializers.CharField(source="machine.name", read_only=True)
    platform = serializers.IntegerField(source="machine.platform_id", read_only=True)
    company = serializers.IntegerField(source="company_id", read_only=True, allow_null=True)
    company_name = serializers.CharField(source="company.name", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=BookingKind.choices, read_only=True)
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    status = serializers.ChoiceField(choices=BookingStatus.choices, read_only=True)
    version = serializers.IntegerField(read_only=True)
    note = serializers.CharField(read_only=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    assisted = serializers.BooleanField(read_only=True)
    series_id = serializers.UUIDField(read_only=True, allow_null=True)
    late_cancellation = serializers.BooleanField(read_only=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancellation_reason = serializers.CharField(read_only=True)
    rejection_reason = serializers.CharField(read_only=True)
    actual_start = serializers.DateTimeField(read_only=True, allow_null=True)
    actual_end = serializers.DateTimeField(read_only=True, allow_null=True)
    measured = serializers.BooleanField(
        read_only=True, help_text="The usage was started and stopped at the machine."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class BookingCreateSerializer(serializers.Serializer):
    # Only ids: the booking service reads the machine and the company with the machine's lock
    # (`unknown_machine`, `unknown_company`).
    machine = IdField()
    company = IdField(
        required=False,
        help_text="Defaults to your only company; required if you belong to several.",
    )
    start = BoundedDateTimeField(keep_naive=True)
    end = BoundedDateTimeField(keep_naive=True)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", validators=[multi_line]
    )
    assisted = serializers.BooleanField(
        required=False,
        default=False,
        help_text="With a staff member's assistance, where the machine offers it (billed at its "
        "own rate; see the machine's quote).",
    )


class SeriesCreateSerializer(BookingCreateSerializer):
    frequency = serializers.ChoiceField(choices=[("daily", "daily"), ("weekly", "weekly")])
    count = serializers.IntegerField(min_value=2, max_value=52)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", validators=[multi_line]
    )


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, validators=[multi_line])


class UsageSerializer(serializers.Serializer):
    actual_start = BoundedDateTimeField(keep_naive=True)
    actual_end = BoundedDateTimeField(keep_naive=True)


class MoveSerializer(serializers.Serializer):
    start = BoundedDateTimeField(keep_naive=True)
    end = BoundedDateTimeField(keep_naive=True)


class BookingFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)
    machine = IdField(required=False)
    starts_after = BoundedDateTimeField(required=False)
    starts_before = BoundedDateTimeField(required=False)


def company_for(user: Any, data: dict[str, Any]) -> int:
    """The company named, else the user's only one (its id)."""
    company = data.get("company")
    if company is not None:
        return int(company)
    companies = list(companies_of(user=user).values_list("pk", flat=True)[:2])
    if not companies:
        raise NotMember()
    if len(companies) > 1:
        raise serializers.ValidationError(
            {"company": [_("You belong to several companies: say which one books.")]}
        )
    return companies[0]


@extend_schema_view(
    list=extend_schema(parameters=[BookingFilterSerializer]),
)
class BookingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Bookings you may see: your companies', and those of the platforms you operate."""

    serializer_class = BookingSerializer

    def get_queryset(self) -> QuerySet[Booking]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Booking.objects.none()
        bookings = bookings_visible_to(user=self.request.user).select_related(
            "machine__platform", "company"
        )
        if self.action != "list":
            return bookings
        filters = BookingFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if "status" in params:
            bookings = bookings.filter(status=params["status"])
        if "machine" in params:
            bookings = bookings.filter(machine_id=params["machine"])
        if "starts_after" in params:
            bookings = bookings.filter(start__gte=params["starts_after"])
        if "starts_before" in params:
            bookings = bookings.filter(start__lt=params["starts_before"])
        return bookings.order_by("start", "pk")

    def _respond(self, booking: Booking, code: int = status.HTTP_200_OK) -> Response:
        # The services return the booking with its machine (and platform) and company loaded.
        return Response(BookingSerializer(booking).data, status=code)

    @extend_schema(
        request=BookingCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: BookingSerializer,
            **error_responses({**BOOKING_ERRORS, **IDEMPOTENCY_ERRORS}),
        },
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Book a machine. Pending when the machine requires approval, else confirmed."""
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = booking_create(
            machine=data["machine"],
            company=company_for(request.user, data),
            user=request.user,
            start=data["start"],
            end=data["end"],
            note=data["note"],
            assisted=data["assisted"],
        )
        return self._respond(booking, status.HTTP_201_CREATED)

    @extend_schema(
        request=SeriesCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: BookingSerializer(many=True),
            **error_responses(
                {
                    **BOOKING_ERRORS,
                    **IDEMPOTENCY_ERRORS,
                    409: "`series_refused`: nothing was booked; `conflicts` lists every refused "
                    "date with its code. `slot_unavailable`: a concurrent booking won.",
                }
            ),
        },
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def series(self, request: Request) -> Response:
        """Book the same slot daily or weekly, 2 to 52 times: all or nothing."""
        serializer = SeriesCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bookings = booking_create_series(
            machine=data["machine"],
            company=company_for(request.user, data),
            user=request.user,
            start=data["start"],
            end=data["end"],
            frequency=data["frequency"],
            count=data["count"],
            note=data["note"],
            assisted=data["assisted"],
        )
        fresh = self.get_queryset().filter(pk__in=[b.pk for b in bookings]).order_by("start")
        return Response(BookingSerializer(fresh, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReasonSerializer,
        responses={
            200: BookingSerializer,
            **error_responses(
                {**ACTION_ERRORS, 400: "`already_started`: ask the operator; `invalid`."}
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel: members until the start (late inside the notice), operators any time."""
        booking = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = booking_cancel(
            booking=booking, user=request.user, reason=serializer.validated_data["reason"]
        )
        return self._respond(booking)

    @extend_schema(
        request=None, responses={200: BookingSerializer, **error_responses(ACTION_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a pending booking (operators of its platform)."""
        booking = self.get_object()
        booking = booking_approve(booking=booking, user=request.user)
        return self._respond(booking)

    @extend_schema(
        request=None,
        responses={
            200: BookingSerializer,
            **error_responses(
                {
                    **ACTION_ERRORS,
                    400: "`start_too_early` (more than 15 minutes before the booking).",
                    409: "`usage_already_started`; `not_confirmed`.",
                }
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """At the machine: its use begins now (a member of the company, or an operator), from
        15 minutes before the booking until its end. The usage is recorded as measured."""
        return self._respond(usage_measure_start(booking=self.get_object(), user=request.user))

    @extend_schema(
        request=None,
        responses={
            200: BookingSerializer,
            **error_responses(
                {
                    **ACTION_ERRORS,
                    400: "`usage_outside_booking_day` (more than 6 h after the booking's day).",
                    409: "`usage_not_started`; `not_confirmed`.",
                }
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, pk: str | None = None) -> Response:
        """At the machine: its use ends now; the booking is completed with its measured usage
        (billed as used time where the platform bills so)."""
        return self._respond(usage_measure_stop(booking=self.get_object(), user=request.user))

    @extend_schema(
        request=RequiredReasonSerializer,
        responses={200: BookingSerializer, **error_responses(ACTION_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Refuse a pending booking with a reason (operators of its platform)."""
        booking = self.get_object()
        serializer = RequiredReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = booking_reject(
            booking=booking, user=request.user, reason=serializer.validated_data["reason"]
        )
        return self._respond(booking)

    @extend_schema(
        request=UsageSerializer,
        responses={
            200: BookingSerializer,
            **error_responses(
                {
                    **ACTION_ERRORS,
                    400: "`invalid`, `invalid_range`, `usage_outside_booking_day` (more than 6 h "
                    "outside the booking's local day), `usage_in_future`, `usage_too_long` "
                    "(over 24 h).",
                }
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def usage(self, request: Request, pk: str | None = None) -> Response:
        """Record when the machine was really used (operators); the booking is completed."""
        booking = self.get_object()
        serializer = UsageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = usage_record(
            booking=booking,
            user=request.user,
            actual_start=serializer.validated_data["actual_start"],
            actual_end=serializer.validated_data["actual_end"],
        )
        return self._respond(booking)

    @extend_schema(
        request=MoveSerializer,
        responses={
            200: BookingSerializer,
            **error_responses(
                {
                    **ACTION_ERRORS,
                    400: f"`invalid`, `already_started` or a booking rule: {RULE_CODES}; for "
                    "operators `too_early` (before the previous day) and `too_far`.",
                    409: "`slot_unavailable`, `not_cancellable`, `holds_training`.",
                }
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move to another slot of the same machine: members within the rules, operators any
        time."""
        booking = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = booking_move(
            booking=booking,
            user=request.user,
            start=serializer.validated_data["start"],
            end=serializer.validated_data["end"],
        )
        return self._respond(booking)


class CompanySerializer(serializers.ModelSerializer):
    siren = serializers.CharField(read_only=True)
    ical_url = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = ("id", "name", "siret", "siren", "size_class", "region", "naf_code", "ical_url")

    def get_ical_url(self, company: Company) -> str:
        """The secret address of the company's booking calendar (iCal)."""
        request = self.context["request"]
        return request.build_absolute_uri(f"/ical/company/{company.ical_token}.ics")


class CompanyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The companies you belong to."""

    serializer_class = CompanySerializer

    def get_queryset(self) -> QuerySet[Company]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Company.objects.none()
        return Company.objects.filter(memberships__user=cast(User, self.request.user)).order_by(
            "name"
        )

    @extend_schema(request=None, responses={200: CompanySerializer})
    @action(detail=True, methods=["post"], url_path="ical-token")
    def ical_token(self, request: Request, pk: str | None = None) -> Response:
        """Replace the company's iCal address: the old one stops working at once."""
        company = company_ical_token_regenerate(company=self.get_object(), user=request.user)
        return Response(CompanySerializer(company, context={"request": request}).data)
