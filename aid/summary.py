"""The hardship-aid section of the period report: money actually paid in the period, by type,
category and fund, with the ids of the payments (or files) behind each figure."""

from decimal import Decimal

from django.db.models import Count, Sum

from workflows.summary import Figure, Section, average_days, rate, record_ids, register

from .models import AidApplication, AidType, Disbursement, FundBudget, HardshipFile


def payments(org_unit, starts_on, ends_on):
    return Disbursement.objects.filter(
        application__org_unit__path__startswith=org_unit.path, paid_on__gte=starts_on, paid_on__lte=ends_on
    )


def _money(key, label, queryset, definition=""):
    total = queryset.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return Figure(key, label, total, "元", record_ids(queryset), definition)


@register("aid", title="帮扶救助", order=20)
def section(org_unit, starts_on, ends_on) -> Section:
    paid = payments(org_unit, starts_on, ends_on)
    out = Section("aid", "帮扶救助")
    people = record_ids(paid, "application__member_id")
    out.add(Figure("people", "帮扶职工", len(people), "人", people, "获得发放的不同职工人数（记录为职工编号）"))
    out.add(Figure("times", "帮扶人次", paid.count(), "人次", record_ids(paid), "发放笔数（记录为发放编号）"))
    out.add(_money("amount", "发放帮扶资金", paid, "期间内实际发放金额之和"))
    out.breakdowns["by_type"] = [
        _money(f"type_{value}", label, paid.filter(application__aid_type=value)) for value, label in AidType.choices
    ]
    out.breakdowns["by_category"] = [
        _money(f"category_{value}", label, paid.filter(application__hardship_file__category=value))
        for value, label in HardshipFile.Category.choices
    ] + [_money("category_none", "未建档", paid.filter(application__hardship_file__isnull=True))]
    by_fund = (
        paid.values("fund_budget__fund__name")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("fund_budget__fund__name")
    )
    out.breakdowns["by_fund"] = [
        _money(
            f"fund_{row['fund_budget__fund__name']}",
            row["fund_budget__fund__name"],
            paid.filter(fund_budget__fund__name=row["fund_budget__fund__name"]),
        )
        for row in by_fund
    ]
    carried = paid.filter(application__filed_on__lt=starts_on)
    out.add(
        Figure(
            "carried_in",
            "上期结转本期发放",
            carried.count(),
            "笔",
            record_ids(carried),
            "期初前申请、本期发放的帮扶（记录为发放编号）",
        )
    )
    open_now = AidApplication.objects.filter(
        org_unit__path__startswith=org_unit.path,
        filed_on__lte=ends_on,
        status__in=["approved", "approving", "upper_approving"],
    )
    out.add(
        Figure(
            "carried_out", "结转下期待发放", open_now.count(), "件", record_ids(open_now), "期末已申请、尚未发放的帮扶"
        )
    )
    model_workers = paid.filter(application__member__is_model_worker=True)
    out.add(_money("model_workers_amount", "慰问劳模金额", model_workers))
    mw_people = record_ids(model_workers, "application__member_id")
    out.add(Figure("model_workers", "慰问劳模", len(mw_people), "人", mw_people))

    budgets = FundBudget.objects.filter(
        fund__org_unit__path__startswith=org_unit.path, period__starts_on__lte=ends_on, period__ends_on__gte=starts_on
    )
    budget_total = budgets.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    used = budgets.aggregate(total=Sum("paid"))["total"] or Decimal("0")
    used_rate = rate(used, budget_total)
    out.add(
        Figure(
            "budget", "帮扶资金预算", budget_total, "元", record_ids(budgets), "期间内各资金预算之和（记录为预算编号）"
        )
    )
    out.add(Figure("budget_used_rate", "预算使用率", used_rate, "%", record_ids(budgets), "已发放 ÷ 预算"))

    opened = HardshipFile.objects.filter(
        org_unit__path__startswith=org_unit.path, filed_on__gte=starts_on, filed_on__lte=ends_on
    )
    lifted = HardshipFile.objects.filter(
        org_unit__path__startswith=org_unit.path, lifted_on__gte=starts_on, lifted_on__lte=ends_on
    )
    out.add(Figure("files_opened", "新建困难职工档案", opened.count(), "户", record_ids(opened)))
    out.add(Figure("files_lifted", "困难职工脱困", lifted.count(), "户", record_ids(lifted)))

    days = average_days(paid, "application__filed_on", "paid_on")
    out.add(
        Figure("average_days", "申请至发放平均天数", days, "天", record_ids(paid), "各笔发放日期与申请日期之差的平均值")
    )
    return out
