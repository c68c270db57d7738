"""REST endpoints of 困难职工帮扶 (/api/v1/aid/...).  Verification, review, approval and payment are
the flow's tasks (/api/v1/tasks/<id>/complete/).  Personal data is masked unless the role needs it."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from workflows import pii
from workflows.api import BodyCheckedFirst, ReasonSerializer
from workflows.api_forms import form_serializer
from workflows.api_occurred_on import OccurredOnSerializer
from workflows.models import Member
from workflows.pii import mask_name
from workflows.validators import PAYMENT

from . import selectors, services
from .forms import ApplyForm, HardshipFileForm, ObjectionForm
from .models import AidApplication, AidBatch, AidType, FundBudget, HardshipFile

FILES_NOT_SELECTABLE = _("所选档案中有已脱困或不在您范围内的，请刷新后重新选择。")
NO_HOUSEHOLD = _("请至少选择一户。")
LIFT_REASON_REQUIRED = _("请填写脱困原因。")


class ApplicationSerializer(serializers.ModelSerializer):
    applicant = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AidApplication
        fields = [
            "id", "applicant", "aid_type", "amount_requested", "reasons", "status", "status_label",
            "filed_on", "publicity_ends_on", "amount_approved", "decided_on", "decision_note",
        ]  # fmt: skip
        read_only_fields = fields

    def get_applicant(self, application) -> str:
        request = self.context.get("request")
        return pii.shown(getattr(request, "user", None), application, "name")


class BudgetSerializer(serializers.ModelSerializer):
    fund = serializers.CharField(source="fund.name")
    period = serializers.CharField(source="period.label")
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        model = FundBudget
        fields = ["id", "fund", "period", "amount", "reserved", "paid", "remaining"]


class ApplySerializer(form_serializer(ApplyForm), OccurredOnSerializer):
    member = serializers.IntegerField(required=False, min_value=1, help_text="代为申请时，申请人的职工编号")


class PublicityEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="姓名（已遮蔽）")
    unit = serializers.CharField()
    aid_type = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    ends_on = serializers.DateField()


class ApplicationViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """帮扶申请.  POST applies (``member`` to apply on someone's behalf)."""

    serializer_class = ApplicationSerializer
    queryset = AidApplication.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user).order_by("-pk")

    def get_object(self):
        application = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if application is None:
            raise Http404
        return application

    @extend_schema(request=ApplySerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        """Apply; ``member`` applies on a worker's behalf, and then ``occurred_on`` is the day the
        paper application was handed in (within an open period; the filing's audit notes it)."""
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        on_behalf_of = data.pop("member", None)
        if on_behalf_of:
            member = Member.objects.filter(pk=on_behalf_of).first()
        else:
            member = Member.objects.filter(user=request.user).first()
        application = services.application_submit(
            actor=request.user, member=member, request_id=request.request_id, **data
        )
        return Response(
            ApplicationSerializer(application, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.application_withdraw(
            application=application, actor=request.user, reason=body.validated_data.get("reason", "")
        )
        return Response(ApplicationSerializer(application, context={"request": request}).data)

    @extend_schema(request=form_serializer(ObjectionForm), responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def objection(self, request, pk=None):
        applications, _batches = selectors.publicity_board(request.user)
        application = applications.filter(pk=pk).first()
        if application is None:
            raise Http404
        body = form_serializer(ObjectionForm)(data=request.data)
        body.is_valid(raise_exception=True)
        services.objection_raise(
            record=application, actor=request.user, text=body.validated_data["text"], request_id=request.request_id
        )
        application.refresh_from_db()
        return Response(ApplicationSerializer(application, context={"request": request}).data)

    @extend_schema(responses=PublicityEntrySerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def publicity(self, request):
        applications, _batches = selectors.publicity_board(request.user)
        data = [
            {
                "id": a.pk,
                "name": mask_name(a.member.display_name),
                "unit": a.member.employer_unit.name,
                "aid_type": a.get_aid_type_display(),
                "amount": str(a.amount_requested),
                "ends_on": a.publicity_ends_on,
            }
            for a in applications
        ]
        return Response(data)

    @extend_schema(responses=BudgetSerializer(many=True))
    @action(detail=False, methods=["get"], serializer_class=BudgetSerializer, pagination_class=None)
    def funds(self, request):
        return Response(BudgetSerializer(selectors.fund_balances(request.user), many=True).data)


class FileSerializer(pii.PiiSerializerMixin, serializers.ModelSerializer):
    member_name = serializers.SerializerMethodField()
    pii_fields = {"member_name": "name", "cause": "cause"}
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = HardshipFile
        fields = [
            "id",
            "member",
            "member_name",
            "household_size",
            "category",
            "category_label",
            "cause",
            "status",
            "filed_on",
            "next_review_on",
        ]
        read_only_fields = fields

    def get_member_name(self, file) -> str:
        return file.member.display_name  # rendered for the requesting user by PiiSerializerMixin


class FileOpenSerializer(form_serializer(HardshipFileForm)):
    member = serializers.IntegerField(min_value=1, help_text="建档职工的职工编号")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="复核情况（可不填）")


class LiftSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500,
        help_text="脱困原因",
        error_messages={"required": LIFT_REASON_REQUIRED, "blank": LIFT_REASON_REQUIRED},
    )


class FileViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """困难职工档案 (personal data is never in the API: ID numbers, income, illness and accounts
    stay on the audited page).  POST opens a file; ``review/`` and ``lift/`` act on one."""

    serializer_class = FileSerializer
    queryset = HardshipFile.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.files_visible_to(self.request.user).order_by("-pk")

    def get_object(self):
        file = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if file is None:
            raise Http404
        return file

    def _reply(self, file, code=status.HTTP_200_OK):
        return Response(FileSerializer(file, context={"request": self.request}).data, status=code)

    @extend_schema(request=FileOpenSerializer, responses={201: FileSerializer})
    def create(self, request):
        body = FileOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        member = Member.objects.filter(pk=data.pop("member")).first()
        if member is None:
            raise ValidationError({"member": [_("请选择职工。")]})
        return self._reply(
            services.file_open(actor=request.user, member=member, request_id=request.request_id, **data), 201
        )

    @extend_schema(request=NoteSerializer, responses=FileSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        file = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._reply(
            services.file_review(file=file, actor=request.user, note=body.validated_data.get("note", ""))
        )

    @extend_schema(request=LiftSerializer, responses=FileSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        file = self.get_object()
        body = LiftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._reply(services.file_lift(file=file, actor=request.user, reason=body.validated_data["reason"]))


class BatchSerializer(serializers.ModelSerializer):
    households = serializers.IntegerField(source="applications.count", read_only=True)

    class Meta:
        model = AidBatch
        fields = [
            "id",
            "title",
            "aid_type",
            "amount_per_household",
            "fund",
            "status",
            "households",
            "publicity_ends_on",
        ]
        read_only_fields = fields


class BatchCreateSerializer(serializers.ModelSerializer):
    """The amount keeps the model's bounds (more than 0, at most ``AID_MAX_PAYMENT`` per household)."""

    amount_per_household = serializers.DecimalField(
        max_digits=12, decimal_places=2, validators=PAYMENT, help_text="每户金额（元）"
    )
    files = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=10_000,
        help_text="慰问对象：在档困难职工档案的编号",
        error_messages={"empty": NO_HOUSEHOLD},
    )

    class Meta:
        model = AidBatch
        fields = ["title", "aid_type", "amount_per_household", "fund", "files"]
        extra_kwargs = {
            "title": {"required": False, "default": "批量慰问"},
            "aid_type": {"required": False, "default": AidType.FESTIVAL},
        }


class BatchCreatedSerializer(BatchSerializer):
    skipped = serializers.ListField(child=serializers.CharField(), help_text="本期已获同类帮扶、未列入的职工")

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "skipped"]
        read_only_fields = fields


class BatchViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """批量慰问.  POST {title, aid_type, amount_per_household, fund, files: [ids]} starts one."""

    serializer_class = BatchSerializer
    queryset = AidBatch.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.batches_visible_to(self.request.user).order_by("-pk")

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchCreatedSerializer})
    def create(self, request):
        body = BatchCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        file_ids = set(data.pop("files"))
        files = list(selectors.files_visible_to(request.user).filter(pk__in=file_ids, status="active"))
        if len(files) != len(file_ids):
            raise ValidationError({"files": [FILES_NOT_SELECTABLE]})
        batch, skipped = services.batch_create(actor=request.user, files=files, request_id=request.request_id, **data)
        return Response({**BatchSerializer(batch).data, "skipped": skipped}, status=status.HTTP_201_CREATED)
