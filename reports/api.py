"""``GET /api/v1/reports/usage/``: the usage report of the scope the caller may see, as JSON or
as a CSV, XLSX or PDF download (the same numbers)."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import ErrorSerializer, error_responses
from core.fields import BoundedDateField, IdField
from platforms.models import MachineCategory, Region

from .exceptions import ReportComputing
from .exports import FORMATS, report_file
from .selectors import MAX_REPORT_DAYS, report_scope, report_title, usage_report
from .snapshots import report_recent

# What a client waits before asking again for a view being computed.
COMPUTING_RETRY_SECONDS = 5


class UsageQuerySerializer(serializers.Serializer):
    start = BoundedDateField(help_text=_("First day of the period (local time of each platform)."))
    end = BoundedDateField(help_text=_("The day after the period's last (excluded)."))
    programme = IdField(required=False)
    platform = IdField(required=False)
    machine = IdField(required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    format = serializers.ChoiceField(choices=FORMATS, required=False, default="json")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must be after the start.")})
        if (attrs["end"] - attrs["start"]).days > MAX_REPORT_DAYS:
            raise serializers.ValidationError({"end": _("A report covers at most three years.")})
        return attrs


class BookingCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    completed = serializers.IntegerField()
    cancelled = serializers.IntegerField(help_text=_("Cancelled on time."))
    late_cancelled = serializers.IntegerField()
    no_show = serializers.IntegerField()
    rejected = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    smes_served = serializers.IntegerField(
        help_text=_(
            "Distinct SIRENs of micro, small and medium companies with a completed booking."
        )
    )
    companies_served = serializers.IntegerField()
    new_smes = serializers.IntegerField()
    hours_booked = serializers.FloatField()
    hours_used = serializers.FloatField()
    hours_measured = serializers.FloatField(
        default=0.0,
        help_text=_(
            "The part of hours_used measured at the machine (started and stopped there); "
            "the rest was declared."
        ),
    )
    open_hours = serializers.FloatField(allow_null=True)
    utilisation = serializers.FloatField(allow_null=True)
    revenue = serializers.CharField(help_text=_("A decimal, in euros excluding VAT."))
    bookings = BookingCountsSerializer()


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class ProgrammeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    target = serializers.IntegerField()
    smes_served_to_date = serializers.IntegerField()


WAITING_HELP = (
    "People who joined a waiting list for busy time starting in the period (every entry, "
    "served or not): demand beyond the calendar, a sign the machine is saturated."
)


class TotalFiguresSerializer(FiguresSerializer):
    waiting = serializers.IntegerField(help_text=WAITING_HELP)


class PlatformFiguresSerializer(FiguresSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices)
    waiting = serializers.IntegerField(help_text=WAITING_HELP)


class MachineFiguresSerializer(FiguresSerializer):
    id = serializers.IntegerField()
    platform = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=MachineCategory.choices)
    waiting = serializers.IntegerField(help_text=WAITING_HELP)


class MonthFiguresSerializer(FiguresSerializer):
    month = serializers.CharField(help_text="YYYY-MM")


class PreviousSerializer(FiguresSerializer):
    period = PeriodSerializer()


class SubsidyPlatformSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    granted = serializers.CharField()


class SubsidyCompanySerializer(serializers.Serializer):
    siren = serializers.CharField()
    name = serializers.CharField()
    size_class = serializers.CharField()
    region = serializers.CharField()
    granted = serializers.CharField()
    cap_left_this_year = serializers.CharField(allow_null=True)


class SubsidySerializer(serializers.Serializer):
    """The programme's aid granted in the period (euros, strings with two decimals)."""

    granted = serializers.CharField()
    budget = serializers.CharField(allow_null=True)
    budget_left = serializers.CharField(allow_null=True)
    by_platform = SubsidyPlatformSerializer(many=True)
    by_region = serializers.DictField(child=serializers.CharField())
    by_size_class = serializers.DictField(child=serializers.CharField())
    companies = SubsidyCompanySerializer(many=True)


class UsageReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    programme = ProgrammeSummarySerializer(allow_null=True)
    totals = TotalFiguresSerializer()
    platforms = PlatformFiguresSerializer(many=True)
    machines = MachineFiguresSerializer(many=True)
    by_category = serializers.DictField(child=FiguresSerializer())
    by_size_class = serializers.DictField(child=FiguresSerializer())
    by_region = serializers.DictField(child=FiguresSerializer())
    by_month = MonthFiguresSerializer(many=True)
    previous = PreviousSerializer()
    subsidy = SubsidySerializer()


class _FormatIsOurs(BaseContentNegotiation):
    """``format`` chooses the file, not DRF's renderer: always answer through JSON (the files
    are plain HTTP responses)."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class UsageReportView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _FormatIsOurs

    @extend_schema(
        operation_id="reports_usage",
        parameters=[UsageQuerySerializer],
        responses={
            (200, "application/json"): UsageReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (202, "application/json"): OpenApiResponse(
                ErrorSerializer,
                description="`report_computing`: this view is being computed by a worker; ask "
                "again after `Retry-After` seconds.",
            ),
            **error_responses(
                {
                    400: "`invalid`: bad dates or filters.",
                    403: "`not_allowed`: the caller is no funder, operator or company member.",
                    404: "`not_found`: a programme, platform or machine outside the caller's view.",
                }
            ),
        },
    )
    def get(self, request: Request) -> Response | HttpResponse:
        """Usage of the shared equipment over [start, end): SMEs and companies served (by
        SIREN), new SMEs, hours booked and used, open hours and utilisation, bookings by status,
        revenue; by platform, machine, category, size class, region and month, with the
        previous period. Funders see their programmes' platforms, operators theirs, company
        members their companies' own usage. The JSON is the dashboard's: at most
        ``REPORTS_SNAPSHOT_MINUTES`` old, and a view nobody asked for yet answers 202
        ``report_computing`` with ``Retry-After`` while a worker computes it.
        ``format=csv|xlsx|pdf`` downloads the same report."""
        query = UsageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        scope = report_scope(
            user=request.user,
            programme_id=params.get("programme"),
            platform_id=params.get("platform"),
            region=params.get("region", ""),
            machine_id=params.get("machine"),
        )
        kind = params["format"]
        if kind == "json":
            # As the dashboard reads it: never computed in the request (``report_recent``).
            recent, _computed_at = report_recent(
                scope=scope, start=params["start"], end=params["end"]
            )
            if recent is None:
                computing = ReportComputing()
                return Response(
                    {"code": computing.code, "detail": computing.detail},
                    status=computing.status,
                    headers={"Retry-After": str(COMPUTING_RETRY_SECONDS)},
                )
            return Response(recent)
        report = usage_report(scope=scope, start=params["start"], end=params["end"], detail=True)
        content, content_type, filename = report_file(
            report, kind, report_title(scope), for_tools=True
        )
        return HttpResponse(
            content,
            content_type=content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )
