"""Every write a user (or the clock) can cause on a grievance case: one transaction each, audited."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import engine, pii
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import Member
from workflows.notifications import notify
from workflows.roles import Role
from workflows.selectors import users_with_role
from workflows.transitions import (
    audit,
    backdated_note,
    ensure_day_open,
    ensure_period_open,
    record_file,
    run_transition,
)
from workflows.validators import FUTURE_DATE

from .forms import FAILURE_NEEDS_SESSION_OR_REASON
from .models import OPEN_DISPUTE_STATES, GrievanceCase, MediationSession

NOT_A_WORKER = _("您的账号尚未登记为职工，请联系所在单位工会或拨打工会热线登记。")
EMPLOYER_OUT_OF_SCOPE = _("所选用人单位不在您的工会范围内。")
FUTURE_FILING = _("登记日期不能晚于今天。")
AMOUNT_INVALID = _("标的额应为0至%(max)s元之间的金额。")
WORKERS_INVALID = _("涉及职工人数应在1至%(max)s人之间。")
EXTENSION_TOO_LONG = _("调解期限可延长1至%(max)s天。")
ONLY_MEDIATOR = _("只有本案调解员可以记录调解情况。")
NOT_MEDIATING = _("本案当前状态为“%(state)s”，不能记录调解。")
SESSION_BEFORE_ACCEPTANCE = _("调解日期不能早于受理日期（%(date)s）。")
SIGNED_BEFORE_ACCEPTANCE = _("签署日期不能早于受理日期（%(date)s）。")
ARBITRATION_ADVICE = _("调解不成。您可以自知道或者应当知道其权利被侵害之日起一年内，向劳动争议仲裁委员会申请仲裁。")
NON_PERFORMANCE_ADVICE = _(
    "对方未按调解协议履行。您可以依法申请仲裁；因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成调解协议的，"
    "可以持调解协议书依法向人民法院申请支付令。"
)


def _check_figures(*, amount, workers, filed_on):
    rules = settings.UNIONFLOW
    if amount is None or amount < 0 or amount > rules["CASE_MAX_AMOUNT"]:
        raise WorkflowError(AMOUNT_INVALID, max=rules["CASE_MAX_AMOUNT"])
    if workers is None or workers < 1 or workers > rules["CASE_MAX_WORKERS"]:
        raise WorkflowError(WORKERS_INVALID, max=rules["CASE_MAX_WORKERS"])
    if filed_on > timezone.localdate():
        raise WorkflowError(FUTURE_FILING)


def open_duplicates(*, employer_unit, category, applicant=None, applicant_name="", applicant_phone=""):
    """The same dispute still open: same employer and category, same applicant (by member, else by
    name and phone), oldest first.  Its filter is the partial indexes' condition, so the planner
    reads one of them and filing stays flat however many cases have closed (B1 checks the plan)."""
    same_person = (
        Q(applicant=applicant) if applicant else Q(applicant_name=applicant_name, applicant_phone=applicant_phone)
    )
    return (
        GrievanceCase.objects.filter(employer_unit=employer_unit, category=category)
        .filter(same_person)
        .filter(status__in=OPEN_DISPUTE_STATES)
        .order_by("pk")
    )


def find_open_duplicate(**kwargs):
    # Not .first(): with LIMIT 1 the planner may walk the primary key in order instead of reading
    # the partial index; the open cases of one person, employer and category are a handful.
    return next(iter(open_duplicates(**kwargs)), None)


def case_file(*, actor, category, facts, claims, workers_involved, amount_claimed, applicant_phone="", request_id=""):
    """An employee files their own complaint online."""
    member = Member.objects.filter(user=actor).select_related("user", "employer_unit", "org_unit").first()
    if member is None:
        raise NotPermitted(NOT_A_WORKER)
    return _register(
        actor=actor,
        channel=GrievanceCase.Channel.ONLINE,
        applicant=member,
        applicant_name=member.display_name,
        applicant_phone=applicant_phone or member.phone,
        employer_unit=member.employer_unit,
        org_unit=member.org_unit,
        category=category,
        facts=facts,
        claims=claims,
        workers_involved=workers_involved,
        amount_claimed=amount_claimed,
        filed_on=timezone.localdate(),
        is_petition=False,
        request_id=request_id,
    )


def case_register(
    *, actor, employer_unit, channel, applicant_name, filed_on, is_petition=False, request_id="", **fields
):
    """A union worker records a complaint on the applicant's behalf (an oral one on the spot)."""
    if not actor.has_perm("cases.register_grievancecase", employer_unit.org_unit):
        raise NotPermitted(EMPLOYER_OUT_OF_SCOPE)
    return _register(
        actor=actor,
        channel=channel,
        applicant=None,
        applicant_name=applicant_name,
        employer_unit=employer_unit,
        org_unit=employer_unit.org_unit,
        filed_on=filed_on,
        is_petition=is_petition,
        request_id=request_id,
        **fields,
    )


