"""抄送: a reader of a record copies it to colleagues (people or a role), who may then read it.

Who may copy: whoever reads the record through a role in its scope (a committee member, the chair,
a mediator …) — not its filer, whose record is theirs alone to share with the union.  To whom: people
who hold a union role other than 职工 / 职工代表 in the record's org unit or a unit above it, named
one by one or by their role.  The copy lets the recipient read the record at every door (the one
read rule, ``workflows.selectors.readable_q``); what they see of personal data is what their own
roles allow.  Each copy is notified, joins the record's timeline, and is listed under 抄送我的 with
whether it has been read.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import pii
from .engine import _who
from .errors import Conflict, NotPermitted, WorkflowError
from .models import Notification, RecordCopy, WorkflowRecord
from .notifications import notify
from .roles import Role
from .selectors import users_with_role_in
from .transitions import audit

# The roles a record may be copied to: the union's staff, not its members at large.
COPY_ROLES = [role for role in Role if role not in (Role.EMPLOYEE, Role.REPRESENTATIVE)]

NOT_A_READER = _("只有依职责查阅该事项的人员可以抄送。")
NOBODY = _("请选择抄送人或抄送角色。")
NOT_ELIGIBLE = _("%(user)s不能接收此事项的抄送：须是本单位或上级工会的工作人员。")
ROLE_EMPTY = _("本单位及上级工会没有担任“%(role)s”的人员。")
ALL_COPIED = _("所选人员都已收到过此事项的抄送。")
NOTE_TOO_LONG = _("附言不超过200字。")


def may_copy(user, record):
    """Whether ``user`` reads ``record`` through a role in its scope (the filer does not copy)."""
    if not getattr(user, "is_authenticated", False) or not isinstance(record, WorkflowRecord):
        return False
    return user.has_perm(record.read_permission, record)  # the role cache of the request: no query


def candidates(record, actor=None):
    """The people ``record`` may be copied to, by name."""
    people = users_with_role_in(COPY_ROLES, record.org_unit)
    return people.exclude(pk=actor.pk) if actor is not None else people


def _content_type(record):
    return ContentType.objects.get_for_model(record)


def copy_record(*, record, actor, people=(), roles=(), note=""):
    """Copy ``record`` to ``people`` and to everyone holding one of ``roles`` for it.  Returns the
    copies made; those who had it already are left as they were."""
    note = (note or "").strip()
    if not may_copy(actor, record):
        raise NotPermitted(NOT_A_READER)
    if len(note) > 200:
        raise WorkflowError(NOTE_TOO_LONG, fields={"note": [NOTE_TOO_LONG]})
    if not people and not roles:
        raise WorkflowError(NOBODY, fields={"people": [NOBODY]})
    eligible = {u.pk: u for u in candidates(record)}
    recipients = {}
    for person in people:
        if person is None or person.pk not in eligible:
            message = NOT_ELIGIBLE % {"user": _who(person)}
            raise WorkflowError(message, fields={"people": [message]})
        recipients[person.pk] = eligible[person.pk]
    for role in roles:
        if role not in COPY_ROLES:
            raise WorkflowError(NOBODY, fields={"roles": [NOBODY]})
        holders = list(users_with_role_in([role], record.org_unit))
        if not holders:
            message = ROLE_EMPTY % {"role": Role(role).label}
            raise WorkflowError(message, fields={"roles": [message]})
        recipients.update({u.pk: u for u in holders})
    recipients.pop(actor.pk, None)
    content_type = _content_type(record)
    with transaction.atomic():
        had = set(
            RecordCopy.objects.filter(
                content_type=content_type, object_id=record.pk, recipient_id__in=list(recipients)
            ).values_list("recipient_id", flat=True)
        )
        new = [user for pk, user in recipients.items() if pk not in had]
        if not new:
            raise Conflict(ALL_COPIED)
        now = timezone.now()
        RecordCopy.objects.bulk_create(
            [
                RecordCopy(
                    content_type=content_type,
                    object_id=record.pk,
                    recipient=user,
                    sent_by=actor,
                    note=note,
                    created=now,
                )
                for user in new
            ],
            ignore_conflicts=True,  # a copy made meanwhile by someone else stands
        )
        copies = list(
            RecordCopy.objects.filter(
                content_type=content_type, object_id=record.pk, recipient__in=new, created=now, sent_by=actor
            ).select_related("recipient")
        )
        names = "、".join(_who(c.recipient) for c in copies)
        reason = _("抄送给%(names)s") % {"names": names}
        audit(
            record, actor=actor, action="copy", action_label=_("抄送"), reason=f"{reason}：{note}" if note else reason
        )
        sender = _who(actor)
        for copy in copies:
            notify(
                [copy.recipient],
                title=lambda user: (
                    _("%(user)s抄送给您：%(record)s") % {"user": sender, "record": pii.title(user, record)}
                ),
                body=note,
                url=reverse("copy_open", args=[copy.pk]),
                kind=Notification.Kind.COPY,
            )
    return copies


def open_copy(*, copy, user):
    """The recipient opens a copy: it is marked read (once) and its record returned."""
    if copy.recipient_id != user.pk:
        raise NotPermitted(NOT_A_READER)
    if copy.read_at is None:
        RecordCopy.objects.filter(pk=copy.pk, read_at__isnull=True).update(read_at=timezone.now())
    return copy.record


def copied_to(user):
    """抄送我的: the copies ``user`` received, newest first, each with its record and its title for them
    (one query for the copies and one per kind of record, whatever the number of rows)."""
    return RecordCopy.objects.filter(recipient=user).select_related("content_type", "sent_by")


def attach_records(user, copies):
    """Give each of ``copies`` (a page) its ``record`` and ``title``: one query per kind of record."""
    by_type = {}
    for copy in copies:
        by_type.setdefault(copy.content_type_id, []).append(copy)
    for content_type_id, rows in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        queryset = model._default_manager.filter(pk__in=[c.object_id for c in rows])
        policy = pii.policy_for(model())
        if policy is not None and policy.related:
            queryset = queryset.select_related(*policy.related)
        records = queryset.in_bulk()
        for copy in rows:
            copy.item = records.get(copy.object_id)
            copy.kind = model._meta.verbose_name
            copy.title = pii.title(user, copy.item) if copy.item is not None else _("（已删除）")
    return copies
