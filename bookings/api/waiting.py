"""Waiting lists in the API: join one on a machine (``POST /machines/<id>/waitlist/``), list
the entries you are still waiting on, leave one."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_schema import error_responses
from core.fields import BoundedDateTimeField, IdField, key_of
from platforms.models import Machine

from ..models import WaitingEntry
from ..selectors import waiting_of
from ..services import waiting_join, waiting_leave
from .bookings import company_for

WAITING_ERRORS = {
    400: "`invalid` (malformed input), `invalid_range`, `out_of_range`, `invalid_local_time`, "
    "`waiting_past` (already begun), `waiting_too_long` (over 7 days), `too_far` (past the "
    "machine's horizon), `machine_inactive`, `unknown_machine`, `unknown_company`.",
    403: "`not_member` / `company_not_validated`: you may not wait for this company.",
    409: "`range_free`: nothing is booked over this time, book it; `already_waiting`: you "
    "wait over part of it already.",
    429: "`too_many_waiting`: you wait for 20 ranges already.",
}


class WaitingEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    machine = serializers.IntegerField(source="machine_id", read_only=True)
    machine_name = serializers.CharField(source="machine.name", read_only=True)
    company = serializers.IntegerField(source="company_id", read_only=True)
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class WaitingCreateSerializer(serializers.Serializer):
    start = BoundedDateTimeField(keep_naive=True)
    end = BoundedDateTimeField(keep_naive=True)
    company = IdField(
        required=False,
        help_text="Defaults to your only company; required if you belong to several.",
    )


def waitlist_join(request: Request, machine: Machine) -> Response:
    """Wait for a busy range of ``machine`` to free up (the machine view set's action)."""
    serializer = WaitingCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    entry = waiting_join(
        machine=machine,
        company=company_for(request.user, data),
        user=request.user,
        start=data["start"],
        end=data["end"],
    )
    return Response(WaitingEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class WaitingViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The waiting list entries you are still waiting on, soonest first; leave one with
    DELETE. You are e-mailed when time you wait for is freed; an entry ends at its start,
    or when you book the machine over it."""

    serializer_class = WaitingEntrySerializer

    def get_queryset(self) -> QuerySet[WaitingEntry]:
        return waiting_of(user=self.request.user)

    @extend_schema(responses={204: None, **error_responses({404: "`not_found`."})})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Leave this waiting list entry."""
        pk = self.kwargs["pk"]
        waiting_leave(entry=key_of(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
