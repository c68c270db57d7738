"""REST endpoints of 困难职工帮扶 (/api/v1/aid/...).  Verification, review, approval and payment are
the flow's tasks (/api/v1/tasks/<id>/complete/).  Personal data is masked unless the role needs it."""

from decimal import Decimal

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from workflows import pii
from workflows.api import BodyCheckedFirst
from workflows.api_occurred_on import OccurredOnSerializer
from workflows.models import Member
from workflows.pii import mask_name

from . import selectors, services
from .forms import ApplyForm, HardshipFileForm, ObjectionForm
from .models import AidApplication, AidBatch, Fund, FundBudget, HardshipFile


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

    @extend_schema(request=ApplicationSerializer)
    def create(self, request):
        """Apply; ``member`` applies on a worker's behalf, and then ``occurred_on`` is the day the
        paper application was handed in (within an open period; the filing's audit notes it)."""
        form = ApplyForm(request.data)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        occurred = OccurredOnSerializer(data=request.data)
        occurred.is_valid(raise_exception=True)
        member = Member.objects.filter(user=request.user).first()
        if request.data.get("member"):
            member = Member.objects.filter(pk=request.data["member"]).first()
        application = services.application_submit(
            actor=request.user,
            member=member,
            request_id=request.request_id,
            occurred_on=occurred.validated_data.get("occurred_on"),
            **form.cleaned_data,
        )
        return Response(
            ApplicationSerializer(application, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = services.application_withdraw(
            application=self.get_object(), actor=request.user, reason=request.data.get("reason", "")
        )
        return Response(ApplicationSerializer(application, context={"request": request}).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def objection(self, request, pk=None):
        applications, _batches = selectors.publicity_board(request.user)
        application = applications.filter(pk=pk).first()
        if application is None:
            raise Http404
        form = ObjectionForm(request.data)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        services.objection_raise(
            record=application, actor=request.user, text=form.cleaned_data["text"], request_id=request.request_id
        )
        application.refresh_from_db()
        return Response(ApplicationSerializer(application, context={"request": request}).data)

    @action(detail=False, methods=["get"])
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

    @action(detail=False, methods=["get"], serializer_class=BudgetSerializer)
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

    @extend_schema(request=None)
    def create(self, request):
        form = HardshipFileForm(request.data)
        member = Member.objects.filter(pk=request.data.get("member")).first()
        if member is None:
            raise ValidationError({"member": "请选择职工。"})
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        return self._reply(
            services.file_open(actor=request.user, member=member, request_id=request.request_id, **form.cleaned_data),
            201,
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._reply(
            services.file_review(file=self.get_object(), actor=request.user, note=request.data.get("note", ""))
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        file = self.get_object()  # out of scope is 404 whatever the body
        reason = request.data.get("reason", "")
        if not reason:
            raise ValidationError({"reason": "请填写脱困原因。"})
        return self._reply(services.file_lift(file=file, actor=request.user, reason=reason))


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


class BatchViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """批量慰问.  POST {title, aid_type, amount_per_household, fund, files: [ids]} starts one."""

    serializer_class = BatchSerializer
    queryset = AidBatch.objects.none()

    def get_queryset(self):
        return selectors.batches_visible_to(self.request.user).order_by("-pk")

    @extend_schema(request=None)
    def create(self, request):
        amount_field = serializers.DecimalField(
            max_digits=AidBatch._meta.get_field("amount_per_household").max_digits,
            decimal_places=2,
            min_value=Decimal("0.01"),
        )
        try:
            amount = amount_field.run_validation(request.data.get("amount_per_household"))
        except ValidationError as exc:  # 1e400, NaN, Infinity, too many digits, ≤ 0: refused, never stored
            raise ValidationError({"amount_per_household": exc.detail}) from None
        fund_id, file_ids = request.data.get("fund"), request.data.get("files") or []
        if not isinstance(fund_id, int | str) or not isinstance(file_ids, list):
            raise ValidationError({"fund": "请选择资金和慰问对象。"})
        fund = Fund.objects.filter(pk=fund_id).first() if str(fund_id).isdigit() else None
        files = list(
            selectors.files_visible_to(request.user).filter(
                pk__in=[pk for pk in file_ids if str(pk).isdigit()], status="active"
            )
        )
        if fund is None:
            raise ValidationError({"fund": "请选择资金并填写大于0的每户金额。"})
        batch, skipped = services.batch_create(
            actor=request.user,
            title=request.data.get("title") or "批量慰问",
            aid_type=request.data.get("aid_type") or "festival",
            amount_per_household=amount,
            fund=fund,
            files=files,
            request_id=request.request_id,
        )
        return Response({**BatchSerializer(batch).data, "skipped": skipped}, status=status.HTTP_201_CREATED)