def _register(*, actor, request_id, filed_on, is_petition, **fields):
    from .flows import GrievanceFlow

    _check_figures(amount=fields["amount_claimed"], workers=fields["workers_involved"], filed_on=filed_on)
    ensure_day_open(fields["org_unit"], filed_on, field="filed_on", label=_("登记日期"))
    rules = settings.UNIONFLOW
    case = GrievanceCase(created_by=actor, filed_on=filed_on, is_petition=is_petition, **fields)
    case.is_collective = case.workers_involved >= rules["CASE_COLLECTIVE_MIN_WORKERS"]
    if is_petition:
        case.petition_reply_due = filed_on + datetime.timedelta(days=rules["PETITION_REPLY_DAYS"])
        case.petition_conclude_due = filed_on + datetime.timedelta(days=rules["PETITION_CONCLUDE_DAYS"])
    with transaction.atomic():
        original = find_open_duplicate(
            employer_unit=case.employer_unit,
            category=case.category,
            applicant=case.applicant,
            applicant_name=case.applicant_name,
            applicant_phone=case.applicant_phone,
        )
        if original is not None:
            # The same dispute filed again is linked to the first one and never counted twice.
            case = GrievanceCase(
                **{**_fields_of(case), "status": GrievanceCase.Status.DUPLICATE, "duplicate_of_id": original.pk}
            )
        record_file(
            case,
            actor=actor,
            action="submit",
            label=_("登记"),
            request_id=request_id,
            reason=backdated_note(filed_on),
            day_checked=True,  # ensure_day_open above refused a closed period for this unit and day
        )
        if original is not None:
            audit(original, actor=actor, action="duplicate", action_label=_("重复登记已关联"), reason=str(case.pk))
            return case
        GrievanceFlow.start.run(record=case)
        if case.is_collective:
            notify(
                users_with_role(Role.CHAIR, case.org_unit),
                title=lambda user: (
                    _("集体争议：%(case)s，涉及职工%(n)s人")
                    % {"case": pii.title(user, case), "n": case.workers_involved}
                ),
                body=case.claims[:200],
                url=case.get_absolute_url(),
                kind="info",
                dedupe_key=f"collective:{case.pk}",
            )
    return case


def _fields_of(case):
    return {
        f.attname: getattr(case, f.attname) for f in case._meta.concrete_fields if f.attname not in ("id", "status")
    }


def case_rejection_text(case):
    text = str(case.get_rejection_reason_display())
    return f"{text}：{case.rejection_note}" if case.rejection_note else text


def case_review(*, case, actor, data, request_id=""):
    """受理 (assigning a mediator) or 不予受理 with a reason and a written notice (the review task)."""
    today = timezone.localdate()
    if data["decision"] == "accept":
        due = today + datetime.timedelta(days=settings.UNIONFLOW["CASE_MEDIATION_DAYS"])
        return run_transition(
            case,
            "accept",
            actor=actor,
            request_id=request_id,
            on_date=today,
            mediator=data["mediator"],
            mediation_due=due,
        )
    case = run_transition(
        case,
        "reject",
        actor=actor,
        request_id=request_id,
        reason=data.get("note", ""),
        rejection_reason=data["rejection_reason"],
        note=data.get("note", ""),
    )
    _tell_applicant(case, _("不予受理通知：%(case)s") % {"case": case}, case_rejection_text(case))
    return case


def case_conclude(*, case, actor, data, request_id=""):
    """The mediator records the outcome: an agreement, or 调解不成 with the arbitration advice.
    调解不成 needs a recorded session (调解记录) or a stated reason, whichever door it comes by."""
    today = timezone.localdate()
    if data["outcome"] == "agree":
        return run_transition(
            case,
            "agree",
            actor=actor,
            request_id=request_id,
            on_date=today,
            amount=data["amount_agreed"],
            terms=data["agreement_terms"],
            performance_due=data["performance_due"],
        )
    reason = (data.get("failure_reason") or "").strip()
    if not reason and not case.sessions.exists():
        raise WorkflowError(
            FAILURE_NEEDS_SESSION_OR_REASON, fields={"failure_reason": [FAILURE_NEEDS_SESSION_OR_REASON]}
        )
    case = run_transition(
        case,
        "fail",
        actor=actor,
        request_id=request_id,
        reason=reason,
        on_date=today,
        failure_reason=reason,
    )
    _after_failure(case)
    return case


def case_expire(*, case, today):
    """The mediation limit ran out without agreement: 调解不成, by the clock (idempotent)."""
    case.refresh_from_db()
    if case.status != GrievanceCase.Status.MEDIATING:
        return case  # concluded, withdrawn or already expired meanwhile: nothing to do
    case = run_transition(
        case,
        "fail",
        actor=None,
        check_permission=False,
        reason=str(_("调解期限届满未达成协议，视为调解不成。")),
        on_date=today,
        failure_reason=str(_("调解期限届满未达成调解协议。")),
        expired=True,
    )
    _after_failure(case)
    return case


