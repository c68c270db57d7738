"""The hardship-aid section of the period report: money actually paid in the period, by type,
category and fund, computed by conditional aggregation; each figure names the selection of
payments (or files, budgets, applications) behind it."""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum

from workflows.summary import Figure, Section, Selection, average_days, rate, register, tally_by_unit

from .models import AID_TYPE_PROSE, AidApplication, AidType, Disbursement, FundBudget, HardshipFile, Verification

MEMBER = "application__member_id"
RELIEF_TYPES = [v for v in AidType.values if v != AidType.MODEL_WORKER]  # the types of 困难职工帮扶
# the measure word of the people a type relieves: students 名 (为6名大学生), others 人
TYPE_MEASURE = {AidType.EDUCATION: "名"}


def payments_q(org_unit, starts_on, ends_on):
    return Q(application__org_unit__path__startswith=org_unit.path, paid_on__gte=starts_on, paid_on__lte=ends_on)


def payments(org_unit, starts_on, ends_on):
    return Disbursement.objects.filter(payments_q(org_unit, starts_on, ends_on))


def _fund_key(name):
    return f"fund_{name}"


def selections(org_unit, starts_on, ends_on, *, funds=None) -> dict[str, Selection]:
    every = payments_q(org_unit, starts_on, ends_on)
    # 困难职工帮扶 is every payment but 劳模慰问: that one is its own sentence and never in these totals
    paid = every & ~Q(application__aid_type=AidType.MODEL_WORKER)
    if funds is None:  # the funds paid from in the period: one small query (names, not records)
        funds = payments(org_unit, starts_on, ends_on).order_by().values_list("fund_budget__fund__name", flat=True)
        funds = sorted(set(funds.distinct()))
    model_workers = every & Q(application__aid_type=AidType.MODEL_WORKER)
    individual = paid & Q(application__batch__isnull=True)
    in_batch = paid & Q(application__batch__isnull=False)
    out = {
        "paid": Selection(Disbursement, paid),
        "people": Selection(Disbursement, paid, MEMBER),
        "individual": Selection(Disbursement, individual),
        "individual_people": Selection(Disbursement, individual, MEMBER),
        "in_batch": Selection(Disbursement, in_batch),
        "households": Selection(Disbursement, in_batch, MEMBER),
        # how each payment was decided: a home visit (入户核实) is recorded per application; 民主评议
        # and 公示 (passing review opens publicity) on the application or on the batch it was paid in
        "visited": Selection(
            Disbursement, paid & Q(Exists(Verification.objects.filter(application_id=OuterRef("application_id"))))
        ),
        "publicised": Selection(
            Disbursement,
            paid
            & (
                Q(application__publicity_ends_on__isnull=False) | Q(application__batch__publicity_ends_on__isnull=False)
            ),
        ),
        "carried_in": Selection(Disbursement, paid & Q(application__filed_on__lt=starts_on)),
        "model_workers": Selection(Disbursement, model_workers),
        "model_worker_people": Selection(Disbursement, model_workers, MEMBER),
        "category_none": Selection(Disbursement, paid & Q(application__hardship_file__isnull=True)),
        "carried_out": Selection(
            AidApplication,
            Q(
                org_unit__path__startswith=org_unit.path,
                filed_on__lte=ends_on,
                status__in=["approved", "approving", "upper_approving"],
            )
            & ~Q(aid_type=AidType.MODEL_WORKER),
        ),
        "budgets": Selection(
            FundBudget,
            Q(
                fund__org_unit__path__startswith=org_unit.path,
                period__starts_on__lte=ends_on,
                period__ends_on__gte=starts_on,
            ),
        ),
        "files_opened": Selection(
            HardshipFile, Q(org_unit__path__startswith=org_unit.path, filed_on__gte=starts_on, filed_on__lte=ends_on)
        ),
        "files_lifted": Selection(
            HardshipFile, Q(org_unit__path__startswith=org_unit.path, lifted_on__gte=starts_on, lifted_on__lte=ends_on)
        ),
    }
    out.update({f"type_{v}": Selection(Disbursement, paid & Q(application__aid_type=v)) for v in RELIEF_TYPES})
    # who received each type by their own application (a batch's households are counted apart, in 户)
    out.update(
        {
            f"type_{v}_people": Selection(Disbursement, individual & Q(application__aid_type=v), MEMBER)
            for v in RELIEF_TYPES
        }
    )
    out.update(
        {
            f"category_{v}": Selection(Disbursement, paid & Q(application__hardship_file__category=v))
            for v, _ in HardshipFile.Category.choices
        }
    )
    out.update({_fund_key(name): Selection(Disbursement, paid & Q(fund_budget__fund__name=name)) for name in funds})
    return out


