"""Demo data: grievance cases from January to today, replayed through the real flow at the dates
they happened (so task times, deadlines, timers and the audit trail all agree)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from workflows import engine
from workflows.demo import Replay, working_day_on_or_after
from workflows.models import EmployerUnit, Member, OrgUnit, RoleAssignment
from workflows.roles import Role

from . import services
from .flows import GrievanceFlow
from .models import GrievanceCase

CHANNELS = [("phone", 35), ("visit", 30), ("online", 20), ("letter", 5), ("referral", 10)]
CATEGORIES = [
    ("wages", 38),
    ("social_insurance", 14),
    ("contract", 16),
    ("injury", 10),
    ("overtime", 10),
    ("compensation", 9),
    ("other", 3),
]
FACTS = {
    "wages": ("{m}月至{n}月工资未按时足额发放，经多次催要未果。", "请求支付拖欠工资{a}元。"),
    "social_insurance": ("单位未依法为申请人缴纳{m}月以来的社会保险费。", "请求补缴社会保险费并赔偿损失{a}元。"),
    "contract": ("单位以经营调整为由单方解除劳动合同，未提前通知。", "请求支付违法解除劳动合同赔偿金{a}元。"),
    "injury": ("申请人于{m}月在车间作业时受伤，已认定为工伤，单位拒绝支付停工留薪期工资。", "请求支付工伤待遇{a}元。"),
    "overtime": ("{m}月以来每周加班约12小时，未支付加班工资，亦未安排调休。", "请求支付加班工资{a}元。"),
    "compensation": ("劳动合同期满单位不再续订，未支付经济补偿。", "请求支付经济补偿{a}元。"),
    "other": ("单位未按约定报销培训费用。", "请求报销培训费用{a}元。"),
}


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def load(command):
    rng = command.rng
    replay = Replay(rng)
    today = replay.today
    mediators = _mediators(rng)
    employers = list(EmployerUnit.objects.select_related("org_unit"))

    def run(step, state):
        follow = STEPS[step](state, rng=rng, mediators=mediators, today=today)
        return [(day, hour, run, next_step, state) for day, hour, next_step in follow or []]

    start = datetime.date(today.year, 1, 2)
    day, filed_count = start, 0
    while day < today:
        day += datetime.timedelta(days=rng.choice([1, 2, 2, 3, 4]))
        filed = working_day_on_or_after(day)
        if filed > today:
            break
        employer = rng.choice(employers)
        category = _pick(rng, CATEGORIES)
        workers = rng.choices([1, 1, 1, 2, 3, rng.randrange(5, 40)], [50, 15, 10, 10, 5, 10])[0]
        amount = (
            Decimal(rng.randrange(20, 600) * 100 * max(1, workers // 3)) if category != "other" else Decimal("1800")
        )
        state = {"employer": employer, "category": category, "workers": workers, "amount": amount, "filed": filed}
        replay.at(filed, rng.randrange(9, 17), run, "register", state)
        filed_count += 1
    replay.run()
    command.stdout.write(f"劳动争议案件：{filed_count} 件（{start:%Y-%m-%d} 至 {today:%Y-%m-%d}）")
    _copy_to_finance(command)


def _copy_to_finance(command):
    """抄送: 华辰's committee member copies its latest wage dispute to finance, so 抄送我的 has one."""
    from workflows import copies

    case = (
        GrievanceCase.objects.filter(org_unit=command.units["hcdz"], category="wages")
        .order_by("-filed_on", "-pk")
        .first()
    )
    if case is not None:
        copies.copy_record(
            record=case,
            actor=command.User.objects.get(username="weiyuan"),
            people=[command.User.objects.get(username="caiwu")],
            note="涉及欠薪，该职工如申请困难帮扶，请参考本案。",
        )


def _mediators(rng):
    """One mediator in each 基层工会 (the demo's named login 'tiaojie' is 华辰's)."""
    found = {ra.org_unit_id: ra.user for ra in RoleAssignment.objects.filter(role=Role.MEDIATOR).select_related("user")}
    for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.BASE):
        if unit.pk not in found:
            member = (
                Member.objects.filter(org_unit=unit, membership=Member.Membership.MEMBER).select_related("user").first()
            )
            RoleAssignment.objects.create(user=member.user, role=Role.MEDIATOR, org_unit=unit)
            found[unit.pk] = member.user
    return found


def _register(state, *, rng, mediators, today):
    employer = state["employer"]
    facts, claims = FACTS[state["category"]]
    m = rng.randrange(1, 12)
    mediator = mediators[employer.org_unit_id]
    case = services.case_register(
        actor=mediator,
        employer_unit=employer,
        channel=_pick(rng, CHANNELS),
        applicant_name=_name(rng),
        applicant_phone=f"1{rng.choice('3578')}{rng.randrange(100000000, 999999999)}",
        filed_on=state["filed"],
        is_petition=rng.random() < 0.08,
        category=state["category"],
        facts=facts.format(m=m, n=min(12, m + 1), a=state["amount"]),
        claims=claims.format(a=state["amount"]),
        workers_involved=state["workers"],
        amount_claimed=state["amount"],
    )
    state["case"] = case
    if case.status == GrievanceCase.Status.DUPLICATE:
        return []
    # reviewed on a later working day, so the timeline reads 登记 → 受理 in order
    review_day = working_day_on_or_after(state["filed"] + datetime.timedelta(days=rng.choice([1, 1, 2])))
    return [(review_day, rng.randrange(9, 17), "review")]


