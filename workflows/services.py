"""Every write a user can cause in the engine core: one transaction each, audited."""

import os

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from . import engine
from .errors import NotPermitted, WorkflowError
from .models import Attachment, Comment, Member, MembershipApplication, Period, WorkflowRecord
from .transitions import audit, ensure_period_open, record_file, run_transition

NOT_A_WORKER = _("您的账号尚未登记为职工，请联系所在单位工会。")
ALREADY_MEMBER = _("您已是工会会员，无需重复申请。")
APPLICATION_OPEN = _("您已有一份待审核的入会申请，请勿重复提交。")
FILE_TOO_LARGE = _("文件“%(name)s”大小为%(size)sMB，超过%(limit)sMB的上限。")
FILE_TYPE_NOT_ALLOWED = _("不支持“%(ext)s”类型的文件，请上传以下类型之一：%(allowed)s。")
FILE_EMPTY = _("文件“%(name)s”是空文件。")
FILE_CONTENT_MISMATCH = _("文件“%(name)s”的内容不是%(ext)s文件（可能被改了扩展名），未上传。请上传原始文件。")
NOT_ALLOWED_ON_RECORD = _("您无权在该事项上发表意见或上传附件。")
MODEL_WORKER_NOT_ALLOWED = _("只有本单位工会主席或管理员可以认定或取消劳模。")


def membership_apply(*, actor, statement, request_id=""):
    """A worker applies to join the union; starts the review flow in the same transaction."""
    from .flows import MembershipFlow

    member = Member.objects.filter(user=actor).select_related("employer_unit", "org_unit").first()
    if member is None:
        raise NotPermitted(NOT_A_WORKER)
    if member.membership == Member.Membership.MEMBER:
        raise WorkflowError(ALREADY_MEMBER)
    try:
        with transaction.atomic():
            application = MembershipApplication(
                member=member,
                employer_unit=member.employer_unit,
                org_unit=member.org_unit,
                statement=statement,
                created_by=actor,
            )
            record_file(application, actor=actor, action="submit", label=_("提交入会申请"), request_id=request_id)
            member.membership = Member.Membership.APPLYING
            member.save(update_fields=["membership"])
            MembershipFlow.start.run(record=application)
    except IntegrityError:
        raise WorkflowError(APPLICATION_OPEN) from None
    return application


def membership_withdraw(*, application, actor, reason="", request_id=""):
    """The applicant withdraws; the open review task is cancelled with the process."""
    return engine.withdraw(application, actor=actor, reason=reason, request_id=request_id)


def member_set_model_worker(*, member, actor, is_model_worker, reason, request_id=""):
    """认定或取消劳模 (the honour and its source in ``reason``, e.g. 2026年市级劳动模范), audited.
    Setting the flag it already has changes nothing and writes no event."""
    if not actor.has_perm("workflows.change_member", member):
        raise NotPermitted(MODEL_WORKER_NOT_ALLOWED)
    if not reason.strip():
        from .errors import REASON_REQUIRED

        raise WorkflowError(REASON_REQUIRED)
    with transaction.atomic():
        member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
        if member.is_model_worker != is_model_worker:
            member.is_model_worker = is_model_worker
            member.save(update_fields=["is_model_worker"])
            audit(
                member,
                actor=actor,
                action="model_worker" if is_model_worker else "model_worker_revoked",
                action_label=_("认定劳模") if is_model_worker else _("取消劳模"),
                reason=reason,
                request_id=request_id,
            )
    return member


def period_reopen(*, period, actor, reason, request_id=""):
    if not reason.strip():
        from .errors import REASON_REQUIRED

        raise WorkflowError(REASON_REQUIRED)
    return run_transition(period, "reopen", actor=actor, reason=reason, request_id=request_id)


def period_start_closing(*, period, actor, request_id=""):
    return run_transition(period, "start_closing", actor=actor, request_id=request_id)


def period_finish_closing(*, period, actor=None, request_id=""):
    return run_transition(period, "finish_closing", actor=actor, request_id=request_id, check_permission=False)


def period_get_or_create(*, org_unit, year, kind):
    period, _created = Period.objects.get_or_create(org_unit=org_unit, year=year, kind=kind)
    return period


def _check_may_write(record, actor):
    """Whoever reads a record may comment on it and attach to it; nobody else (same rule as its pages)."""
    from .selectors import may_read

    if not may_read(actor, record):
        raise NotPermitted(NOT_ALLOWED_ON_RECORD)


def comment_add(*, record, actor, body):
    _check_may_write(record, actor)
    ensure_period_open(record)
    from django.contrib.contenttypes.models import ContentType

    return Comment.objects.create(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        object_id=record.pk,
        author=actor,
        body=body,
    )


def attachment_validate(upload):
    """Refuse files that are empty, too large or of a type the union does not accept, the type
    judged by the content (an ``.exe`` renamed ``.pdf`` is refused).  Returns the content's type."""
    from .uploads import EXTENSION_TYPES, content_types

    limit = settings.UNIONFLOW["ATTACHMENT_MAX_BYTES"]
    allowed = settings.UNIONFLOW["ATTACHMENT_EXTENSIONS"]
    ext = os.path.splitext(upload.name)[1].lower().lstrip(".")
    if ext not in allowed or ext not in EXTENSION_TYPES:
        raise WorkflowError(FILE_TYPE_NOT_ALLOWED, ext=ext or "无扩展名", allowed="、".join(allowed))
    if upload.size == 0:
        raise WorkflowError(FILE_EMPTY, name=upload.name)
    if upload.size > limit:
        raise WorkflowError(
            FILE_TOO_LARGE, name=upload.name, size=f"{upload.size / 1048576:.1f}", limit=limit // 1048576
        )
    if EXTENSION_TYPES[ext] not in content_types(upload):
        raise WorkflowError(FILE_CONTENT_MISMATCH, name=upload.name, ext=ext.upper())
    return EXTENSION_TYPES[ext]


def attachment_add(*, record, actor, upload, request_id=""):
    _check_may_write(record, actor)
    if isinstance(record, WorkflowRecord) and not record.may_open_attachments(actor):
        raise NotPermitted(NOT_ALLOWED_ON_RECORD)
    ensure_period_open(record)
    mime_type = attachment_validate(upload)
    from django.contrib.contenttypes.models import ContentType

    with transaction.atomic():
        attachment = Attachment(
            content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
            object_id=record.pk,
            original_name=os.path.basename(upload.name)[:200],
            size=upload.size,
            mime_type=mime_type,  # what the content is, not what the client said
            uploaded_by=actor,
        )
        attachment.file.save(os.path.basename(upload.name), upload, save=False)
        # A failed insert must not leave an orphan file behind.
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise
        audit(
            record,
            actor=actor,
            action="attach",
            action_label=_("上传附件"),
            reason=attachment.original_name,
            request_id=request_id,
        )
    return attachment