def _after_failure(case):
    _tell_applicant(case, _("调解不成：%(case)s") % {"case": case}, ARBITRATION_ADVICE)
    if case.is_collective:
        # A collective dispute is followed up after its outcome: the chair is told to act.
        notify(
            users_with_role(Role.CHAIR, case.org_unit),
            title=lambda user: _("集体争议调解不成，请跟进：%(case)s") % {"case": pii.title(user, case)},
            body=case.failure_reason,
            url=case.get_absolute_url(),
            dedupe_key=f"collective-failed:{case.pk}",
        )


def case_close(*, case, actor, data, request_id=""):
    """回访结案: record performance and the applicant's evaluation."""
    case = run_transition(
        case,
        "close",
        actor=actor,
        request_id=request_id,
        reason=data["note"],
        on_date=timezone.localdate(),
        performed=data["performed"],
        note=data["note"],
        satisfaction=data["satisfaction"],
    )
    if not case.performed:
        _tell_applicant(case, _("调解协议未履行：%(case)s") % {"case": case}, NON_PERFORMANCE_ADVICE)
    return case


def case_extend(*, case, actor, days, reason, request_id=""):
    """Both parties agree to extend mediation, once; the deadline, its reminder and its timer move.
    The transition refuses a case not (or no longer) in mediation and a second extension."""
    limit = settings.UNIONFLOW["CASE_EXTENSION_MAX_DAYS"]
    if days < 1 or days > limit:
        raise WorkflowError(EXTENSION_TOO_LONG, max=limit)
    with transaction.atomic():
        case = run_transition(
            case, "extend", actor=actor, request_id=request_id, reason=reason, days=days, extension_reason=reason
        )
        from workflows.calendar import end_of_day

        for task in engine.open_tasks_for(case).filter(flow_task_type="HUMAN"):
            engine.task_set_due(task, end_of_day(case.mediation_due))
    return case


def case_add_session(*, case, actor, held_on, attendees, notes, invited="", request_id=""):
    if case.mediator_id != actor.pk:
        raise NotPermitted(ONLY_MEDIATOR)
    if case.status != GrievanceCase.Status.MEDIATING:
        raise WorkflowError(NOT_MEDIATING, state=case.get_status_display())
    if held_on > timezone.localdate():
        raise WorkflowError(FUTURE_FILING)
    if held_on < case.accepted_on:
        raise WorkflowError(SESSION_BEFORE_ACCEPTANCE, date=case.accepted_on)
    ensure_period_open(case)
    with transaction.atomic():
        session = MediationSession.objects.create(
            case=case, held_on=held_on, attendees=attendees, invited=invited, notes=notes, recorded_by=actor
        )
        audit(
            case,
            actor=actor,
            action="session",
            action_label=_("记录调解"),
            reason=f"{held_on} {attendees}",
            request_id=request_id,
        )
    return session


def case_extend_petition(*, case, actor, reason, request_id=""):
    """信访件: extend the conclusion limit once, with a reason (audited)."""
    if not reason.strip():
        from workflows.errors import REASON_REQUIRED

        raise WorkflowError(REASON_REQUIRED)
    return run_transition(
        case,
        "extend_petition",
        actor=actor,
        request_id=request_id,
        reason=reason,
        days=settings.UNIONFLOW["PETITION_EXTENSION_DAYS"],
    )


def case_record_signature(*, case, actor, signed_on, request_id=""):
    if signed_on > timezone.localdate():
        raise WorkflowError(FUTURE_DATE, fields={"signed_on": [FUTURE_DATE]})
    if case.accepted_on and signed_on < case.accepted_on:
        message = SIGNED_BEFORE_ACCEPTANCE % {"date": case.accepted_on}
        raise WorkflowError(message, fields={"signed_on": [message]})
    return run_transition(case, "record_signature", actor=actor, request_id=request_id, on_date=signed_on)


def case_send_back(*, case, actor, target, reason, request_id=""):
    """退回 from 调解 to 受理审查 (the flow's rule: only before any mediation happened)."""
    if target != "review":
        raise WorkflowError(engine.SEND_BACK_NOWHERE, task=_("调解"), to=target)
    return run_transition(case, "send_back_to_review", actor=actor, reason=reason, request_id=request_id)


def case_withdraw(*, case, actor, reason, request_id=""):
    """The applicant withdraws before the outcome, with a reason; the open tasks end with the process."""
    if not reason.strip():
        from workflows.errors import REASON_REQUIRED

        raise WorkflowError(REASON_REQUIRED)
    return engine.withdraw(
        case, actor=actor, reason=reason, request_id=request_id, on_date=timezone.localdate(), withdrawal_reason=reason
    )


def _tell_applicant(case, title, body):
    """The applicant hears of rejections and failures in-app when they have an account; the
    written notice (documents.py) serves those who filed by phone, visit or letter."""
    if case.applicant_id:
        notify([case.applicant.user], title=title, body=str(body), url=case.get_absolute_url(), kind="info")