def _review(state, *, rng, mediators, today):
    case = state["case"]
    mediator = mediators[case.employer_unit.org_unit_id]
    task = engine.open_tasks_for(case).get()
    engine.task_claim(task=task, actor=mediator)
    task.refresh_from_db()
    if rng.random() < 0.09:
        reason = rng.choice(["not_labour", "no_consent", "in_arbitration"])
        data = {"decision": "reject", "rejection_reason": reason, "note": "", "mediator": None}
        engine.task_complete(task=task, actor=mediator, data=data)
        return []
    engine.task_complete(task=task, actor=mediator, data={"decision": "accept", "mediator": mediator, "note": ""})
    accepted = timezone.localdate()
    roll = rng.random()
    if roll < 0.05:
        return [(accepted + datetime.timedelta(days=rng.randrange(2, 8)), 10, "withdraw")]
    if roll < 0.10:
        return []  # nobody concludes it: the 15-day timer ends it as 调解不成
    plan = []
    if roll < 0.18:
        plan.append((accepted + datetime.timedelta(days=12), 15, "extend"))
        state["late"] = True
    days = rng.randrange(16, 24) if state.get("late") else rng.randrange(2, 14)
    plan.append((accepted + datetime.timedelta(days=days), rng.randrange(9, 17), "conclude"))
    session_day = accepted + datetime.timedelta(days=max(1, days // 2))
    plan.append((session_day, 14, "session"))
    return plan


def _session(state, *, rng, mediators, today):
    case = GrievanceCase.objects.get(pk=state["case"].pk)
    if case.status != GrievanceCase.Status.MEDIATING:
        return []
    services.case_add_session(
        case=case,
        actor=case.mediator,
        held_on=timezone.localdate(),
        attendees=f"申请人{case.applicant_name}、{case.employer_unit.name}人力资源部负责人、调解员",
        notes="双方陈述了各自意见，调解员释明相关法律规定，双方同意进一步协商。",
    )
    return []


def _extend(state, *, rng, mediators, today):
    case = GrievanceCase.objects.get(pk=state["case"].pk)
    if case.status == GrievanceCase.Status.MEDIATING:
        services.case_extend(case=case, actor=case.mediator, days=10, reason="双方同意延长，以便核对考勤和工资记录")
    return []


def _withdraw(state, *, rng, mediators, today):
    case = GrievanceCase.objects.get(pk=state["case"].pk)
    if case.status == GrievanceCase.Status.MEDIATING:
        services.case_withdraw(case=case, actor=case.created_by, reason="申请人与单位自行协商解决")
    return []


def _conclude(state, *, rng, mediators, today):
    case = GrievanceCase.objects.get(pk=state["case"].pk)
    if case.status != GrievanceCase.Status.MEDIATING:
        return []
    task = engine.open_tasks_for(case).get(flow_task=GrievanceFlow.mediate)
    if rng.random() < 0.8:
        share = Decimal(rng.choice([60, 70, 80, 90, 100])) / 100
        due = timezone.localdate() + datetime.timedelta(days=rng.randrange(5, 21))
        data = {
            "outcome": "agree",
            "amount_agreed": (case.amount_claimed * share).quantize(Decimal("1")),
            "agreement_terms": (
                "被申请人按本协议约定金额向申请人一次性支付款项。\n申请人收到款项后不再就本争议主张其他权利。"
            ),
            "performance_due": due,
        }
        engine.task_complete(task=task, actor=case.mediator, data=data)
        case.refresh_from_db()
        services.case_record_signature(case=case, actor=case.mediator, signed_on=timezone.localdate())
        return [(due + datetime.timedelta(days=rng.randrange(1, 4)), 10, "follow_up")]
    reason = rng.choice(["被申请人不同意申请人的请求金额。", "双方对事实认定分歧较大。", "被申请人未到场参加调解。"])
    engine.task_complete(task=task, actor=case.mediator, data={"outcome": "fail", "failure_reason": reason})
    return []


def _follow_up(state, *, rng, mediators, today):
    case = GrievanceCase.objects.get(pk=state["case"].pk)
    task = engine.open_tasks_for(case).filter(flow_task=GrievanceFlow.follow_up).first()
    if task is None:
        return []
    performed = rng.random() < 0.9
    satisfaction = rng.choices(["satisfied", "fairly", "unsatisfied"], [70, 25, 5])[0] if performed else "unsatisfied"
    note = "电话回访，申请人确认已收到款项。" if performed else "被申请人未按期支付，已告知申请人申请支付令。"
    engine.task_complete(
        task=task, actor=case.mediator, data={"performed": performed, "satisfaction": satisfaction, "note": note}
    )
    return []


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰娟涛明超霞平刚桂文华建国红玉兰海燕春梅晓东"


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


STEPS = {
    "register": _register,
    "review": _review,
    "session": _session,
    "extend": _extend,
    "withdraw": _withdraw,
    "conclude": _conclude,
    "follow_up": _follow_up,
}
