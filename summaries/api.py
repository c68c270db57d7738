"""REST endpoints of the period close (/api/v1/periods/, /api/v1/reports/): another system closes a
period, follows the report's progress and downloads the 工作总结 (.docx) and its figures (.xlsx).
Thin over the same services as the chair's pages; only who may close a period sees any of it."""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from workflows.api import BodyCheckedFirst
from workflows.errors import Conflict
from workflows.models import Period

from . import selectors, services
from .models import Report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_READY = _("工作总结尚未生成完毕（%(status)s，%(progress)s%%），请稍后再下载。")


class NotReady(Conflict):
    code = "not_ready"


class ReportSerializer(serializers.ModelSerializer):
    title = serializers.CharField()
    org_unit = serializers.CharField(source="org_unit.name")
    period_label = serializers.CharField(source="period.label")
    status_label = serializers.CharField(source="get_status_display")
    stage_label = serializers.CharField(source="get_stage_display")
    queued = serializers.BooleanField(help_text="排队中: requested, no worker has started it yet")
    stalled = serializers.SerializerMethodField(help_text="Queued too long, or no background worker is running")
    docx = serializers.SerializerMethodField(help_text="Download URL of the 工作总结, once generated")
    xlsx = serializers.SerializerMethodField(help_text="Download URL of the figures' workbook, once generated")

    class Meta:
        model = Report
        fields = [
            "id", "title", "org_unit", "period", "period_label", "status", "status_label", "stage",
            "stage_label", "progress", "error", "queued", "stalled", "queued_at", "started_at",
            "generated_at", "docx", "xlsx",
        ]  # fmt: skip
        read_only_fields = fields

    def get_stalled(self, report) -> bool:
        if not report.queued:
            return False
        if "background" not in self.context:  # one look at the heartbeats per response
            from workflows.health import background_status

            self.context["background"] = background_status()
        return not self.context["background"].running or report.waiting_too_long()

    def _url(self, report, kind):
        if report.status != Report.Status.DONE or not (report.document if kind == "docx" else report.workbook):
            return None
        url = reverse(f"report-{kind}", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_docx(self, report) -> str | None:
        return self._url(report, "docx")

    def get_xlsx(self, report) -> str | None:
        return self._url(report, "xlsx")


class PeriodSerializer(serializers.ModelSerializer):
    org_unit = serializers.CharField(source="org_unit.name")
    label = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    report = serializers.SerializerMethodField()

    class Meta:
        model = Period
        fields = [
            "id", "org_unit", "year", "kind", "kind_label", "label", "starts_on", "ends_on", "status",
            "status_label", "report",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ReportSerializer(allow_null=True))
    def get_report(self, period):
        report = next(iter(period.reports.all()), None)  # one per unit and period; prefetched
        return ReportSerializer(report, context=self.context).data if report else None


def _download(report, kind):
    if report.status != Report.Status.DONE:
        raise NotReady(NOT_READY, status=report.get_status_display(), progress=report.progress)
    field = report.document if kind == "docx" else report.workbook
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=f"{report.title}.{kind}")


@extend_schema_view(
    list=extend_schema(responses={200: PeriodSerializer(many=True)}),
    retrieve=extend_schema(responses={200: PeriodSerializer}),
)
class PeriodViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """统计期间 of the units where you close periods, each with its report's state."""

    serializer_class = PeriodSerializer
    queryset = Period.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.periods_closable_by(self.request.user).prefetch_related("reports")

    @extend_schema(
        request=None,
        responses={200: ReportSerializer, 202: ReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """结账: freeze the period's figures and write its 工作总结 in the background (202; follow
        ``/reports/{id}/``).  Closing a period already closed answers its report (200)."""
        report = services.report_request(period=self.get_object(), actor=request.user, request_id=request.request_id)
        report = selectors.reports_visible_to(request.user).get(pk=report.pk)
        code = status.HTTP_202_ACCEPTED if report.status == Report.Status.RUNNING else status.HTTP_200_OK
        return Response(ReportSerializer(report, context={"request": request}).data, status=code)


@extend_schema_view(
    list=extend_schema(responses={200: ReportSerializer(many=True)}),
    retrieve=extend_schema(responses={200: ReportSerializer}),
)
class ReportViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """工作总结: its state and progress (``progress`` 0–100, ``stage``), and its files once generated."""

    serializer_class = ReportSerializer
    queryset = Report.objects.none()
    lookup_value_regex = r"[0-9]+"
    also_refuses = {"docx": (409,), "xlsx": (409,)}  # the file is still being generated

    def get_queryset(self):
        return selectors.reports_visible_to(self.request.user)

    def perform_content_negotiation(self, request, force=False):
        # A download's refusal is JSON even when the client asked only for the file's type.
        return super().perform_content_negotiation(request, force=force or self.action in ("docx", "xlsx"))

    @extend_schema(request=None, responses={202: ReportSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """重试 a close that failed, from its last finished stage."""
        report = services.report_retry(report=self.get_object(), actor=request.user)
        return Response(ReportSerializer(report, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def docx(self, request, pk=None):
        """The 工作总结 (.docx); 409 while it is being generated."""
        return _download(self.get_object(), "docx")

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        """The figures behind the report, with the records behind each figure (.xlsx); 409 while
        it is being generated."""
        return _download(self.get_object(), "xlsx")
