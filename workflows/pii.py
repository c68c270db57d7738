"""Personal data (个人信息): who sees a record's personal fields unmasked, and the one function that
renders them for a viewer — used by pages, the API, notifications, exports, the timeline and the admin.

Each domain app registers a :class:`Policy` for every model that carries personal data: whose data
it is (the subject), which fields are personal, and who may read each one unmasked.  A record's
``__str__`` carries no personal data; its full title ("何小红的医疗救助申请") is composed here for
the viewer, with the name masked unless the viewer may read it.

Readers of a field are, besides the subject (who always sees their own data):

- :data:`HANDLER`: the person who holds an open task of the record (or of a record it goes with,
  e.g. a batch's), or whom the policy names (the case's mediator);
- :class:`Step` ``("disburse")``: the holder of an open task of that step only (finance paying);
- a permission such as ``"aid.view_pii"``, checked within the record's org scope.

Every unmasked view of a sensitive field (anything but the name) by someone other than the subject
is written to the audit trail as a ``view_pii`` event: who, which record, which fields, when.  In a
request the events are collected and written once per record by :class:`PiiAccessMiddleware`
after the response is rendered; a failure to write them fails the request, so nothing unaudited
leaves.  Outside a request (a worker, the shell) each view is written at once.
"""

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

VIEW_PII = "view_pii"
VIEW_PII_LABEL = _("查看个人敏感信息")
HIDDEN = "***"

# kinds of personal data, each with its mask
NAME, PHONE, ID_NUMBER, ACCOUNT, AMOUNT, TEXT = "name", "phone", "id_number", "account", "amount", "text"

HANDLER = "handler"


@dataclass(frozen=True)
class Step:
    """A reader: whoever holds an open task of this node of the record's flow."""

    node: str


def mask_name(name):
    """张小明 → 张*明, 张明 → 张*."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_digits(number):
    """Keep the first three and last four characters of an ID or account number."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)


def mask_phone(number):
    """13812345678 → 138****5678."""
    return number[:3] + "****" + number[-4:] if len(number) > 7 else "*" * len(number)


MASKS = {
    NAME: mask_name,
    PHONE: mask_phone,
    ID_NUMBER: mask_digits,
    ACCOUNT: mask_digits,
    AMOUNT: lambda value: HIDDEN,
    TEXT: lambda value: HIDDEN,
}


@dataclass(frozen=True)
class Field:
    label: str
    kind: str
    readers: tuple
    get: Callable | None = None  # the value from the record; default: the attribute of the field's key

    @property
    def audited(self):
        return self.kind != NAME  # a name is shown to those who work the matter; its sight is not logged


@dataclass(frozen=True)
class Policy:
    """How one model's personal data is shown.  ``fields`` holds ``"name"`` (the subject's name)
    and every other personal field; ``title(record, name)`` composes the record's full title."""

    subject: Callable  # record -> the subject's user id, or None
    title: Callable  # (record, rendered name) -> str
    fields: dict
    handlers: Callable = lambda record: ()  # record -> user ids named responsible (the mediator)
    handled_via: Callable = lambda record: ()  # record -> other records whose task holders handle it
    related: tuple = ()  # select_related that rendering needs (for attach_records)


_POLICIES: dict = {}


def register(model, policy):
    _POLICIES[model] = policy
    return policy


def policy_for(record):
    return _POLICIES.get(type(record)._meta.concrete_model) if record is not None else None


# -- who may see ----------------------------------------------------------------------------
def _user_id(viewer):
    return viewer.pk if viewer is not None and getattr(viewer, "is_authenticated", False) else None


def is_subject(viewer, record):
    policy = policy_for(record)
    uid = _user_id(viewer)
    return policy is not None and uid is not None and policy.subject(record) == uid


def _open_tasks_of(uid):
    """``{(content type id, object id): {node names}}`` of the open human tasks ``uid`` holds."""
    log = _ACCESS.get()
    if log is not None and uid in log.open_tasks:
        return log.open_tasks[uid]
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    held = {}
    rows = Task.objects.filter(
        owner_id=uid, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
    ).values_list("process__artifact_content_type_id", "process__artifact_object_id", "flow_task")
    for ct, pk, node in rows:
        held.setdefault((ct, pk), set()).add(getattr(node, "name", str(node).rsplit(".", 1)[-1]))
    if log is not None:
        log.open_tasks[uid] = held
    return held


