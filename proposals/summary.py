"""The proposals section of the period report: figures in SQL, each with its record ids.

The cohort is the proposals submitted in the period to congresses of the org unit or below.
"""

from django.db.models import F, Q

from workflows.summary import Figure, Section, count, rate, record_ids, register

from .models import Proposal

S = Proposal.Status
SAT = Proposal.Satisfaction
HANDLED = [S.HANDLING, S.ANSWERED, S.ARCHIVED]


def cohort(org_unit, starts_on, ends_on):
    return Proposal.objects.filter(
        org_unit__path__startswith=org_unit.path, submitted_on__gte=starts_on, submitted_on__lte=ends_on
    )


@register("proposals", title="民主管理", order=30)
def section(org_unit, starts_on, ends_on) -> Section:
    proposals = cohort(org_unit, starts_on, ends_on)
    out = Section("proposals", "民主管理")
    out.add(count("received", "收到提案", proposals, definition="期间内提交的提案（含转为意见建议、并案、不予立案）"))
    decided_accept = proposals.filter(decided_on__isnull=False, is_suggestion=False).exclude(
        status__in=[S.MERGED, S.REJECTED]
    )
    out.add(count("accepted", "立案", decided_accept, definition="经提案工作委员会审查立案的提案"))
    out.add(count("suggestions", "转为意见建议", proposals.filter(is_suggestion=True)))
    out.add(
        count(
            "merged", "并案", proposals.filter(status=S.MERGED), definition="并入同一事项的提案，答复共享、不单独计件"
        )
    )
    out.add(count("rejected", "不予立案", proposals.filter(status=S.REJECTED)))
    answered = proposals.filter(answered_on__isnull=False)
    out.add(count("answered", "已答复", answered))
    out.add(count("answered_on_time", "按期答复", answered.filter(answered_late=False)))
    out.add(count("answered_late", "逾期答复", answered.filter(answered_late=True)))
    out.add(count("awaiting_answer", "尚未答复", proposals.filter(status=S.HANDLING, answered_on__isnull=True)))
    for value, label in Proposal.AnswerStatus.choices:
        out.add(count(f"answer_{value}", label, answered.filter(answer_status=value)))
    rated = proposals.filter(satisfaction__in=[SAT.SATISFIED, SAT.FAIRLY, SAT.UNSATISFIED])
    for value, label in Proposal.Satisfaction.choices:
        out.add(count(f"satisfaction_{value}", label, proposals.filter(satisfaction=value)))
    rated_ids = record_ids(rated)
    content = len(out["satisfaction_satisfied"].record_ids) + len(out["satisfaction_fairly"].record_ids)
    out.add(
        Figure(
            "satisfaction_rate",
            "满意率",
            rate(content, len(rated_ids)),
            "%",
            rated_ids,
            "（满意 + 基本满意）÷ 给出评价的提案数（未反馈的不计入分母）",
        )
    )
    earlier = Proposal.objects.filter(org_unit__path__startswith=org_unit.path, submitted_on__lt=starts_on)
    carried = earlier.filter(Q(answered_on__isnull=True) | Q(answered_on__gte=starts_on)).filter(
        status__in=[S.SUBMITTED, S.HANDLING, S.ANSWERED, S.ARCHIVED]
    )
    out.add(count("carried_in", "上期结转", carried, definition="期初前提交、期初时尚未答复的提案"))
    out.add(
        count("rehandled", "再办", proposals.filter(rehandled=True), definition="提案人不满意后退回承办部门再次办理")
    )
    out.add(count("archived", "办结归档", proposals.filter(status=S.ARCHIVED)))
    out.add(
        count(
            "on_time_of_due",
            "期限内答复",
            answered.filter(answered_on__lte=F("answer_due")),
            definition="答复日期不晚于答复期限（再办以再办期限计）",
        )
    )
    return out
