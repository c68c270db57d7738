"""REST endpoints of the funds and their budgets (/api/v1/aid/funds/, /api/v1/aid/budgets/): read by
whoever reads the union's records, budgets set by finance or an administrator, audited on the fund."""

from decimal import Decimal

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from workflows import pii
from workflows.api import AuditEventSerializer, BodyCheckedFirst
from workflows.models import AuditEvent, Period

from . import selectors, services
from .models import MONEY, Fund, FundBudget


def budget_amount(**kwargs):
    """An amount in 元: finite, two places, from 0 to AID_BUDGET_MAX."""
    return serializers.DecimalField(
        **MONEY,
        min_value=Decimal("0"),
        max_value=Decimal(settings.UNIONFLOW["AID_BUDGET_MAX"]),
        help_text="元",
        **kwargs,
    )


class FundBudgetSerializer(serializers.ModelSerializer):
    fund_name = serializers.CharField(source="fund.name")
    period_label = serializers.CharField(source="period.label")
    remaining = serializers.DecimalField(**MONEY, help_text="amount − reserved − paid")

    class Meta:
        model = FundBudget
        fields = ["id", "fund", "fund_name", "period", "period_label", "amount", "reserved", "paid", "remaining"]
        read_only_fields = fields


class FundSerializer(serializers.ModelSerializer):
    org_unit = serializers.CharField(source="org_unit.name")
    budgets = FundBudgetSerializer(many=True)

    class Meta:
        model = Fund
        fields = ["id", "name", "org_unit", "budgets"]
        read_only_fields = fields


class BudgetCreateSerializer(serializers.Serializer):
    fund = serializers.PrimaryKeyRelatedField(queryset=Fund.objects.none())
    period = serializers.PrimaryKeyRelatedField(queryset=Period.objects.all(), help_text="A half-year (上半年/下半年)")
    amount = budget_amount()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["fund"].queryset = selectors.funds_visible_to(request.user)


class BudgetChangeSerializer(serializers.Serializer):
    amount = budget_amount(required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text="调整原因")


@extend_schema_view(
    list=extend_schema(responses={200: FundSerializer(many=True)}),
    retrieve=extend_schema(responses={200: FundSerializer}),
)
class FundViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """帮扶资金 and each half-year's budget, reserved (已批待付), paid and remaining."""

    serializer_class = FundSerializer
    queryset = Fund.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.funds_visible_to(self.request.user).order_by("org_unit__path", "name", "pk")

    def get_object(self):
        fund = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if fund is None:
            raise Http404
        return fund

    @extend_schema(responses={200: AuditEventSerializer(many=True)})
    @action(detail=True, methods=["get"], serializer_class=AuditEventSerializer)
    def audit(self, request, pk=None):
        """Who set or changed the fund's budgets, when, from what to what."""
        record = self.get_object()
        events = AuditEvent.objects.for_record(record).select_related("actor")
        page = pii.timeline(request.user, record, self.paginate_queryset(events))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(responses={200: FundBudgetSerializer(many=True)}),
    retrieve=extend_schema(responses={200: FundBudgetSerializer}),
)
class BudgetViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """资金预算.  POST sets a fund's budget for a half-year; PATCH changes its amount (财务, 管理员)."""

    serializer_class = FundBudgetSerializer
    queryset = FundBudget.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            selectors.fund_balances(self.request.user)
            .select_related("fund__org_unit")
            .order_by("-period__starts_on", "fund__org_unit__path", "fund__name", "pk")
        )

    def get_object(self):
        budget = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if budget is None:
            raise Http404
        return budget

    @extend_schema(request=BudgetCreateSerializer, responses={201: FundBudgetSerializer})
    def create(self, request):
        body = BudgetCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        budget = services.budget_create(actor=request.user, request_id=request.request_id, **body.validated_data)
        return Response(FundBudgetSerializer(budget).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BudgetChangeSerializer, responses={200: FundBudgetSerializer})
    def partial_update(self, request, pk=None):
        budget = self.get_object()
        body = BudgetChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        budget = services.budget_change(
            budget=budget, actor=request.user, request_id=request.request_id, **body.validated_data
        )
        return Response(FundBudgetSerializer(budget).data)