def _handles(uid, record, policy, node=None):
    from django.contrib.contenttypes.models import ContentType

    if node is None and uid in set(policy.handlers(record)):
        return True
    held = _open_tasks_of(uid)
    for each in (record, *policy.handled_via(record)):
        if each is None:
            continue
        ct = ContentType.objects.get_for_model(each, for_concrete_model=False)
        nodes = held.get((ct.pk, each.pk), set())
        if nodes and (node is None or node in nodes):
            return True
    return False


def may_see(viewer, record, key):
    """Whether ``viewer`` may read field ``key`` of ``record`` unmasked."""
    policy = policy_for(record)
    if policy is None:
        return True
    uid = _user_id(viewer)
    if uid is None:
        return False
    if policy.subject(record) == uid:
        return True
    readers = policy.fields[key].readers
    # A permission counts only as a role held over the record's unit: not Django's superuser or
    # staff model permissions (an admin account is not a reason to read someone's illness).
    # Permissions first: they come from the role cache, the task holders from a query.
    from .backends import ScopedRoleBackend

    roles = ScopedRoleBackend()
    if any(roles.has_perm(viewer, r, record) for r in readers if isinstance(r, str) and r != HANDLER):
        return True
    if HANDLER in readers and _handles(uid, record, policy):
        return True
    return any(_handles(uid, record, policy, node=r.node) for r in readers if isinstance(r, Step))


# -- rendering ------------------------------------------------------------------------------
def _raw(record, key, spec):
    if spec.get is not None:
        value = spec.get(record)
    else:
        value = getattr(record, key)
    return "" if value is None else str(value)


def shown(viewer, record, key):
    """Field ``key`` of ``record`` as ``viewer`` may see it: the value, or its mask.

    An unmasked sensitive field seen by anyone but its subject is audited."""
    policy = policy_for(record)
    if policy is None or key not in policy.fields:
        return _raw(record, key, Field("", TEXT, ())) if policy is None else HIDDEN
    spec = policy.fields[key]
    value = _raw(record, key, spec)
    if not value:
        return value
    if not may_see(viewer, record, key):
        return MASKS[spec.kind](value)
    if spec.audited and not is_subject(viewer, record):
        _log_access(viewer, record, spec.label)
    return value


def title(viewer, record):
    """The record's title for ``viewer``: "何*红的医疗救助申请" unless they may read the name."""
    policy = policy_for(record)
    if policy is None:
        return str(record) if record is not None else ""
    return str(policy.title(record, shown(viewer, record, "name")))


def person(viewer, record, user):
    """A user's name as it appears beside ``record``: the subject's is their (maybe masked) name."""
    if user is None:
        return str(_("系统"))
    policy = policy_for(record)
    if policy is not None and policy.subject(record) == user.pk:
        return shown(viewer, record, "name")
    return user.get_full_name() or user.username


OBJECTION_HIDDEN = _("（异议人及异议内容不向申请人公开）")
ATTACHMENT_HIDDEN = _("（材料名称仅对经办人公开）")


def timeline(viewer, record, events=None):
    """The record's audit events as ``viewer`` may read them (``shown_actor``, ``shown_reason``).

    The subject's own acts carry their name as the viewer may see it; the subject does not learn
    who objected during publicity or what was said.  Access-log rows (``view_pii``) are left out:
    they are the access log, read in the admin, not the record's handling history."""
    from .models import AuditEvent

    if events is None:
        events = AuditEvent.objects.for_record(record).select_related("actor") if record is not None else []
    subject = is_subject(viewer, record)
    opens_attachments = None
    rows = []
    for event in events:
        if event.action == VIEW_PII:
            continue
        event.shown_actor = person(viewer, record, event.actor)
        event.shown_reason = event.reason
        if event.action == "attach" and hasattr(record, "may_open_attachments"):
            if opens_attachments is None:
                opens_attachments = bool(viewer and viewer.is_authenticated and record.may_open_attachments(viewer))
            if not opens_attachments:  # a file's name can say what it certifies
                event.shown_reason = str(ATTACHMENT_HIDDEN)
        if subject and event.action == "object":
            event.shown_actor, event.shown_reason = "", str(OBJECTION_HIDDEN)
        rows.append(event)
    return rows


