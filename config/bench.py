"""A bench-only endpoint (``BENCH_ENDPOINTS=1``): the floor that booking over HTTP is compared to.

It authenticates like the real API and inserts one row, with no rule, lock or check, so that
``bench/api_booking.py`` measures what the booking core adds to a bare DRF request.
"""

from datetime import datetime
from typing import Any

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking, BookingStatus


class BareSerializer(serializers.Serializer):
    machine = serializers.IntegerField()
    company = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    note = serializers.CharField(required=False, default="")


class BareInsertView(APIView):
    def post(self, request: Request) -> Response:
        data = BareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        start: datetime = values["start"]
        booking = Booking.objects.create(
            machine_id=values["machine"],
            company_id=values["company"],
            booked_by_id=request.user.pk,
            start=start,
            end=values["end"],
            note=values["note"],
            # Not an active status: the overlap constraint does not apply to this floor.
            status=BookingStatus.CANCELLED,
        )
        return Response({"id": booking.pk}, status=status.HTTP_201_CREATED)
