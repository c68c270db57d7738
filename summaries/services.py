"""Closing a period and writing its 工作总结: stages that resume where a dead worker left off.

A run either finishes (report DONE, period CLOSED) or is marked FAILED with its reason, the period
staying 结账中 until the chair presses 重试; a worker killed mid-run leaves it RUNNING and the
redelivered task (acks late) continues from the last finished stage.
"""

import datetime
import logging
import tempfile
import traceback
import uuid

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.errors import Conflict, NotPermitted, WorkflowError
from workflows.models import Period
from workflows.services import period_finish_closing, period_reopen, period_start_closing
from workflows.transitions import audit

from . import chapters as ch
from . import charts, document, figures, selectors, workbook
from .models import Report, ReportVersion

NOT_CHAIR = _("只有本单位工会主席可以结账并生成工作总结。")
PERIOD_NOT_ENDED = _("%(period)s尚未结束（%(end)s），不能结账。")
NOT_EDITABLE = _("工作总结正在生成，请稍候再修改。")
NO_SUCH_VERSION = _("没有第%(number)s版。")
NOTHING_CHANGED = _("没有修改，未保存新版本。")
NOT_FAILED = _("只有生成失败的工作总结可以重试。")
OUT_OF_MEMORY = _("内存不足，未能生成（MemoryError）。请联系系统管理员增加后台任务进程的内存后重试。")
PDF_TURNED_OFF = _("未生成 PDF：本系统未启用 PDF 生成（设置 REPORT_PDF）。")
TIMED_OUT = _("生成超过时限（%(seconds)s秒）被中止。请联系系统管理员后重试。")

logger = logging.getLogger(__name__)

S = Report.Status
STAGE = Report.Stage


def report_request(*, period, actor, request_id="", run=None):
    """The chair closes ``period``: one report per unit and period; a second click, or a click
    while it is being written, starts nothing new.  ``run`` defaults to the Celery task."""
    if not actor.has_perm("workflows.manage_period", period):
        raise NotPermitted(NOT_CHAIR)
    if period.ends_on >= timezone.localdate():
        raise Conflict(PERIOD_NOT_ENDED, period=period.label, end=period.ends_on)
    with transaction.atomic():
        report, _created = Report.objects.select_for_update().get_or_create(
            org_unit=period.org_unit, period=period, defaults={"requested_by": actor}
        )
        if report.status == S.RUNNING or (report.status == S.DONE and period.status != Period.Status.OPEN):
            return report
        if report.status == S.DONE:  # the period was reopened: its figures are computed afresh
            report.previous_snapshot, report.snapshot = report.snapshot, {}
        if period.status == Period.Status.OPEN:
            period_start_closing(period=period, actor=actor, request_id=request_id)
        report.status, report.progress, report.error, report.requested_by = S.RUNNING, 0, "", actor
        if not report.snapshot:
            report.stage = STAGE.FIGURES
        _enqueue(report, run)
    return report


def _enqueue(report, run=None):
    """Queue a run of ``report`` after the commit, under a new run token.  The token makes a run
    replaceable: when a queued message is lost (a web process killed between commit and send) the
    sweep queues a new one, and an old message that turns up after all finds its token superseded."""
    from .tasks import close_period_task

    report.run_token, report.queued_at, report.started_at = uuid.uuid4().hex, timezone.now(), None
    report.save()
    token = report.run_token
    if run:
        transaction.on_commit(lambda: run(report.pk))
    else:  # a broker that is down delays the run: requeue_lost_reports queues it again
        transaction.on_commit(lambda: close_period_task.delay(report.pk, token), robust=True)


def _progress(report, stage, fraction):
    base = {STAGE.FIGURES: 0, STAGE.CHARTS: 60, STAGE.DOCUMENT: 75, STAGE.FINISHED: 100}[stage]
    span = {STAGE.FIGURES: 60, STAGE.CHARTS: 15, STAGE.DOCUMENT: 25, STAGE.FINISHED: 0}[stage]
    Report.objects.filter(pk=report.pk).update(stage=stage, progress=int(base + span * fraction))


