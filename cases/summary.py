"""The grievance section of the period report: every figure computed in SQL, with its record ids.

The cohort is the cases filed in the period by the org unit and every unit below it; a case filed
twice is counted once (the duplicate is linked, not counted).
"""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from workflows.summary import Figure, Section, average_days, count, rate, record_ids, register

from .models import GrievanceCase

S = GrievanceCase.Status
CONCLUDED = [S.AGREED, S.CLOSED, S.FAILED]
SUCCESS = [S.AGREED, S.CLOSED]


def cohort(org_unit, starts_on, ends_on):
    return GrievanceCase.objects.filter(
        org_unit__path__startswith=org_unit.path, filed_on__gte=starts_on, filed_on__lte=ends_on
    ).exclude(status=S.DUPLICATE)


@register("cases", title="维权服务", order=10)
def section(org_unit, starts_on, ends_on) -> Section:
    cases = cohort(org_unit, starts_on, ends_on)
    out = Section("cases", "维权服务")
    out.add(count("received", "受理登记劳动争议", cases, definition="期间内登记的劳动争议（重复登记不计）"))
    out.breakdowns["by_channel"] = [
        count(f"channel_{value}", label, cases.filter(channel=value)) for value, label in GrievanceCase.Channel.choices
    ]
    out.breakdowns["by_category"] = [
        count(f"category_{value}", label, cases.filter(category=value), unit="起")
        for value, label in GrievanceCase.Category.choices
    ]
    totals = cases.aggregate(
        units=Count("employer_unit", distinct=True),
        workers=Sum("workers_involved"),
        claimed=Sum("amount_claimed"),
    )
    ids = out["received"].record_ids
    out.add(Figure("units", "涉及用人单位", totals["units"], "家", ids, "登记案件涉及的不同用人单位数"))
    out.add(Figure("workers", "涉及职工", totals["workers"] or 0, "人", ids, "各案涉及职工人数之和"))
    out.add(Figure("amount_claimed", "涉及标的额", totals["claimed"] or Decimal("0"), "元", ids, "各案请求金额之和"))

    collective = cases.filter(is_collective=True)
    c_totals = collective.aggregate(workers=Sum("workers_involved"), claimed=Sum("amount_claimed"))
    out.add(count("collective", "集体争议", collective, unit="起", definition="涉及职工达到集体争议人数标准的案件"))
    c_ids = out["collective"].record_ids
    out.add(Figure("collective_workers", "集体争议涉及职工", c_totals["workers"] or 0, "人", c_ids))
    out.add(Figure("collective_amount", "集体争议涉及标的额", c_totals["claimed"] or Decimal("0"), "元", c_ids))

    out.add(count("accepted", "受理", cases.filter(accepted_on__isnull=False), definition="经审查予以受理的案件"))
    out.add(count("rejected", "不予受理", cases.filter(status=S.REJECTED)))
    out.add(count("successful", "调解成功", cases.filter(status__in=SUCCESS), definition="达成调解协议的案件"))
    out.add(count("failed", "调解不成", cases.filter(status=S.FAILED), definition="调解不成（含期限届满）的案件"))
    out.add(count("expired", "期限届满调解不成", cases.filter(status=S.FAILED, expired=True)))
    out.add(count("withdrawn", "申请人撤回", cases.filter(status=S.WITHDRAWN)))
    out.add(
        count("open", "尚在办理", cases.filter(status__in=[S.REGISTERED, S.MEDIATING]), definition="待受理或调解中")
    )

    # 结转: cases filed earlier that were still open when the period began (and are counted there too)
    earlier = GrievanceCase.objects.filter(org_unit__path__startswith=org_unit.path, filed_on__lt=starts_on).exclude(
        status__in=[S.DUPLICATE, S.REJECTED]
    )
    carried = earlier.filter(Q(concluded_on__isnull=True) | Q(concluded_on__gte=starts_on)).exclude(
        status=S.WITHDRAWN, concluded_on__lt=starts_on
    )
    out.add(
        count(
            "carried_in",
            "上期结转",
            carried,
            definition="期初前登记、期初时尚未调解终结的案件（在上期报告中计为尚在办理）",
        )
    )

    concluded = cases.filter(status__in=CONCLUDED)
    concluded_ids = record_ids(concluded)
    out.add(
        Figure(
            "success_rate",
            "调解成功率",
            rate(len(out["successful"].record_ids), len(concluded_ids)),
            "%",
            concluded_ids,
            "调解成功件数 ÷ 调解终结件数（调解成功 + 调解不成）",
        )
    )
    agreed = cases.filter(status__in=SUCCESS).aggregate(total=Sum("amount_agreed"))["total"] or Decimal("0")
    out.add(Figure("amount_agreed", "调解协议金额", agreed, "元", out["successful"].record_ids, "调解协议约定金额之和"))

    average = average_days(concluded, "accepted_on", "concluded_on")
    out.add(Figure("average_days", "平均调解天数", average, "天", concluded_ids, "受理至调解终结的平均天数"))

    within = concluded.filter(concluded_on__lte=F("mediation_due"))
    within_ids = record_ids(within)
    out.add(
        Figure("within_limit", "法定期限内办结", len(within_ids), "件", within_ids, "在调解期限（含依法延长）内终结")
    )
    out.add(
        Figure(
            "within_limit_rate",
            "期限内办结率",
            rate(len(within_ids), len(concluded_ids)),
            "%",
            concluded_ids,
            "期限内终结件数 ÷ 调解终结件数",
        )
    )
    return out
