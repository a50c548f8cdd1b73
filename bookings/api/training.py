"""Training sessions in the API: the sessions ahead (for a machine or a platform), enrolling a
member of your company (or yourself), withdrawing, and the trainer's attendance."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api_schema import error_responses
from core.fields import IdField, key_of

from ..exceptions import NotEnrolled, NotMember
from ..models import Enrolment, TrainingSession
from ..selectors import sessions_ahead
from ..selectors.training import with_seats
from ..services import training_attendance, training_enrol, training_withdraw
from .bookings import company_for

ENROL_ERRORS = {
    400: "`invalid` (malformed input).",
    403: "`not_member` (the person is not a member of the company), `not_allowed` (only a "
    "company administrator enrols someone else), `company_not_validated`.",
    404: "`not_found`: no such session.",
    409: "`session_full` (send `waiting: true` to join its waiting list; the waiting list may "
    "be full too), `company_seats_taken`, `already_enrolled`, `session_closed` (cancelled or "
    "begun).",
}
ATTENDANCE_ERRORS = {
    400: "`invalid`, `attendance_not_yet` (the session has not begun).",
    403: "`not_allowed`: only an operator of the platform records attendance.",
    404: "`not_found` (no such session), `not_enrolled` (the person has no seat).",
    409: "`session_closed`: the session was cancelled.",
}


class SessionFilterSerializer(serializers.Serializer):
    machine = IdField(required=False, help_text="Sessions that qualify on this machine.")
    platform = IdField(required=False)


class TrainingSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    machine = serializers.IntegerField(source="machine_id", read_only=True)
    machine_name = serializers.CharField(source="machine.name", read_only=True)
    platform = serializers.IntegerField(source="machine.platform_id", read_only=True)
    whole_category = serializers.BooleanField(
        read_only=True,
        help_text="Attending qualifies on every machine of the category on the platform.",
    )
    category = serializers.CharField(source="machine.category", read_only=True)
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    trainer = serializers.SerializerMethodField()
    capacity = serializers.IntegerField(read_only=True)
    seats_left = serializers.SerializerMethodField()
    waiting = serializers.IntegerField(source="waiting_count", read_only=True)
    min_attendance = serializers.IntegerField(read_only=True)
    company_seats = serializers.IntegerField(read_only=True, allow_null=True)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, help_text="Per seat, excluding VAT."
    )
    status = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)

    def get_trainer(self, session: TrainingSession) -> str:
        trainer = session.trainer
        return (trainer.display_name or "") if trainer is not None else ""

    def get_seats_left(self, session: TrainingSession) -> int:
        # ``seats_taken`` is counted by the queryset (``selectors.training.with_seats``).
        return max(session.capacity - getattr(session, "seats_taken", 0), 0)


class EnrolmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    session = serializers.IntegerField(source="session_id", read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    company = serializers.IntegerField(source="company_id", read_only=True)
    waiting = serializers.BooleanField(read_only=True)
    attended = serializers.BooleanField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class EnrolSerializer(serializers.Serializer):
    user = IdField(help_text="Yourself, or a member of a company you administer.")
    company = IdField(required=False, help_text="Defaults to the person's only company.")
    waiting = serializers.BooleanField(
        default=False, help_text="Join the waiting list if the session is full."
    )


class PersonSerializer(serializers.Serializer):
    user = IdField()


class AttendanceSerializer(serializers.Serializer):
    user = IdField()
    attended = serializers.BooleanField()


@extend_schema_view(list=extend_schema(parameters=[SessionFilterSerializer]))
class TrainingSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Training sessions: attending one qualifies on its machine (or its whole category on the
    platform). The list holds the sessions ahead, soonest first; each says its seats left and
    how many wait. Sessions are scheduled by operators on their pages."""

    serializer_class = TrainingSessionSerializer

    def get_queryset(self) -> QuerySet[TrainingSession]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return TrainingSession.objects.none()
        if self.action != "list":
            return with_seats(TrainingSession.objects.select_related("machine", "trainer"))
        filters = SessionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        return sessions_ahead(machine=params.get("machine"), platform=params.get("platform"))

    def _session_pk(self) -> int:
        return key_of(self.kwargs["pk"])

    @extend_schema(
        request=EnrolSerializer,
        responses={201: EnrolmentSerializer, **error_responses(ENROL_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request: Request, pk: str | None = None) -> Response:
        """Give a person a seat (yourself, or a member of a company you administer); the seat
        is billed like machine time. A full session answers `session_full`: send `waiting`
        to join its waiting list, whose first person takes a seat that frees."""
        serializer = EnrolSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = _person(data["user"], missing=NotMember)
        company = company_for(person, data)
        enrolment = training_enrol(
            session=self._session_pk(),
            person=person,
            actor=request.user,
            company=company,
            waiting=data["waiting"],
        )
        return Response(EnrolmentSerializer(enrolment).data, status=201)

    @extend_schema(
        request=PersonSerializer,
        responses={200: EnrolmentSerializer, **error_responses(ENROL_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Give up a seat (or a place on the waiting list) before the session: yours, or a
        member's of a company you administer. The seat goes to the first person waiting."""
        serializer = PersonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = _person(serializer.validated_data["user"], missing=NotEnrolled)
        enrolment = Enrolment.objects.filter(
            session_id=self._session_pk(), user=person, withdrawn_at__isnull=True
        ).first()
        if enrolment is None:
            raise NotEnrolled()
        withdrawn = training_withdraw(enrolment=enrolment, actor=request.user)
        return Response(EnrolmentSerializer(withdrawn).data)

    @extend_schema(
        request=AttendanceSerializer,
        responses={200: EnrolmentSerializer, **error_responses(ATTENDANCE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """The trainer (an operator of the platform) records whether a person with a seat
        came, once the session has begun; attending grants the qualification."""
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enrolment = training_attendance(
            session=self._session_pk(),
            person=_person(data["user"], missing=NotEnrolled),
            attended=data["attended"],
            operator=request.user,
        )
        return Response(EnrolmentSerializer(enrolment).data)


def _person(pk: int, *, missing: type[Exception]) -> Any:
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None:
        raise missing()
    return person
