"""The proposals section of the period report: figures in one SQL query, each naming the selection
of proposals behind it.

The cohort is the proposals submitted in the period to congresses of the org unit or below.
"""

from django.db.models import F, Q

from workflows.summary import Figure, Section, Selection, rate, register, tally_by_unit

from .models import Proposal

S = Proposal.Status
SAT = Proposal.Satisfaction
ANSWER_DEFINITION = "承办部门答复为“%s”的提案"
SATISFACTION_DEFINITION = {
    SAT.SATISFIED: "提案人对答复（再办的以再办后答复为准）评价为满意的提案",
    SAT.FAIRLY: "提案人对答复（再办的以再办后答复为准）评价为基本满意的提案",
    SAT.UNSATISFIED: "提案人对答复（再办的以再办后答复为准）评价为不满意的提案",
    SAT.NONE: "已答复、提案人未在期限内反馈评价的提案",
}
HANDLED = [S.HANDLING, S.ANSWERED, S.ARCHIVED]


def cohort_q(org_unit, starts_on, ends_on):
    """Proposals submitted in the period; one its proposer withdrew before review is not counted."""
    return Q(org_unit__path__startswith=org_unit.path, submitted_on__gte=starts_on, submitted_on__lte=ends_on) & ~Q(
        status=Proposal.Status.WITHDRAWN
    )


def cohort(org_unit, starts_on, ends_on):
    return Proposal.objects.filter(cohort_q(org_unit, starts_on, ends_on))


def selections(org_unit, starts_on, ends_on) -> dict[str, Selection]:
    cohort = cohort_q(org_unit, starts_on, ends_on)
    answered = cohort & Q(answered_on__isnull=False)
    wheres = {
        "received": cohort,
        "accepted": cohort & Q(decided_on__isnull=False, is_suggestion=False) & ~Q(status__in=[S.MERGED, S.REJECTED]),
        "suggestions": cohort & Q(is_suggestion=True),
        "merged": cohort & Q(status=S.MERGED),
        "rejected": cohort & Q(status=S.REJECTED),
        "reviewing": cohort & Q(status=S.SUBMITTED),
        "answered": answered,
        "answered_on_time": answered & Q(answered_late=False),
        "answered_late": answered & Q(answered_late=True),
        "awaiting_answer": cohort & Q(status=S.HANDLING, answered_on__isnull=True),
        "rated": cohort & Q(satisfaction__in=[SAT.SATISFIED, SAT.FAIRLY, SAT.UNSATISFIED]),
        "carried_in": Q(org_unit__path__startswith=org_unit.path, submitted_on__lt=starts_on)
        & (Q(answered_on__isnull=True) | Q(answered_on__gte=starts_on))
        & Q(status__in=[S.SUBMITTED, S.HANDLING, S.ANSWERED, S.ARCHIVED]),
        "rehandled": cohort & Q(rehandled=True),
        "archived": cohort & Q(status=S.ARCHIVED),
        "on_time_of_due": answered & Q(answered_on__lte=F("answer_due")),
    }
    wheres.update({f"answer_{v}": answered & Q(answer_status=v) for v, _ in Proposal.AnswerStatus.choices})
    wheres.update({f"satisfaction_{v}": cohort & Q(satisfaction=v) for v, _ in Proposal.Satisfaction.choices})
    # the story of a rating in order: the first rating (kept as first_satisfaction when a 不满意
    # sent the proposal back), the re-handling, and the rating of the second answer
    wheres.update(
        {
            f"first_{v}": cohort & (Q(rehandled=True, first_satisfaction=v) | Q(rehandled=False, satisfaction=v))
            for v, _ in Proposal.Satisfaction.choices
        }
    )
    wheres.update(
        {f"rerated_{v}": cohort & Q(rehandled=True, satisfaction=v) for v, _ in Proposal.Satisfaction.choices}
    )
    wheres["rehandling"] = cohort & Q(rehandled=True, status=S.HANDLING)
    wheres["rehandled_unrated"] = cohort & Q(rehandled=True, status=S.ANSWERED, satisfaction="")
    return {name: Selection(Proposal, q) for name, q in wheres.items()}


def by_unit(org_unit, starts_on, ends_on, prefix_length):
    """The headline figures of each unit below ``org_unit``, in one GROUP BY."""
    chosen = selections(org_unit, starts_on, ends_on)
    counts = ["received", "answered", "rated", "satisfaction_satisfied", "satisfaction_fairly"]
    rows = tally_by_unit(chosen, "org_unit__path", prefix_length, counts=counts)
    return {
        prefix: {
            "received": n["received"],
            "answered": n["answered"],
            "satisfaction_rate": rate(n["satisfaction_satisfied"] + n["satisfaction_fairly"], n["rated"]),
        }
        for prefix, n in rows.items()
    }


@register("proposals", title="民主管理", order=30, selections=selections, by_unit=by_unit)
def section(org_unit, starts_on, ends_on) -> Section:
    chosen = selections(org_unit, starts_on, ends_on)
    out = Section("proposals", "民主管理", selections=chosen)
    n = out.tally(counts=list(chosen))

    def count(key, label, definition=""):
        return out.add(Figure(key, label, n[key], "件", key, definition))

    count("received", "收到提案", definition="期间内提交的提案（含转为意见建议、并案、不予立案）")
    count("accepted", "立案", definition="经提案工作委员会审查立案的提案")
    count("suggestions", "转为意见建议", definition="经审查不作为提案、转为意见建议交有关部门处理的")
    count("merged", "并案", definition="并入同一事项的提案，答复共享、不单独计件")
    count("rejected", "不予立案", definition="经提案工作委员会审查不予立案的提案")
    count("reviewing", "尚在审查", definition="期末尚未审查的提案")
    count("answered", "已答复", definition="承办部门已作出书面答复的提案")
    count("answered_on_time", "按期答复", definition="答复日期不晚于当时的答复期限")
    count("answered_late", "逾期答复", definition="答复日期晚于当时的答复期限")
    count("awaiting_answer", "尚未答复", definition="已交承办部门、尚未答复的提案")
    for value, label in Proposal.AnswerStatus.choices:
        count(f"answer_{value}", label, definition=ANSWER_DEFINITION % label)
    for value, label in Proposal.Satisfaction.choices:
        count(f"satisfaction_{value}", label, definition=SATISFACTION_DEFINITION[value])
    for value, label in Proposal.Satisfaction.choices:
        count(f"first_{value}", f"首次答复{label}", definition="提案人对首次答复的评价")
    for value, label in Proposal.Satisfaction.choices:
        count(f"rerated_{value}", f"再次答复{label}", definition="再办后提案人对再次答复的评价")
    count("rehandling", "再办中", definition="再办尚未重新答复")
    count("rehandled_unrated", "再次答复待评价", definition="已重新答复、提案人尚未评价")
    content = n["satisfaction_satisfied"] + n["satisfaction_fairly"]
    out.add(
        Figure(
            "satisfaction_rate",
            "满意率",
            rate(content, n["rated"]),
            "%",
            "rated",
            "（满意 + 基本满意）÷ 给出评价的提案数（未反馈的不计入分母）",
        )
    )
    count("carried_in", "上期结转", definition="期初前提交、期初时尚未答复的提案")
    count("rehandled", "再办", definition="提案人不满意后退回承办部门再次办理")
    count("archived", "办结归档", definition="答复后经提案人评价（或评价期限届满）办结归档的提案")
    count("on_time_of_due", "期限内答复", definition="答复日期不晚于答复期限（再办以再办期限计）")
    return out
