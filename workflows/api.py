"""REST API (/api/v1/): thin over the same services and selectors as the pages."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from viewflow.workflow.models import Task

from . import engine, pii, selectors, services
from .api_forms import form_serializer
from .api_registry import api_routes
from .errors import NotPermitted
from .forms import MembershipApplyForm
from .models import AuditEvent, MembershipApplication
from .pagination import QueuePagination
from .views.queue import _all_subclasses, _task_for

NOT_A_CANDIDATE = _("该人员无权办理此任务。")


class BodyCheckedFirst:
    """A write's body is parsed before its action runs, once the caller is known to be allowed in:
    a malformed body is refused even by an action that takes no fields (claim, release…)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.data  # noqa: B018 — parsing is the point


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    flow = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    org_unit = serializers.CharField(source="process.unionprocess.org_unit.name")
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.username", default=None)
    created = serializers.DateTimeField()
    due_at = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    record_type = serializers.SerializerMethodField(help_text="The record's endpoint name: case, aid-application…")
    record_id = serializers.IntegerField(source="process.artifact_object_id", allow_null=True)
    send_back_to = serializers.SerializerMethodField(
        help_text="退回: the earlier steps the holder may send this task back to (in a task's detail only)"
    )

    def get_send_back_to(self, task) -> list[dict[str, str]]:
        request = self.context.get("request")
        if not self.context.get("detail") or request is None or task.owner_id != request.user.pk:
            return []
        if task.status not in selectors.OPEN_STATUSES:
            return []
        return [{"step": node.name, "title": engine.step_title(node)} for node in engine.send_back_targets(task)]

    def get_subject(self, task) -> str:
        """What the task is about, for the requesting user ("张*明的生活救助申请")."""
        request = self.context.get("request")
        return pii.task_subject(getattr(request, "user", None), task)

    def get_flow(self, task) -> str:
        return str(task.flow_task.flow_class.process_title)

    def get_record_type(self, task) -> str | None:
        content_type_id = task.process.artifact_content_type_id
        return api_routes.record_type_of(content_type_id) if content_type_id else None

    def _deadline(self, task):
        try:
            return task.deadline
        except Exception:  # RelatedObjectDoesNotExist: no deadline
            return None

    def get_due_at(self, task) -> str | None:
        d = self._deadline(task)
        return d.due_at.isoformat() if d else None

    def get_overdue(self, task) -> bool:
        from django.utils import timezone

        d = self._deadline(task)
        return bool(d and d.due_at < timezone.now() and task.status in selectors.OPEN_STATUSES)


RECORD_ID_WITHOUT_TYPE = _("按事项筛选时请同时给出 record_type 和 record_id。")


class TaskQuerySerializer(serializers.Serializer):
    box = serializers.ChoiceField(
        choices=["inbox", "queue", "archive"], default="inbox", help_text="inbox 待办, queue 可认领, archive 已办"
    )
    record_type = serializers.ChoiceField(choices=[], required=False, help_text="Only the tasks of this kind of record")
    record_id = serializers.IntegerField(min_value=1, required=False, help_text="Only the tasks of this record")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = sorted(api_routes.record_types())

    def validate(self, data):
        if "record_id" in data and "record_type" not in data:
            raise ValidationError({"record_type": RECORD_ID_WITHOUT_TYPE})
        return data