def report_run(report_id, *, token=None, on_progress=None):
    """Run the remaining stages of a RUNNING report.  Each stage saves its result before the next
    begins, so a rerun after a crash (the same message redelivered, same ``token``) continues from
    the last finished stage; running twice writes the same files.  A DONE or FAILED report, or a
    message whose token was superseded by a newer request, is left alone."""
    report = Report.objects.select_related("period", "org_unit").get(pk=report_id)
    started = Report.objects.filter(pk=report.pk, status=S.RUNNING)
    if token is not None:
        started = started.filter(run_token=token)
    now = timezone.now()
    if not started.update(started_at=now):
        return report
    report.started_at = now

    def progress(stage, fraction=0.0):
        _progress(report, stage, fraction)
        if on_progress:
            on_progress(stage, fraction)

    try:
        _run_stages(report, progress)
    except BaseException as exc:
        _record_failure(report, exc)
        raise
    return report


def _run_stages(report, progress):
    if report.stage == STAGE.FIGURES or not figures.is_current(report.snapshot):
        progress(STAGE.FIGURES)
        report.snapshot = figures.collect(report.org_unit, report.period, progress=lambda f: progress(STAGE.FIGURES, f))
        report.stage = STAGE.CHARTS
        drafted = not report.chapters
        if drafted:
            report.chapters = ch.default_chapters(report.period)
        report.save(update_fields=["snapshot", "stage", "chapters"])
        if drafted:
            _first_version(report)
    progress(STAGE.CHARTS)
    images = charts.render(report.snapshot)
    progress(STAGE.DOCUMENT)
    # dated the day the chair closed the period, however often it is regenerated after
    closed_on = selectors.period_closed_on(report.period) or timezone.localdate()
    content = document.build(report, images, closed_on=closed_on)
    # the .xlsx goes to a file on disk, streamed from the database: it may hold a million rows
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as book:
        workbook.write(report.snapshot, book.name, org_unit=report.org_unit)
        book.seek(0)
        pdf, pdf_error = _pdf(content)
        name = f"{report.period.code}-{report.org_unit.code}"
        with transaction.atomic():
            for field in (report.document, report.workbook, report.pdf):
                if field:
                    field.delete(save=False)
            report.document.save(f"{name}.docx", ContentFile(content), save=False)
            report.workbook.save(f"{name}.xlsx", File(book), save=False)
            if pdf:
                report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
            report.pdf_error = pdf_error
            report.status, report.stage, report.progress = S.DONE, STAGE.FINISHED, 100
            report.generated_at = timezone.now()
            report.save(
                update_fields=[
                    "document",
                    "workbook",
                    "pdf",
                    "pdf_error",
                    "status",
                    "stage",
                    "progress",
                    "generated_at",
                ]
            )
            period = Period.objects.get(pk=report.period_id)
            if period.status == Period.Status.CLOSING:
                period_finish_closing(period=period)
    progress(STAGE.FINISHED, 1)


def _pdf(content):
    """``(pdf, "")`` or ``(None, why not)``: a report without its PDF is still complete, but the page
    says why it has none."""
    if not settings.UNIONFLOW["REPORT_PDF"]:
        return None, str(PDF_TURNED_OFF)
    try:
        return document.to_pdf(content), ""
    except document.PdfNotMade as exc:
        logger.warning("report PDF not made: %s", exc)
        return None, str(exc)


