"""REST endpoints of 劳动争议调解 (/api/v1/cases/): thin over the same services and selectors.

The flow's own tasks (受理审查, 调解, 回访结案) are done through /api/v1/tasks/<id>/complete/.
"""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from workflows import pii
from workflows.api import AuditEventSerializer, BodyCheckedFirst
from workflows.api_forms import form_serializer
from workflows.api_occurred_on import OccurredOnSerializer
from workflows.transitions import OCCURRED_IN_FUTURE, ensure_open_period_covers

from . import documents, selectors, services
from .forms import CaseFileForm, CaseRegisterForm, ExtendForm, PetitionExtendForm, SessionForm, SignForm, WithdrawForm
from .models import GrievanceCase, MediationSession


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "held_on", "attendees", "invited", "notes"]


class CaseSerializer(pii.PiiSerializerMixin, serializers.ModelSerializer):
    pii_fields = {"applicant_name": "name", "applicant_phone": "applicant_phone"}
    number = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    employer = serializers.CharField(source="employer_unit.name", read_only=True)
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta:
        model = GrievanceCase
        exclude = ["created_by", "created", "updated"]
        read_only_fields = [f.name for f in GrievanceCase._meta.fields]


def _form_data(form_class, data, **kwargs):
    """Validate with the page's own form, so the API and the web refuse the same input the same way.
    Called once the case is found: an id out of scope is a 404 whatever the body."""
    body = form_serializer(form_class)(data=data, context={"form_kwargs": kwargs})
    body.is_valid(raise_exception=True)
    return body.validated_data


OCCURRED_ON_CONFLICT = _("occurred_on 与 filed_on 不一致，请只填写其中一个。")


def _occurred_on_as_filed_on(data):
    """A hotline system says when the call came in as ``occurred_on``: the case's 登记日期."""
    if "occurred_on" not in data:
        return data
    body = OccurredOnSerializer(data={"occurred_on": data.get("occurred_on")})
    body.is_valid(raise_exception=True)
    if body.validated_data["occurred_on"] > timezone.localdate():
        raise ValidationError({"occurred_on": [OCCURRED_IN_FUTURE]})
    day = body.validated_data["occurred_on"].isoformat()
    if data.get("filed_on") not in (None, day):
        raise ValidationError({"occurred_on": [OCCURRED_ON_CONFLICT]})
    data = data.copy()
    data["filed_on"] = day
    return data


class CaseViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """劳动争议案件.  POST files one for the logged-in employee; ``register/`` records one on behalf.

    Each action finds the case in the caller's scope before it reads the body: someone who may not
    see the case gets 404, never a 400 that confirms it exists."""

    serializer_class = CaseSerializer
    queryset = GrievanceCase.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.cases_visible_to(self.request.user).prefetch_related("sessions")

    def get_object(self):
        case = selectors.case_for(self.request.user, self.kwargs["pk"])
        if case is None:
            raise Http404
        return case

    def _reply(self, case, code=status.HTTP_200_OK):
        case = selectors.case_for(self.request.user, case.pk)
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=form_serializer(CaseFileForm), responses={201: CaseSerializer})
    def create(self, request):
        data = _form_data(CaseFileForm, request.data)
        return self._reply(services.case_file(actor=request.user, request_id=request.request_id, **data), 201)

    @extend_schema(request=form_serializer(CaseRegisterForm), responses={201: CaseSerializer})
    @action(detail=False, methods=["post"])
    def register(self, request):
        """Record a complaint on the applicant's behalf.  ``occurred_on`` (or ``filed_on``) is the day
        the call, visit or letter came in; a day before today must lie in an open period, and the
        filing's audit event notes it beside who entered it and when."""
        body = _occurred_on_as_filed_on(request.data)
        data = _form_data(CaseRegisterForm, body, employers=selectors.employers_for_registration(request.user))
        if data["filed_on"] < timezone.localdate():
            ensure_open_period_covers(data["employer_unit"].org_unit, data["filed_on"])
        return self._reply(services.case_register(actor=request.user, request_id=request.request_id, **data), 201)

    @extend_schema(request=form_serializer(WithdrawForm), responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = _form_data(WithdrawForm, request.data)
        case = services.case_withdraw(case=case, actor=request.user, request_id=request.request_id, **data)
        return self._reply(case)

    @extend_schema(request=form_serializer(ExtendForm), responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        case = self.get_object()
        data = _form_data(ExtendForm, request.data)
        case = services.case_extend(case=case, actor=request.user, request_id=request.request_id, **data)
        return self._reply(case)

    @extend_schema(request=form_serializer(PetitionExtendForm), responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="extend-petition")
    def extend_petition(self, request, pk=None):
        case = self.get_object()
        data = _form_data(PetitionExtendForm, request.data)
        case = services.case_extend_petition(case=case, actor=request.user, request_id=request.request_id, **data)
        return self._reply(case)

    @extend_schema(request=form_serializer(SessionForm), responses={201: CaseSerializer})
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        case = self.get_object()
        data = _form_data(SessionForm, request.data)
        services.case_add_session(case=case, actor=request.user, request_id=request.request_id, **data)
        return self._reply(case, 201)

    @extend_schema(request=form_serializer(SignForm), responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        case = self.get_object()
        data = _form_data(SignForm, request.data)
        case = services.case_record_signature(
            case=case, actor=request.user, signed_on=data["signed_on"], request_id=request.request_id
        )
        return self._reply(case)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=AuditEventSerializer, pagination_class=None)
    def audit(self, request, pk=None):
        return Response(AuditEventSerializer(pii.timeline(request.user, self.get_object()), many=True).data)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiResponse(
                bytes, description="文书（.docx）；该案当前状态没有这种文书时为 404"
            )
        }
    )
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<kind>[a-z]+)")
    def document(self, request, pk=None, kind=None):
        case = self.get_object()
        if kind not in documents.DOCUMENTS or case.status not in documents.DOCUMENTS[kind][2]:
            raise Http404
        label, build, _states = documents.DOCUMENTS[kind]
        from .views import DOCX, _quote

        response = HttpResponse(build(case, viewer=request.user), content_type=DOCX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(label)}.docx"
        return response