def by_unit(org_unit, starts_on, ends_on, prefix_length):
    """The headline figures of each unit below ``org_unit``, in one GROUP BY."""
    chosen = selections(org_unit, starts_on, ends_on, funds=())
    rows = tally_by_unit(
        chosen, "application__org_unit__path", prefix_length, counts=["people"], sums={"amount": ("paid", "amount")}
    )
    return {prefix: {"people": n["people"], "amount": Decimal(n["amount"])} for prefix, n in rows.items()}


@register("aid", title="帮扶救助", order=20, selections=selections, by_unit=by_unit)
def section(org_unit, starts_on, ends_on) -> Section:
    funds = sorted(
        set(
            payments(org_unit, starts_on, ends_on)
            .order_by()
            .values_list("fund_budget__fund__name", flat=True)
            .distinct()
        )
    )
    chosen = selections(org_unit, starts_on, ends_on, funds=funds)
    out = Section("aid", "帮扶救助", selections=chosen)
    money_names = (
        ["paid", "individual", "in_batch", "model_workers", "category_none"]
        + [f"type_{v}" for v in RELIEF_TYPES]
        + [f"category_{v}" for v, _ in HardshipFile.Category.choices]
        + [_fund_key(name) for name in funds]
    )
    paid_names = [name for name, sel in chosen.items() if sel.model is Disbursement]
    n = out.tally(
        counts=paid_names,
        sums={name + "_amount": (name, "amount") for name in money_names},
        distinct={"batches": ("in_batch", "application__batch")},
    )
    n.update(out.tally(counts=["carried_out"]))
    n.update(out.tally(counts=["files_opened", "files_lifted"]))
    n.update(out.tally(counts=["budgets"], sums={"budget": ("budgets", "amount"), "used": ("budgets", "paid")}))

    def money(key, label, name, definition="", prose=""):
        return Figure(key, label, Decimal(n[name + "_amount"]), "元", name, definition, prose)

    def count(key, label, unit, name, definition=""):
        return out.add(Figure(key, label, n[name], unit, name, definition))

    count("people", "帮扶职工", "人", "people", "获得发放的不同职工人数（不含劳模慰问；记录为职工编号）")
    count("times", "帮扶人次", "人次", "paid", "发放笔数（不含劳模慰问；记录为发放编号）")
    out.add(money("amount", "发放帮扶资金", "paid", "期间内实际发放的困难职工帮扶金额之和（不含劳模慰问）"))
    count("individual_people", "个案救助职工", "人", "individual_people", "经个人申请获得发放的不同职工人数")
    count("individual", "个案救助人次", "人次", "individual", "经个人申请的发放笔数")
    out.add(money("individual_amount", "个案救助金额", "individual", "经个人申请的发放金额之和"))
    count("in_batch", "批量慰问发放笔数", "笔", "in_batch", "随批量慰问发放的笔数")
    out.add(Figure("batches", "批量慰问", n["batches"], "批", "in_batch", "期间内有发放的批量慰问批数"))
    count("households", "批量慰问困难职工家庭", "户", "households", "随批量慰问获得发放的不同家庭（职工）数")
    out.add(money("in_batch_amount", "批量慰问金额", "in_batch", "随批量慰问发放的金额之和"))
    count("visited", "经入户核实发放", "笔", "visited", "所属申请有入户核实记录的发放笔数")
    count("publicised", "经民主评议和公示发放", "笔", "publicised", "所属申请或批量慰问经民主评议通过并公示的发放笔数")
    out.breakdowns["by_type"] = [
        money(f"type_{v}", AidType(v).label, f"type_{v}", prose=AID_TYPE_PROSE[v]) for v in RELIEF_TYPES
    ]
    for v in RELIEF_TYPES:
        prose = str(AID_TYPE_PROSE[v])
        count(
            f"type_{v}_people",
            f"{prose}（个案）职工",
            TYPE_MEASURE.get(v, "人"),
            f"type_{v}_people",
            f"经个人申请获得{prose}发放的不同职工人数（不含批量慰问）",
        )
    out.breakdowns["by_category"] = [
        money(f"category_{v}", label, f"category_{v}") for v, label in HardshipFile.Category.choices
    ] + [money("category_none", "未建档", "category_none")]
    out.breakdowns["by_fund"] = [money(_fund_key(name), name, _fund_key(name)) for name in funds]
    out.add(
        Figure(
            "carried_in",
            "上期结转本期发放",
            n["carried_in"],
            "笔",
            "carried_in",
            "期初前申请、本期发放的帮扶（记录为发放编号）",
        )
    )
    out.add(
        Figure("carried_out", "结转下期待发放", n["carried_out"], "件", "carried_out", "期末已申请、尚未发放的帮扶")
    )
    out.add(money("model_workers_amount", "劳模慰问金额", "model_workers", "帮扶类型为劳模慰问的发放金额之和"))
    out.add(
        Figure(
            "model_workers",
            "慰问劳模",
            n["model_worker_people"],
            "名",
            "model_worker_people",
            "获得劳模慰问发放的不同职工人数",
        )
    )
    budget_total, used = Decimal(n["budget"]), Decimal(n["used"])
    out.add(Figure("budget", "帮扶资金预算", budget_total, "元", "budgets", "期间内各资金预算之和（记录为预算编号）"))
    out.add(Figure("budget_used_rate", "预算使用率", rate(used, budget_total), "%", "budgets", "已发放 ÷ 预算"))
    out.add(
        Figure("files_opened", "新建困难职工档案", n["files_opened"], "户", "files_opened", "期间内建立的困难职工档案")
    )
    out.add(
        Figure("files_lifted", "困难职工脱困", n["files_lifted"], "户", "files_lifted", "期间内登记脱困的困难职工档案")
    )
    days = average_days(chosen["paid"].queryset(), "application__filed_on", "paid_on")
    out.add(Figure("average_days", "申请至发放平均天数", days, "天", "paid", "各笔发放日期与申请日期之差的平均值"))
    return out