def _record_failure(report, exc):
    """Mark the report FAILED with a reason the chair can read.  Must not hang or raise: after a
    MemoryError the stages' frames still hold the figures, so they are cleared before anything else."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, MemoryError):
        traceback.clear_frames(exc.__traceback__)
        report.snapshot = None  # the figures in memory; this object is not saved again
        reason = str(OUT_OF_MEMORY)
    elif isinstance(exc, SoftTimeLimitExceeded):
        reason = str(TIMED_OUT % {"seconds": settings.REPORT_TIME_LIMIT_SECONDS})
    elif isinstance(exc, Exception):
        reason = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        return  # KeyboardInterrupt, SystemExit: the worker is stopping; the redelivered task resumes
    logger.error("report %s failed: %s", report.pk, reason)
    try:
        if transaction.get_connection().needs_rollback:
            return  # the caller's transaction is broken; it rolls back and reports the error itself
        Report.objects.filter(pk=report.pk, status=S.RUNNING).update(status=S.FAILED, error=reason)
    except Exception:
        logger.exception("could not mark report %s as failed", report.pk)


def _first_version(report):
    """The system's chapters, drafted at the first close: version 1."""
    ReportVersion.objects.create(
        report=report, number=1, chapters=report.chapters, author=None, summary=str(_("系统生成初稿"))
    )


def _check_editable(report, actor):
    if not actor.has_perm("workflows.manage_period", report.period):
        raise NotPermitted(NOT_CHAIR)
    if report.status == S.RUNNING:
        raise WorkflowError(NOT_EDITABLE)


def _save_version(report, actor, chapters, summary, *, restored_from=None, request_id=""):
    last = report.versions.order_by("-number").first()
    version = ReportVersion.objects.create(
        report=report,
        number=(last.number if last else 0) + 1,
        chapters=chapters,
        author=actor,
        summary=summary,
        restored_from=restored_from,
    )
    report.chapters = chapters
    report.save(update_fields=["chapters"])
    audit(
        report,
        actor=actor,
        action="report_edit" if restored_from is None else "report_restore",
        action_label=_("修改工作总结") if restored_from is None else _("恢复工作总结版本"),
        reason=f"第{version.number}版：{summary}"[:2000],
        request_id=request_id,
    )
    return version


def report_save_chapters(*, report, actor, chapters, request_id=""):
    """The chair's chapters (summaries/chapters.py): added, reordered, removed, paragraphs rewritten,
    figures entered.  Each save that changes something is a version, and audited."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("period", "org_unit").get(pk=report.pk)
        _check_editable(report, actor)
        previous = report.chapters or ch.default_chapters(report.period)
        # between a reopen and the next close the chair writes against the figures last reported
        figures_seen = report.snapshot or report.previous_snapshot
        cleaned = ch.stamp(ch.clean(chapters, previous=previous, actor=actor), previous, figures_seen)
        changed = ch.changes(previous, cleaned)
        if not changed:
            raise WorkflowError(NOTHING_CHANGED)
        return _save_version(report, actor, cleaned, "；".join(changed), request_id=request_id)


NOT_A_MEMBER_CHAPTER = _("没有找到这一下级工会章节。")


def member_reports(report):
    """The reports of the unions under ``report``'s unit for the same year and kind of period: the
    material of the upper union's roll-up."""
    return (
        Report.objects.filter(
            org_unit__path__startswith=report.org_unit.path,
            period__year=report.period.year,
            period__kind=report.period.kind,
        )
        .exclude(pk=report.pk)
        .select_related("org_unit", "period")
        .order_by("org_unit__path")
    )


def report_adopt_chapter(*, report, actor, member_report_id, chapter_id, request_id=""):
    """The upper union's chair takes a member union's chapter into the roll-up as a chapter of its
    own (to rewrite as it sees fit); its figures keep who entered them, and for which union."""
    member = member_reports(report).filter(pk=member_report_id).first()
    chapter = next((c for c in (member.chapters if member else []) if c["id"] == chapter_id), None)
    if chapter is None:
        raise WorkflowError(NOT_A_MEMBER_CHAPTER)
    copied = {
        "title": chapter["title"],
        "blocks": [{"subtitle": b["subtitle"], "text": b["text"]} for b in chapter["blocks"] if not b.get("source")],
        "figures": [{k: f[k] for k in ("label", "value", "measure")} for f in chapter.get("figures", [])],
    }
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("period", "org_unit").get(pk=report.pk)
        _check_editable(report, actor)
        previous = report.chapters or ch.default_chapters(report.period)
        cleaned = ch.clean([*previous, copied], previous=previous, actor=actor)
        for figure, source in zip(cleaned[-1]["figures"], chapter.get("figures", []), strict=True):
            figure["entered_by"], figure["entered_by_id"] = source["entered_by"], source["entered_by_id"]
            figure["entered_unit"] = source.get("entered_unit") or member.org_unit.name
        cleaned = ch.stamp(cleaned, previous, report.snapshot or report.previous_snapshot)
        summary = f"采用{member.org_unit.name}的章节“{chapter['title']}”"
        return _save_version(report, actor, cleaned, summary, request_id=request_id)


