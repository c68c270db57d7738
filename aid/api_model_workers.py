"""REST endpoints of 劳模慰问 (/api/v1/aid/model-worker-batches/): a batch for the 劳模 of a union,
started by its chair, then reviewed, publicised, approved and paid as every batch is (its tasks are
in /api/v1/tasks/, ``record_type=aid-batch``)."""

from decimal import Decimal

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from workflows.api import BodyCheckedFirst
from workflows.errors import NotPermitted
from workflows.selectors import in_scope_q, members_visible_to

from . import selectors, services
from .models import MONEY, AidBatch, AidType, Fund

MAX_MEMBERS = 1000
UNKNOWN_MEMBERS = _("职工编号%(ids)s不存在或不在您的范围内。")
NOT_CHAIR = _("只有工会主席可以发起劳模慰问。")


class ModelWorkerBatchSerializer(serializers.ModelSerializer):
    fund_name = serializers.CharField(source="fund.name")
    org_unit = serializers.CharField(source="org_unit.name")
    status_label = serializers.CharField(source="get_status_display")
    households = serializers.IntegerField(help_text="劳模 in the batch")

    class Meta:
        model = AidBatch
        fields = [
            "id", "title", "org_unit", "fund", "fund_name", "amount_per_household", "households", "status",
            "status_label", "filed_on", "publicity_ends_on",
        ]  # fmt: skip
        read_only_fields = fields


class ModelWorkerBatchCreatedSerializer(ModelWorkerBatchSerializer):
    skipped = serializers.ListField(
        child=serializers.CharField(), help_text="劳模 left out: already given 劳模慰问 in this period"
    )

    class Meta(ModelWorkerBatchSerializer.Meta):
        fields = [*ModelWorkerBatchSerializer.Meta.fields, "skipped"]
        read_only_fields = fields


class ModelWorkerBatchCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100, default=_("劳模慰问"))
    fund = serializers.PrimaryKeyRelatedField(queryset=Fund.objects.none(), help_text="The fund of the chair's union")
    amount_per_household = serializers.DecimalField(
        **MONEY, min_value=Decimal("0.01"), max_value=Decimal(settings.UNIONFLOW["AID_MAX_AMOUNT"]), help_text="元"
    )
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=MAX_MEMBERS,
        required=False,
        help_text="Only these 劳模 (member ids); all 劳模 of the fund's union when left out",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = getattr(self.context.get("request"), "user", None)  # none while the schema is built
        if self.user is not None:
            self.fields["fund"].queryset = Fund.objects.filter(in_scope_q(self.user, perm="aid.approve_aidapplication"))

    def validate_members(self, ids):
        members = list(members_visible_to(self.user).filter(pk__in=ids))
        unknown = sorted(set(ids) - {m.pk for m in members})
        if unknown:
            raise serializers.ValidationError(UNKNOWN_MEMBERS % {"ids": "、".join(map(str, unknown))})
        return members


def _with_households(batches):
    from django.db.models import Count

    return batches.annotate(households=Count("applications"))


@extend_schema_view(
    list=extend_schema(responses={200: ModelWorkerBatchSerializer(many=True)}),
    retrieve=extend_schema(responses={200: ModelWorkerBatchSerializer}),
)
class ModelWorkerBatchViewSet(
    BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """劳模慰问 batches.  POST {fund, amount_per_household, members?} starts one (工会主席)."""

    serializer_class = ModelWorkerBatchSerializer
    queryset = AidBatch.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        batches = selectors.batches_visible_to(self.request.user).filter(aid_type=AidType.MODEL_WORKER)
        return _with_households(batches).order_by("-pk")

    def get_object(self):
        batch = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if batch is None:
            raise Http404
        return batch

    @extend_schema(
        request=ModelWorkerBatchCreateSerializer,
        responses={201: ModelWorkerBatchCreatedSerializer},
    )
    def create(self, request):
        if not request.user.has_perm("aid.approve_aidapplication"):
            raise NotPermitted(NOT_CHAIR)
        body = ModelWorkerBatchCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        batch, skipped = services.model_worker_batch_create(
            actor=request.user, request_id=request.request_id, **body.validated_data
        )
        batch = self.get_queryset().get(pk=batch.pk)
        batch.skipped = skipped
        return Response(ModelWorkerBatchCreatedSerializer(batch).data, status=status.HTTP_201_CREATED)