def fund_table_reconciliation(org_unit, starts_on, ends_on, budgets):
    """Why a fund table's 已发放 (the ``budgets`` rows' ``paid``, a list) and the 发放帮扶资金 of the same
    dates differ, in one query: relief paid in the dates from budgets of an earlier period or from
    funds outside the table (in the figure, not the table), 劳模慰问 and payments outside the dates
    or the unit paid from the table's budgets (in the table, not the figure)."""
    window = payments_q(org_unit, starts_on, ends_on)
    in_table = Q(fund_budget_id__in=[b.pk for b in budgets])
    relief = ~Q(application__aid_type=AidType.MODEL_WORKER)
    earlier = Q(fund_budget__period__ends_on__lt=starts_on)
    sums = {
        "figure": window & relief,
        "earlier_budgets": window & relief & ~in_table & earlier,
        "other_funds": window & relief & ~in_table & ~earlier,
        "model_workers": in_table & ~relief,
        "outside": in_table & relief & ~window,
    }
    row = Disbursement.objects.filter(window | in_table).aggregate(
        **{name: Sum("amount", filter=q) for name, q in sums.items()}
    )
    out = {name: Decimal(value or 0) for name, value in row.items()}
    out["table"] = sum((b.paid for b in budgets), Decimal("0"))
    expected = out["figure"] - out["earlier_budgets"] - out["other_funds"] + out["model_workers"] + out["outside"]
    out["unexplained"] = out["table"] - expected
    out["agree"] = not any(
        out[k] for k in ("earlier_budgets", "other_funds", "model_workers", "outside", "unexplained")
    )
    return out