def task_forms():
    """Every form a flow's human task is done with (the bodies ``complete/`` accepts)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("flows")
    found = []
    for flow_class in _all_subclasses(engine.UnionFlow):
        for node in flow_class.instance.nodes():
            if isinstance(node, engine.HumanTask) and node.form_class not in found:
                found.append(node.form_class)
    return found


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="TaskFormData",
        serializers=lambda: [form_serializer(form) for form in task_forms()],
        resource_type_field_name=None,
    )
)
class TaskFormDataField(serializers.DictField):
    """The fields of the task's own form; which form is the task's (see ``GET /tasks/{id}/``)."""


class CompleteSerializer(serializers.Serializer):
    data = TaskFormDataField(help_text='该任务表单的字段，如 {"decision": "approve", "note": ""}')


class ReassignSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, help_text="改派给的用户编号")


class TransferSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, help_text="转交给的同事的用户编号（须有权办理本环节）")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", help_text="附言")


class SendBackSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=60, help_text="退回到的环节（任务详情的 send_back_to 列出可选环节）")
    reason = serializers.CharField(max_length=500, help_text="退回理由（必填，记入办理记录）")


class TaskViewSet(BodyCheckedFirst, viewsets.GenericViewSet):
    """The queue: ``?box=inbox`` (待办, default), ``queue`` (可认领) or ``archive`` (已办); with
    ``record_type`` and ``record_id``, only the tasks of that record.  Paged by cursor
    (``next``/``previous`` links, ``?after=``/``?before=``), oldest first (已办 newest first)."""

    serializer_class = TaskSerializer
    queryset = Task.objects.none()  # the model, for the schema; rows come from get_queryset
    lookup_value_regex = r"[0-9]+"
    pagination_class = QueuePagination
    descending = False  # set per request: 已办 reads newest first

    def get_queryset(self):
        query = TaskQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        select = {
            "inbox": selectors.tasks_inbox,
            "queue": selectors.tasks_claimable,
            "archive": selectors.tasks_archive,
        }[query.validated_data["box"]]
        tasks = select(self.request.user)
        self.descending = selectors.QUEUE_DESCENDING[query.validated_data["box"]]
        if "record_type" in query.validated_data:
            model = api_routes.record_types()[query.validated_data["record_type"]]
            tasks = selectors.filter_tasks(
                tasks,
                record_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
                record_id=query.validated_data.get("record_id"),
            )
        return tasks  # ordered by the keyset pages

    @extend_schema(parameters=[TaskQuerySerializer], responses=TaskSerializer(many=True))
    def list(self, request):
        page = pii.attach_records(self.paginate_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=TaskSerializer)
    def retrieve(self, request, pk=None):
        task, _process = _task_for(request, pk)
        return Response(self.get_serializer(task, context={**self.get_serializer_context(), "detail": True}).data)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        task, _ = _task_for(request, pk)
        engine.task_claim(task=task, actor=request.user)
        return Response(self.get_serializer(task).data)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        task, _ = _task_for(request, pk)
        engine.task_release(task=task, actor=request.user)
        return Response(self.get_serializer(task).data)

    @extend_schema(request=ReassignSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        task, _ = _task_for(request, pk)
        body = ReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        engine.task_ensure_reassignable(task=task, actor=request.user)
        to_user = engine.task_reassign_candidates(task).filter(pk=body.validated_data["user"]).first()
        if to_user is None:
            raise ValidationError({"user": [NOT_A_CANDIDATE]})
        engine.task_reassign(task=task, actor=request.user, to_user=to_user)
        return Response(self.get_serializer(task).data)

    @extend_schema(request=TransferSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """转交: the holder hands the task to a colleague who may do this step."""
        task, _ = _task_for(request, pk)
        body = TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if task.owner_id != request.user.pk:
            raise NotPermitted(engine.TRANSFER_NOT_YOURS)
        to_user = engine.task_transfer_candidates(task, request.user).filter(pk=body.validated_data["user"]).first()
        if to_user is None:
            raise ValidationError({"user": [NOT_A_CANDIDATE]})
        engine.task_transfer(task=task, actor=request.user, to_user=to_user, note=body.validated_data["note"])
        return Response(self.get_serializer(task).data)

    @extend_schema(request=SendBackSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """退回: the holder sends the matter back to an earlier step with a reason; the answer is
        the task made again at that step."""
        task, _ = _task_for(request, pk)
        body = SendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if task.owner_id != request.user.pk:
            raise NotPermitted(engine.SEND_BACK_NOT_YOURS)
        again = engine.task_send_back(
            task=task,
            actor=request.user,
            to=body.validated_data["to"],
            reason=body.validated_data["reason"],
            request_id=request.request_id,
        )
        return Response(self.get_serializer(again).data)

    @extend_schema(request=CompleteSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """办理: ``data`` holds the fields of this task's form, validated as its page validates them."""
        task, _ = _task_for(request, pk)
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        form = form_serializer(task.flow_task.form_class)(
            data=body.validated_data["data"], context={"form_kwargs": _form_kwargs(task)}
        )
        if not form.is_valid():
            raise ValidationError({"data": form.errors})
        engine.task_complete(task=task, actor=request.user, data=form.validated_data, request_id=request.request_id)
        task.refresh_from_db()
        return Response(self.get_serializer(task).data)


def _form_kwargs(task):
    return {"task": task} if getattr(task.flow_task.form_class, "needs_task", False) else {}


class AuditEventSerializer(serializers.ModelSerializer):
    """An event of ``pii.timeline``: the actor and reason as the requesting user may read them."""

    actor = serializers.CharField(source="shown_actor")
    reason = serializers.CharField(source="shown_reason")

    class Meta:
        model = AuditEvent
        fields = ["at", "actor", "action", "action_label", "from_state", "to_state", "reason", "request_id"]


class MembershipApplicationSerializer(pii.PiiSerializerMixin, serializers.ModelSerializer):
    pii_fields = {"applicant": "name"}
    applicant = serializers.CharField(source="member.display_name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MembershipApplication
        fields = [
            "id",
            "applicant",
            "employer_unit",
            "org_unit",
            "statement",
            "status",
            "status_label",
            "filed_on",
            "decided_on",
            "decision_note",
        ]
        read_only_fields = ["employer_unit", "org_unit", "status", "filed_on", "decided_on", "decision_note"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="原因（可不填）")


class MembershipApplicationViewSet(
    BodyCheckedFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """入会申请.  POST creates one for the logged-in worker; transitions are POST actions."""

    serializer_class = MembershipApplicationSerializer
    queryset = MembershipApplication.objects.none()  # the model, for the schema; rows come from get_queryset
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        from .views.pages import _visible_applications

        return _visible_applications(self.request.user).order_by("-created")

    @extend_schema(request=form_serializer(MembershipApplyForm), responses={201: MembershipApplicationSerializer})
    def create(self, request):
        body = form_serializer(MembershipApplyForm)(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.membership_apply(
            actor=request.user, statement=body.validated_data["statement"], request_id=request.request_id
        )
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=MembershipApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()  # out of scope is 404 whatever the body
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.membership_withdraw(
            application=application,
            actor=request.user,
            reason=body.validated_data.get("reason", ""),
            request_id=request.request_id,
        )
        return Response(self.get_serializer(application).data)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=AuditEventSerializer, pagination_class=None)
    def audit(self, request, pk=None):
        application = self.get_object()
        return Response(AuditEventSerializer(pii.timeline(request.user, application), many=True).data)

    def get_object(self):
        obj = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise Http404
        return obj
