"""The billing endpoints: a machine's quote, and invoices and credit notes (members see their
companies', operators their platforms', anyone else none: 404)."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.machines import WINDOW_ERRORS, WindowSerializer
from bookings.api.machines import MachineViewSet as BookingMachineViewSet
from bookings.exceptions import UnknownCompany
from bookings.selectors import companies_of
from core.api_schema import error_responses

from .models import Invoice, InvoiceLine
from .pricing import quote
from .selectors import invoices_visible_to
from .services.invoices import credit_note_issue


class QuoteQuerySerializer(WindowSerializer):
    company = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="One of your companies."
    )
    assisted = serializers.BooleanField(required=False, default=False)


class QuoteLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the API's name
    quantity = serializers.CharField()
    unit_price_ht = serializers.CharField()
    vat_rate = serializers.CharField()
    total_ht = serializers.CharField()
    subsidy = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    lines = QuoteLineSerializer(many=True)
    total_ht = serializers.CharField()
    total_vat = serializers.CharField()
    total_ttc = serializers.CharField()
    subsidy = serializers.CharField(help_text="The programme's aid, deducted from what you pay.")
    subsidy_note = serializers.CharField(
        required=False, help_text="Why the aid is capped or stops (the de minimis ceiling…)."
    )
    to_pay_ttc = serializers.CharField()
    currency = serializers.CharField()


class MachineViewSet(BookingMachineViewSet):
    """Machines of every active platform (public), the network-wide search, and quotes."""

    @extend_schema(
        parameters=[QuoteQuerySerializer],
        responses={200: QuoteSerializer, **error_responses(WINDOW_ERRORS)},
    )
    @action(detail=True, methods=["get"])
    def quote(self, request: Request, pk: str | None = None) -> Response:
        """What booking the machine from start to end costs, line by line, as the booking
        will be priced and billed (excluding VAT, VAT, including VAT) and what the programme
        pays of it; amounts are strings with two decimals. ``company``: one of yours (its
        price group, its subsidy); ``assisted=1``: with staff assistance where offered."""
        machine = self.get_object()
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        company = None
        if data.get("company") is not None:
            company = companies_of(user=request.user).filter(pk=data["company"]).first()
            if company is None:
                raise UnknownCompany(company=data["company"])
        result = quote(
            machine=machine,
            start=data["start"],
            end=data["end"],
            company=company,
            assisted=data["assisted"],
        )
        return Response(result.as_json())


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = (
            "id",
            "position",
            "kind",
            "label",
            "service_date",
            "quantity",
            "unit_price_ht",
            "vat_rate",
            "total_ht",
            "subsidy",
        )


class InvoiceSerializer(serializers.ModelSerializer):
    platform = serializers.IntegerField(source="platform_id")
    company = serializers.IntegerField(source="company_id")
    credited = serializers.CharField(source="credited.number", allow_null=True, default=None)

    class Meta:
        model = Invoice
        fields = (
            "id",
            "kind",
            "number",
            "platform",
            "company",
            "issued_on",
            "period_start",
            "period_end",
            "due_on",
            "total_ht",
            "total_vat",
            "total_ttc",
            "subsidy",
            "to_pay",
            "credited",
            "reason",
            "sha256",
        )


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True)
    seller = serializers.JSONField()
    buyer = serializers.JSONField()

    class Meta(InvoiceSerializer.Meta):
        fields = (*InvoiceSerializer.Meta.fields, "seller", "buyer", "lines")  # type: ignore[assignment]


class CreditSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        min_length=1,
        max_length=1000,
        help_text="Ids of the invoice's lines to credit; all of them when absent.",
    )


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices and credit notes: your companies', and those of the platforms you operate."""

    serializer_class = InvoiceSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        documents = invoices_visible_to(user=self.request.user).order_by("-issued_on", "-id")
        if self.action == "retrieve":
            return documents.prefetch_related("lines")
        return documents

    def get_serializer_class(self) -> Any:
        return InvoiceDetailSerializer if self.action == "retrieve" else InvoiceSerializer

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="PDF/A-3")})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The document as issued: a PDF/A-3 with its Factur-X XML (EN 16931) embedded."""
        document = self.get_object()
        response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        request=CreditSerializer,
        responses={
            201: InvoiceDetailSerializer,
            **error_responses(
                {
                    400: "`reason_required`, `invalid`.",
                    403: "`not_allowed`: only the platform's operators credit.",
                    409: "`nothing_to_credit`, `not_an_invoice`, `seller_incomplete`.",
                }
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def credit(self, request: Request, pk: str | None = None) -> Response:
        """Credit the invoice, in full or for chosen lines, with a reason (operators)."""
        invoice = self.get_object()
        body = CreditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        credit = credit_note_issue(
            user=request.user,
            invoice=invoice,
            reason=body.validated_data["reason"],
            lines=body.validated_data.get("lines"),
        )
        credit = Invoice.objects.prefetch_related("lines").get(pk=credit.pk)
        return Response(InvoiceDetailSerializer(credit).data, status=status.HTTP_201_CREATED)
