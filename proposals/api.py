"""REST endpoints of 职代会提案 (/api/v1/proposals/).  Review, answers and ratings are the flow's
tasks: /api/v1/tasks/<id>/complete/."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from workflows import pii
from workflows.api import AuditEventSerializer, BodyCheckedFirst
from workflows.api_forms import form_serializer

from . import selectors, services
from .forms import ProposalForm
from .models import Proposal


class ProposalSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    proposer_name = serializers.CharField(source="proposer.display_name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    seconders = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        exclude = ["created_by", "created", "updated"]
        read_only_fields = [f.name for f in Proposal._meta.fields] + ["co_departments"]

    def get_seconders(self, proposal) -> list[str]:
        return [s.member.display_name for s in proposal.seconds.all()]


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="撤回理由")


class ProposalViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """提案.  POST drafts one in the current congress; ``second/`` and ``submit/`` act on it."""

    serializer_class = ProposalSerializer
    queryset = Proposal.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            selectors.proposals_visible_to(self.request.user).prefetch_related("seconds__member__user").order_by("-pk")
        )

    def get_object(self):
        proposal = selectors.proposal_for(self.request.user, self.kwargs["pk"])
        if proposal is None:
            raise Http404
        return proposal

    def _reply(self, proposal, code=status.HTTP_200_OK):
        return Response(ProposalSerializer(selectors.proposal_for(self.request.user, proposal.pk)).data, status=code)

    @extend_schema(request=form_serializer(ProposalForm), responses={201: ProposalSerializer})
    def create(self, request):
        body = form_serializer(ProposalForm)(data=request.data)
        body.is_valid(raise_exception=True)
        congress = selectors.congresses_for(request.user).first()
        if congress is None:
            raise ValidationError({"congress": [_("没有可提交提案的职代会会议。")]})
        proposal = services.proposal_draft(
            actor=request.user, congress=congress, request_id=request.request_id, **body.validated_data
        )
        return self._reply(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def second(self, request, pk=None):
        proposal = self.get_object()
        services.proposal_second(proposal=proposal, actor=request.user, request_id=request.request_id)
        return self._reply(proposal)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        proposal = services.proposal_submit(
            proposal=self.get_object(), actor=request.user, request_id=request.request_id
        )
        return self._reply(proposal)

    @extend_schema(request=WithdrawSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回: the proposer withdraws a proposal not yet decided, with a reason."""
        proposal = self.get_object()  # someone who may not see it learns nothing from the body's check
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposal = services.proposal_withdraw(
            proposal=proposal,
            actor=request.user,
            reason=body.validated_data["reason"],
            request_id=request.request_id,
        )
        return self._reply(proposal)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=AuditEventSerializer, pagination_class=None)
    def audit(self, request, pk=None):
        return Response(AuditEventSerializer(pii.timeline(request.user, self.get_object()), many=True).data)
