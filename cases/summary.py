"""The grievance section of the period report: every figure computed in SQL, in two queries, each
naming the selection of cases behind it.

The cohort is the cases filed in the period by the org unit and every unit below it; a case filed
twice is counted once (the duplicate is linked, not counted).
"""

from decimal import Decimal

from django.db.models import F, Q

from workflows.summary import Figure, Section, Selection, average_days, rate, register, tally_by_unit

from .models import GrievanceCase

S = GrievanceCase.Status
CONCLUDED = [S.AGREED, S.CLOSED, S.FAILED]
SUCCESS = [S.AGREED, S.CLOSED]


def cohort_q(org_unit, starts_on, ends_on):
    return Q(org_unit__path__startswith=org_unit.path, filed_on__gte=starts_on, filed_on__lte=ends_on) & ~Q(
        status=S.DUPLICATE
    )


def cohort(org_unit, starts_on, ends_on):
    return GrievanceCase.objects.filter(cohort_q(org_unit, starts_on, ends_on))


def selections(org_unit, starts_on, ends_on) -> dict[str, Selection]:
    cohort = cohort_q(org_unit, starts_on, ends_on)
    # 结转: cases filed earlier that were still open when the period began (and are counted there too)
    carried = (
        Q(org_unit__path__startswith=org_unit.path, filed_on__lt=starts_on)
        & ~Q(status__in=[S.DUPLICATE, S.REJECTED])
        & (Q(concluded_on__isnull=True) | Q(concluded_on__gte=starts_on))
        & ~Q(status=S.WITHDRAWN, concluded_on__lt=starts_on)
    )
    concluded = cohort & Q(status__in=CONCLUDED)
    wheres = {
        "received": cohort,
        "collective": cohort & Q(is_collective=True),
        "accepted": cohort & Q(accepted_on__isnull=False),
        "rejected": cohort & Q(status=S.REJECTED),
        "successful": cohort & Q(status__in=SUCCESS),
        "failed": cohort & Q(status=S.FAILED),
        "expired": cohort & Q(status=S.FAILED, expired=True),
        "withdrawn": cohort & Q(status=S.WITHDRAWN),
        "open": cohort & Q(status__in=[S.REGISTERED, S.MEDIATING]),
        "carried_in": carried,
        "concluded": concluded,
        "within_limit": concluded & Q(concluded_on__lte=F("mediation_due")),
        "beyond_limit": concluded & Q(concluded_on__gt=F("mediation_due")),
    }
    wheres.update({f"channel_{v}": cohort & Q(channel=v) for v, _ in GrievanceCase.Channel.choices})
    wheres.update({f"category_{v}": cohort & Q(category=v) for v, _ in GrievanceCase.Category.choices})
    return {name: Selection(GrievanceCase, q) for name, q in wheres.items()}


def by_unit(org_unit, starts_on, ends_on, prefix_length):
    """The headline figures of each unit below ``org_unit``, in one GROUP BY."""
    chosen = selections(org_unit, starts_on, ends_on)
    rows = tally_by_unit(chosen, "org_unit__path", prefix_length, counts=["received", "successful", "concluded"])
    return {
        prefix: {
            "received": n["received"],
            "successful": n["successful"],
            "success_rate": rate(n["successful"], n["concluded"]),
        }
        for prefix, n in rows.items()
    }


@register("cases", title="维权服务", order=10, selections=selections, by_unit=by_unit)
def section(org_unit, starts_on, ends_on) -> Section:
    chosen = selections(org_unit, starts_on, ends_on)
    out = Section("cases", "维权服务", selections=chosen)
    n = out.tally(
        counts=list(chosen),
        sums={
            "workers": ("received", "workers_involved"),
            "claimed": ("received", "amount_claimed"),
            "c_workers": ("collective", "workers_involved"),
            "c_claimed": ("collective", "amount_claimed"),
            "agreed": ("successful", "amount_agreed"),
        },
        distinct={"units": ("received", "employer_unit")},
    )

    def count(key, label, unit="件", definition=""):
        return out.add(Figure(key, label, n[key], unit, key, definition))

    count("received", "受理登记劳动争议", definition="期间内登记的劳动争议（重复登记不计）")
    out.breakdowns["by_channel"] = [
        Figure(f"channel_{v}", label, n[f"channel_{v}"], "件", f"channel_{v}")
        for v, label in GrievanceCase.Channel.choices
    ]
    out.breakdowns["by_category"] = [
        Figure(f"category_{v}", label, n[f"category_{v}"], "起", f"category_{v}", prose=GrievanceCase.CATEGORY_PROSE[v])
        for v, label in GrievanceCase.Category.choices
    ]
    out.add(Figure("units", "涉及用人单位", n["units"], "家", "received", "登记案件涉及的不同用人单位数"))
    out.add(Figure("workers", "涉及职工", n["workers"], "人", "received", "各案涉及职工人数之和"))
    out.add(Figure("amount_claimed", "涉及标的额", Decimal(n["claimed"]), "元", "received", "各案请求金额之和"))
    count("collective", "集体争议", unit="起", definition="涉及职工达到集体争议人数标准的案件")
    out.add(
        Figure(
            "collective_workers", "集体争议涉及职工", n["c_workers"], "人", "collective", "各集体争议涉及职工人数之和"
        )
    )
    out.add(
        Figure(
            "collective_amount",
            "集体争议涉及标的额",
            Decimal(n["c_claimed"]),
            "元",
            "collective",
            "各集体争议请求金额之和",
        )
    )
    count("accepted", "受理", definition="经审查予以受理的案件")
    count("rejected", "不予受理", definition="经审查决定不予受理的案件")
    count("successful", "调解成功", definition="达成调解协议的案件")
    count("failed", "调解不成", definition="调解不成（含期限届满）的案件")
    count("expired", "期限届满调解不成", definition="调解期限届满仍未达成协议而终止的案件")
    count("withdrawn", "申请人撤回", definition="申请人撤回调解申请的案件")
    count("open", "尚在办理", definition="待受理或调解中")
    count("carried_in", "上期结转", definition="期初前登记、期初时尚未调解终结的案件（在上期报告中计为尚在办理）")
    out.add(
        Figure(
            "success_rate",
            "调解成功率",
            rate(n["successful"], n["concluded"]),
            "%",
            "concluded",
            "调解成功件数 ÷ 调解终结件数（调解成功 + 调解不成）",
        )
    )
    out.add(Figure("amount_agreed", "调解协议金额", Decimal(n["agreed"]), "元", "successful", "调解协议约定金额之和"))
    average = average_days(chosen["concluded"].queryset(), "accepted_on", "concluded_on")
    out.add(Figure("average_days", "平均调解天数", average, "天", "concluded", "受理至调解终结的平均天数"))
    count("within_limit", "法定期限内办结", definition="在调解期限（含依法延长）内终结")
    count("beyond_limit", "超过法定期限办结", definition="调解终结晚于调解期限（含依法延长）")
    out.add(
        Figure(
            "within_limit_rate",
            "期限内办结率",
            rate(n["within_limit"], n["concluded"]),
            "%",
            "concluded",
            "期限内终结件数 ÷ 调解终结件数",
        )
    )
    return out
