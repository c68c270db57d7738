"""Looking a worker up (/api/v1/members/) for other union systems: by 工号 or full name, within the
unions where the caller reads records, with the name and phone masked and the 会员状态 answered only
to who reads membership applications.  The 劳模 flag is read here and set by the chair or an
administrator (``model-worker/``, audited)."""

from django.db.models import Q, Value
from django.db.models.functions import Concat, Trim
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import pii, selectors, services
from .api import AuditEventSerializer, BodyCheckedFirst
from .backends import ScopedRoleBackend
from .models import AuditEvent, Member
from .pii import mask_digits, mask_name
from .roles import MEMBERSHIP_READ


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="Masked: 张*明")
    phone = serializers.SerializerMethodField(help_text="Masked: 138****5678")
    employer_unit = serializers.CharField(source="employer_unit.name")
    org_unit = serializers.CharField(source="org_unit.name")
    membership = serializers.ChoiceField(
        choices=Member.Membership.choices,
        allow_null=True,
        help_text="会员状态; null unless you read the union's membership applications (入会申请)",
    )
    membership_label = serializers.CharField(source="get_membership_display", allow_null=True)

    class Meta:
        model = Member
        fields = [
            "id", "name", "employee_no", "department", "employer_unit", "org_unit", "membership",
            "membership_label", "is_representative", "is_model_worker", "phone",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, member):
        data = super().to_representation(member)
        # 申请入会中 tells of a membership application, 非会员/已退会 who is out of the union: the
        # 入会申请 domain's, answered only to its readers (a role held over the member's union; no
        # request, as while the schema is built: nobody).
        viewer = getattr(self.context.get("request"), "user", None)
        if viewer is None or not ScopedRoleBackend().has_perm(viewer, MEMBERSHIP_READ, member):
            data["membership"] = data["membership_label"] = None
        return data

    def get_name(self, member) -> str:
        return mask_name(member.display_name)

    def get_phone(self, member) -> str:
        return mask_digits(member.phone) if member.phone else ""


class MemberQuerySerializer(serializers.Serializer):
    employee_no = serializers.CharField(max_length=30, required=False, help_text="工号, exactly")
    name = serializers.CharField(max_length=150, required=False, help_text="The full name, exactly")
    is_model_worker = serializers.BooleanField(required=False, help_text="劳模 only (true) or none (false)")


class ModelWorkerSerializer(serializers.Serializer):
    is_model_worker = serializers.BooleanField(help_text="true 认定劳模, false 取消")
    reason = serializers.CharField(max_length=500, help_text="The honour and its source, e.g. 2026年市级劳动模范")


def _lookup(members, query):
    if not query:
        return members.none()  # a lookup, not a roster
    if "employee_no" in query:
        members = members.filter(employee_no=query["employee_no"])
    if "name" in query:
        # As ``display_name`` shows it: the full name, else the user name.
        members = members.annotate(full_name=Trim(Concat("user__first_name", Value(" "), "user__last_name"))).filter(
            Q(full_name=query["name"]) | Q(full_name="", user__username=query["name"])
        )
    if "is_model_worker" in query:
        members = members.filter(is_model_worker=query["is_model_worker"])
    return members


@extend_schema_view(
    list=extend_schema(parameters=[MemberQuerySerializer], responses={200: MemberSerializer(many=True)}),
    retrieve=extend_schema(responses={200: MemberSerializer}),
)
class MemberViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """职工查询: ``?employee_no=`` or ``?name=`` (exact), ``?is_model_worker=true``.  Without any of
    them the list is empty: this is a lookup, not the union's roster."""

    serializer_class = MemberSerializer
    queryset = Member.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        members = selectors.members_visible_to(self.request.user).order_by("org_unit__path", "employee_no", "pk")
        if self.action != "list":
            return members
        query = MemberQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return _lookup(members, query.validated_data)

    def get_object(self):
        member = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if member is None:
            raise Http404
        return member

    @extend_schema(
        request=ModelWorkerSerializer,
        responses={200: MemberSerializer},
    )
    @action(detail=True, methods=["post"], url_path="model-worker")
    def model_worker(self, request, pk=None):
        """认定或取消劳模 (chair, administrator), audited with the reason."""
        member = self.get_object()
        body = ModelWorkerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.member_set_model_worker(
            member=member, actor=request.user, request_id=request.request_id, **body.validated_data
        )
        return Response(MemberSerializer(member, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: AuditEventSerializer(many=True)})
    @action(detail=True, methods=["get"], serializer_class=AuditEventSerializer)
    def audit(self, request, pk=None):
        """Who set or revoked the 劳模 flag, when and why."""
        record = self.get_object()
        events = AuditEvent.objects.for_record(record).select_related("actor")
        page = pii.timeline(request.user, record, self.paginate_queryset(events))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)