def attach_records(tasks):
    """Set ``task.record`` on each task: one query per record type, with what its title needs."""
    from collections import defaultdict

    from django.contrib.contenttypes.models import ContentType

    tasks = list(tasks)
    wanted = defaultdict(set)
    for task in tasks:
        process = task.process
        wanted[process.artifact_content_type_id].add(process.artifact_object_id)
    found = {}
    for ct_id, pks in wanted.items():
        if ct_id is None:
            continue
        model = ContentType.objects.get_for_id(ct_id).model_class()
        policy = _POLICIES.get(model)
        queryset = model._default_manager.filter(pk__in=pks)
        if policy is not None and policy.related:
            queryset = queryset.select_related(*policy.related)
        found.update({(ct_id, obj.pk): obj for obj in queryset})
    for task in tasks:
        task.record = found.get((task.process.artifact_content_type_id, task.process.artifact_object_id))
    return tasks


def task_subject(viewer, task):
    """What a task is about ("张*明的生活救助申请"), rendered for ``viewer``."""
    record = getattr(task, "record", None)
    if record is None:
        record = task.process.artifact
    return title(viewer, record) if record is not None else task.process.unionprocess.title


# -- the access log -------------------------------------------------------------------------
@dataclass
class _AccessLog:
    request_id: str = ""
    seen: dict = field(default_factory=dict)  # (user id, model, pk) -> (viewer, record, [labels])
    open_tasks: dict = field(default_factory=dict)


_ACCESS: contextvars.ContextVar = contextvars.ContextVar("unionflow_pii_access", default=None)


def _log_access(viewer, record, label):
    log = _ACCESS.get()
    if log is None:
        _write(viewer, record, [str(label)], request_id="")
        return
    key = (viewer.pk, type(record), record.pk)
    entry = log.seen.setdefault(key, (viewer, record, []))
    if str(label) not in entry[2]:
        entry[2].append(str(label))


def _write(viewer, record, labels, *, request_id):
    from .transitions import audit

    audit(
        record,
        actor=viewer,
        action=VIEW_PII,
        action_label=VIEW_PII_LABEL,
        reason="、".join(labels),
        request_id=request_id,
    )


def flush_access_log(log):
    for viewer, record, labels in log.seen.values():
        _write(viewer, record, labels, request_id=log.request_id)
    log.seen.clear()


class PiiAccessMiddleware:
    """Collects the unmasked sensitive fields a response shows and audits them once per record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        log = _AccessLog(request_id=getattr(request, "request_id", ""))
        token, viewer_token = _ACCESS.set(log), _VIEWER.set(request)
        try:
            response = self.get_response(request)
            flush_access_log(log)  # raises rather than let an unaudited view go out
        finally:
            _ACCESS.reset(token)
            _VIEWER.reset(viewer_token)
        return response


_VIEWER: contextvars.ContextVar = contextvars.ContextVar("unionflow_pii_request", default=None)


def current_viewer():
    """The user of the request being served (for renderers that are not handed one: the admin)."""
    request = _VIEWER.get()
    return getattr(request, "user", None)


class PiiSerializerMixin:
    """A DRF serializer whose ``pii_fields`` are rendered for the requesting user (masked if there
    is no request in the context: fail closed)."""

    pii_fields: dict[str, str] = {}  # serializer field -> the policy's field

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        for name, key in self.pii_fields.items():
            if name in data:
                data[name] = shown(viewer, instance, key)
        return data


def admin_display(key, label):
    """An admin column or read-only field showing ``key`` as the signed-in staff user may see it
    (staff without a role see it masked; an unmasked sensitive one is audited like a page)."""

    def display(obj):
        return shown(current_viewer(), obj, key)

    display.short_description = label
    display.__name__ = f"pii_{key}"
    return display
