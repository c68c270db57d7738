"""The desk's moves in the API, as on the pages: 加签 (``/consultations/``) and 抄送
(``/copies/``).  Thin over :mod:`workflows.consultations` and :mod:`workflows.copies`, which hold
the rules; the same refusals reach a client as a page (403 not yours, 404 out of scope, 400 which
field and why, 409 the state forbids it)."""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from viewflow.workflow.models import Task

from . import consultations, copies, pii, selectors
from .api import BodyCheckedFirst
from .api_registry import api_routes
from .errors import NotPermitted
from .models import Consultation, RecordCopy
from .models.consultation import TASK_OPEN

NOT_A_CONSULTANT = _("该人员不能就此事项提出意见：须是本单位有权查阅此类事项的人员。")
NOT_A_RECIPIENT = _("该人员不能接收此事项的抄送：须是本单位或上级工会的工作人员。")


def _name(user):
    return (user.get_full_name() or user.username) if user is not None else ""


# -- 加签 ---------------------------------------------------------------------------------------------
class ConsultationSerializer(serializers.ModelSerializer):
    """One request for an opinion on a task: who asked whom, the question and the answer."""

    task_title = serializers.CharField(source="task.title", read_only=True)
    asked_by = serializers.IntegerField(source="asked_by_id", read_only=True)
    asked_by_name = serializers.SerializerMethodField()
    consultant = serializers.IntegerField(source="consultant_id", read_only=True)
    consultant_name = serializers.SerializerMethodField()
    state = serializers.ChoiceField(
        choices=["pending", "answered", "withdrawn", "closed"],
        read_only=True,
        help_text="pending 待答复, answered 已答复, withdrawn 已撤回, closed 未答复而任务已办结或取消",
    )

    class Meta:
        model = Consultation
        fields = [
            "id",
            "task",
            "task_title",
            "asked_by",
            "asked_by_name",
            "consultant",
            "consultant_name",
            "question",
            "answer",
            "state",
            "asked_at",
            "answered_at",
            "withdrawn_at",
        ]
        read_only_fields = fields

    def get_asked_by_name(self, consultation) -> str:
        return _name(consultation.asked_by)

    def get_consultant_name(self, consultation) -> str:
        return _name(consultation.consultant)


class ConsultSerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1, help_text="办理中的任务编号（须由您办理）")
    consultant = serializers.IntegerField(
        min_value=1, help_text="征求谁的意见：用户编号（须是本单位有权查阅此类事项的人员）"
    )
    question = serializers.CharField(max_length=500, help_text="征求的问题")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000, help_text="您的意见")


class ConsultationQuerySerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1, required=False, help_text="只看此任务的加签（须能打开该任务）")
    pending = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="只看待答复的")


class ConsultationViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """加签: the holder of a task asks a colleague's opinion (``POST``); the colleague answers
    (``answer/``); the asker or the task's holder withdraws it (``withdraw/``).  The list holds the
    requests made to you or by you, or, with ``?task=``, every request on a task you may open."""

    serializer_class = ConsultationSerializer
    queryset = Consultation.objects.none()  # the model, for the schema; rows come from get_queryset
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        """Those asked of you, by you, or on a task you hold (who may withdraw it)."""
        user = self.request.user
        return (
            Consultation.objects.filter(Q(consultant=user) | Q(asked_by=user) | Q(task__owner=user))
            .select_related("task", "asked_by", "consultant")
            .order_by("-asked_at", "-pk")
        )

    def _task(self, pk):
        task = Task.objects.filter(pk=pk, flow_task_type="HUMAN").select_related(*selectors.QUEUE_RELATED).first()
        if task is None or not selectors.may_open_task(self.request.user, task, task.process.unionprocess):
            raise Http404  # not in scope: do not confirm the task exists
        return task

    @extend_schema(parameters=[ConsultationQuerySerializer], responses=ConsultationSerializer(many=True))
    def list(self, request, *args, **kwargs):
        query = ConsultationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if "task" in query.validated_data:  # every request on a task the reader may open
            rows = Consultation.objects.filter(task=self._task(query.validated_data["task"]))
            rows = rows.select_related("task", "asked_by", "consultant").order_by("-asked_at", "-pk")
        else:
            rows = self.get_queryset()
        if query.validated_data.get("pending") is not None:
            waiting = Q(answered_at__isnull=True, withdrawn_at__isnull=True, task__status__in=TASK_OPEN)
            rows = rows.filter(waiting if query.validated_data["pending"] else ~waiting)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=ConsultationSerializer)
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=ConsultSerializer, responses={201: ConsultationSerializer})
    def create(self, request):
        body = ConsultSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = self._task(body.validated_data["task"])
        if task.owner_id != request.user.pk:
            raise NotPermitted(consultations.NOT_HOLDER)
        consultant = consultations.candidates(task, request.user).filter(pk=body.validated_data["consultant"]).first()
        if consultant is None:
            raise ValidationError({"consultant": [NOT_A_CONSULTANT]})
        made = consultations.consult(
            task=task, actor=request.user, consultant=consultant, question=body.validated_data["question"]
        )
        return Response(self.get_serializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        consultation = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = consultations.answer(consultation=consultation, actor=request.user, text=body.validated_data["answer"])
        return Response(self.get_serializer(done).data)

    @extend_schema(request=None, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        done = consultations.withdraw(consultation=self.get_object(), actor=request.user)
        return Response(self.get_serializer(done).data)


# -- 抄送 ---------------------------------------------------------------------------------------------
class CopySerializer(serializers.ModelSerializer):
    """A record copied to you: what it is (its title as your role may read it), who sent it, read or not."""

    record_type = serializers.SerializerMethodField()
    record_id = serializers.IntegerField(source="object_id", read_only=True)
    title = serializers.SerializerMethodField(help_text="事项标题（姓名按您的权限显示）")
    recipient = serializers.IntegerField(source="recipient_id", read_only=True)
    recipient_name = serializers.SerializerMethodField()
    sent_by_name = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = RecordCopy
        fields = [
            "id",
            "record_type",
            "record_id",
            "title",
            "recipient",
            "recipient_name",
            "sent_by_name",
            "note",
            "created",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    def get_record_type(self, copy) -> str | None:
        return api_routes.record_type_of(copy.content_type_id)

    def get_title(self, copy) -> str:
        return str(getattr(copy, "title", "") or "")

    def get_recipient_name(self, copy) -> str:
        return _name(copy.recipient)

    def get_sent_by_name(self, copy) -> str:
        return _name(copy.sent_by)

    def get_read(self, copy) -> bool:
        return copy.read_at is not None


class CopyQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="只看未读的")


class MakeCopySerializer(serializers.Serializer):
    record_type = serializers.ChoiceField(choices=[], help_text="事项类型：case、aid-application、proposal…")
    record_id = serializers.IntegerField(min_value=1, help_text="事项编号")
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=200,
        help_text="抄送人的用户编号（本单位或上级工会的工作人员）",
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[]),
        required=False,
        default=list,
        max_length=20,
        help_text="或按角色抄送：该事项所在单位及上级工会担任此角色的人员",
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", help_text="附言")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = sorted(api_routes.record_types())
        self.fields["roles"].child.choices = [(role.value, role.label) for role in copies.COPY_ROLES]


class CopyViewSet(BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """抄送: ``POST`` copies a record you read by your role to colleagues or roles; the list is
    抄送我的 (``?unread=true`` for the unread), newest first; ``read/`` marks one read.  A copy lets
    its recipient read the record (``GET`` its own endpoint), masked by the recipient's own role."""

    serializer_class = CopySerializer
    queryset = RecordCopy.objects.none()  # the model, for the schema; rows come from get_queryset
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        rows = copies.copied_to(self.request.user).select_related("recipient")
        query = CopyQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data.get("unread") is not None:
            rows = rows.filter(read_at__isnull=query.validated_data["unread"])
        return rows

    def _shown(self, rows):
        return copies.attach_records(self.request.user, list(rows))

    @extend_schema(parameters=[CopyQuerySerializer], responses=CopySerializer(many=True))
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(self._shown(page), many=True).data)

    @extend_schema(parameters=[CopyQuerySerializer], responses=CopySerializer)
    def retrieve(self, request, *args, **kwargs):
        [copy] = self._shown([self.get_object()])
        return Response(self.get_serializer(copy).data)

    @extend_schema(request=None, responses=CopySerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark read (as opening it from 抄送我的 does); reading it again changes nothing."""
        copy = self.get_object()
        if copies.open_copy(copy=copy, user=request.user) is None:
            raise Http404  # the record is gone
        copy.refresh_from_db()
        [copy] = self._shown([copy])
        return Response(self.get_serializer(copy).data)

    @extend_schema(request=MakeCopySerializer, responses={201: CopySerializer(many=True)})
    def create(self, request):
        body = MakeCopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        model = api_routes.record_types()[data["record_type"]]
        record = model._default_manager.filter(pk=data["record_id"]).first()
        if record is None or not selectors.may_read(request.user, record):
            raise Http404  # not theirs: do not confirm the record exists
        if not copies.may_copy(request.user, record):
            raise NotPermitted(copies.NOT_A_READER)  # reads it (a filer, a copy's recipient), may not copy it
        eligible = {user.pk: user for user in copies.candidates(record, request.user).filter(pk__in=data["people"])}
        if any(pk not in eligible for pk in data["people"]):
            raise ValidationError({"people": [NOT_A_RECIPIENT]})
        made = copies.copy_record(
            record=record,
            actor=request.user,
            people=[eligible[pk] for pk in dict.fromkeys(data["people"])],
            roles=list(dict.fromkeys(data["roles"])),
            note=data["note"],
        )
        title = pii.title(request.user, record)  # the answer goes to the sender: as they read it
        for copy in made:
            copy.sent_by, copy.title = request.user, title
        return Response(self.get_serializer(made, many=True).data, status=status.HTTP_201_CREATED)