def report_restore(*, report, actor, number, request_id=""):
    """Go back to version ``number``: its chapters become a new version."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("period", "org_unit").get(pk=report.pk)
        _check_editable(report, actor)
        old = report.versions.filter(number=number).first()
        if old is None:
            raise WorkflowError(NO_SUCH_VERSION, number=number)
        changed = ch.changes(report.chapters or [], old.chapters)
        summary = f"恢复到第{number}版" + (f"（{'；'.join(changed)}）" if changed else "")
        return _save_version(report, actor, old.chapters, summary, restored_from=number, request_id=request_id)


def report_regenerate(*, report, actor, run=None):
    """Write the document again from the frozen figures (after the chair's edits, or to retry)."""
    if not actor.has_perm("workflows.manage_period", report.period):
        raise NotPermitted(NOT_CHAIR)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == S.RUNNING:
            return report
        report.status, report.stage, report.progress = S.RUNNING, STAGE.CHARTS if report.snapshot else STAGE.FIGURES, 0
        report.error = ""
        _enqueue(report, run)
    return report


def report_requeue_lost(*, patience_seconds=None):
    """Queue again the runs that were requested but never started within the patience (the message
    was lost between the commit and the broker).  Safe to run anywhere, any number of times: the
    token is replaced only while the run has still not started, in one conditional UPDATE."""
    patience = patience_seconds if patience_seconds is not None else settings.REPORT_QUEUE_PATIENCE_SECONDS
    cutoff = timezone.now() - datetime.timedelta(seconds=patience)
    requeued = 0
    stale = Report.objects.filter(status=S.RUNNING, started_at__isnull=True, queued_at__lt=cutoff)
    for report in stale.only("pk", "run_token"):
        with transaction.atomic():
            claimed = Report.objects.filter(pk=report.pk, run_token=report.run_token, started_at__isnull=True)
            if claimed.select_for_update().exists():
                _enqueue(Report.objects.get(pk=report.pk))
                requeued += 1
    return requeued


def report_retry(*, report, actor, run=None):
    """重试: run a FAILED close again from its last finished stage."""
    if report.status != S.FAILED:
        raise Conflict(NOT_FAILED)
    return report_regenerate(report=report, actor=actor, run=run)


def period_reopened(sender, instance, name, **kwargs):
    """Whichever page reopens a period, its report goes back to 待生成 with the figures it reported
    kept for comparison: a period's state and its report's state are one truth."""
    if name != "reopen":
        return
    Report.objects.filter(period=instance).exclude(status__in=[S.DRAFT, S.RUNNING]).update(
        previous_snapshot=F("snapshot"), snapshot={}, status=S.DRAFT, stage=STAGE.FIGURES, progress=0
    )


def report_reopen(*, report, actor, reason, request_id=""):
    """Reopen the period (audited, with a reason); the next close computes the figures afresh and
    the page shows what changed against what was reported."""
    with transaction.atomic():
        period = Period.objects.get(pk=report.period_id)  # the report's copy may predate the close
        period_reopen(period=period, actor=actor, reason=reason, request_id=request_id)
        report.previous_snapshot = report.snapshot
        report.snapshot = {}
        report.status, report.stage, report.progress = S.DRAFT, STAGE.FIGURES, 0
        report.save(update_fields=["previous_snapshot", "snapshot", "status", "stage", "progress"])
    return report
