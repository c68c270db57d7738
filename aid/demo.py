"""Demo data: funds and budgets, hardship files, a year of applications and two batch reliefs
(春节送温暖, 夏季送清凉), replayed through the real flow at the dates they happened."""

import datetime
from decimal import Decimal

from django.utils import timezone

from workflows import engine
from workflows.demo import Replay, working_day_on_or_after
from workflows.models import Member, OrgUnit, Period, RoleAssignment
from workflows.roles import Role

from . import services
from .flows import AidBatchFlow, AidFlow
from .models import AidType, Fund, FundBudget, HardshipFile

CAUSES = [
    ("配偶患重病长期治疗，医疗费用负担重。", "尿毒症"),
    ("子女就读大学，家庭收入低。", ""),
    ("本人因工受伤，停工治疗期间收入减少。", "腰椎骨折"),
    ("家中房屋遭受火灾，损失严重。", ""),
    ("单亲家庭，独自抚养两名子女。", ""),
    ("父母年老多病，需长期照料。", "阿尔茨海默病"),
]
AMOUNTS = {"living": (1000, 4000), "medical": (2000, 8000), "education": (2000, 5000), "emergency": (3000, 10000)}


def load(command):
    rng = command.rng
    replay = Replay(rng)
    today = replay.today
    staff = {unit.pk: _staff(unit) for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.BASE)}
    funds = {}
    for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.BASE):
        funds[unit.pk] = Fund.objects.create(org_unit=unit, name="困难职工帮扶资金")
        for period in Period.objects.filter(year=today.year).exclude(kind=Period.Kind.FULL_YEAR):
            FundBudget.objects.create(
                fund=funds[unit.pk], period=period, amount=Decimal(rng.choice([60000, 80000, 100000]))
            )
    hcdz = OrgUnit.objects.get(code="hcdz")
    festival = Fund.objects.create(org_unit=hcdz, name="送温暖专项资金")
    for period in Period.objects.filter(year=today.year).exclude(kind=Period.Kind.FULL_YEAR):
        FundBudget.objects.create(fund=festival, period=period, amount=Decimal("30000"))

    members = list(
        Member.objects.filter(membership=Member.Membership.MEMBER, org_unit__kind=OrgUnit.Kind.BASE).select_related(
            "user", "org_unit"
        )
    )
    needy = rng.sample(members, 28)
    start = datetime.date(today.year, 1, 5)
    for i, member in enumerate(needy):
        replay.at(
            working_day_on_or_after(start + datetime.timedelta(days=i)),
            10,
            _open_file,
            replay,
            member,
            staff[member.org_unit_id],
        )
    day = datetime.date(today.year, 2, 1)
    while day < today:
        member = rng.choice(needy)
        replay.at(
            working_day_on_or_after(day),
            rng.randrange(9, 16),
            _apply,
            replay,
            member,
            staff[member.org_unit_id],
            funds[member.org_unit_id],
        )
        day += datetime.timedelta(days=rng.randrange(4, 9))
    hc_staff = staff[hcdz.pk]
    replay.at(
        datetime.date(today.year, 1, 20),
        9,
        _batch,
        replay,
        "春节送温暖",
        AidType.FESTIVAL,
        Decimal("500"),
        festival,
        hc_staff,
    )
    replay.at(
        datetime.date(today.year, 7, 8),
        9,
        _batch,
        replay,
        "夏季送清凉",
        AidType.LIVING,
        Decimal("300"),
        festival,
        hc_staff,
    )
    replay.run()
    command.stdout.write(f"困难帮扶：{HardshipFile.objects.count()} 户建档，{sum(1 for _ in needy)} 户帮扶对象")


def _staff(unit):
    """Two committee members, a chair and a finance officer for each 基层工会 (granting roles to
    members where the demo logins leave a gap)."""
    people = {}
    spare = iter(
        Member.objects.filter(org_unit=unit, membership="member")
        .exclude(user__role_assignments__isnull=False)
        .select_related("user")
    )

    def holders(role, n):
        found = [ra.user for ra in RoleAssignment.objects.filter(role=role, org_unit=unit).select_related("user")]
        while len(found) < n:
            user = next(spare).user
            RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
            found.append(user)
        return found

    people["committee"] = holders(Role.COMMITTEE, 2)
    people["chair"] = (
        holders(Role.CHAIR, 0) or [RoleAssignment.objects.get(role=Role.CHAIR, org_unit__code="bjkfq").user]
    )[0]
    people["finance"] = holders(Role.FINANCE, 1)[0]
    people["upper"] = RoleAssignment.objects.filter(role=Role.UPPER_UNION).first().user
    return people


def _open_file(replay, member, staff):
    rng = replay.rng
    cause, illness = rng.choice(CAUSES)
    income = Decimal(rng.randrange(600, 1900))
    size = rng.randrange(2, 6)
    loss = Decimal(rng.choice([0, 0, 0, 80000]))
    category = services.suggest_category(income_per_head=income, household_size=size, sudden_loss=loss) or "relative"
    services.file_open(
        actor=staff["committee"][0],
        member=member,
        household_size=size,
        income_per_head=income,
        ill_or_disabled=1 if illness else 0,
        sudden_loss=loss,
        cause=cause,
        category=category,
        id_number=f"3301{rng.randrange(10**13, 10**14)}",
        illness=illness,
        bank_account=f"6222{rng.randrange(10**11, 10**12)}",
        consent_signed_on=timezone.localdate(),
    )


def _apply(replay, member, staff, fund):
    rng = replay.rng
    aid_type = rng.choice(list(AMOUNTS))
    low, high = AMOUNTS[aid_type]
    try:
        application = services.application_submit(
            actor=staff["committee"][0],
            member=member,
            aid_type=aid_type,
            amount_requested=Decimal(rng.randrange(low, high) // 100 * 100),
            reasons="家庭困难，经本人申请、工会小组推荐。",
        )
    except Exception:  # same type already this half-year: the rule holds in the demo too
        return []
    day = timezone.localdate()
    return [(day + datetime.timedelta(days=rng.randrange(1, 4)), 10, _visits, replay, application, staff, fund)]


def _visits(replay, application, staff, fund):
    for verifier in staff["committee"]:
        task = engine.open_tasks_for(application).filter(flow_task=AidFlow.home_visit, owner__isnull=True).first()
        if task is None:
            return []
        engine.task_claim(task=task, actor=verifier)
        task.refresh_from_db()
        data = {"visited_on": timezone.localdate(), "findings": "入户核实，家庭情况与申请一致。", "returned": False}
        engine.task_complete(task=task, actor=verifier, data=data)
    return [
        (
            timezone.localdate() + datetime.timedelta(days=replay.rng.randrange(2, 6)),
            14,
            _review,
            replay,
            application,
            staff,
            fund,
        )
    ]


def _votes(task, record, staff, rng, dissent=0.1):
    chair = staff["chair"]
    engine.task_claim(task=task, actor=chair)
    task.refresh_from_db()
    ballots = {user: ("for" if rng.random() >= dissent else "against") for user in [*staff["committee"], chair]}
    engine.task_complete(task=task, actor=chair, data={"votes": ballots, "note": ""})


def _review(replay, application, staff, fund):
    task = engine.open_tasks_for(application).filter(flow_task=AidFlow.review).first()
    if task is None:
        return []
    _votes(task, application, staff, replay.rng)
    application.refresh_from_db()
    if application.status != application.Status.PUBLICIZING:
        return []
    return [
        (application.publicity_ends_on + datetime.timedelta(days=1), 10, _approve, replay, application, staff, fund)
    ]


def _approve(replay, application, staff, fund):
    task = engine.open_tasks_for(application).filter(flow_task=AidFlow.approve).first()
    if task is None:
        return []
    engine.task_claim(task=task, actor=staff["chair"])
    task.refresh_from_db()
    try:
        engine.task_complete(task=task, actor=staff["chair"], data={"decision": "approve", "fund": fund, "note": ""})
    except Exception:  # the fund has no room left: the application waits, as it would in real life
        return []
    application.refresh_from_db()
    later = timezone.localdate() + datetime.timedelta(days=replay.rng.randrange(1, 5))
    if application.status == application.Status.UPPER_APPROVING:
        return [(later, 11, _upper, replay, application, staff)]
    return [(later, 15, _pay, replay, application, staff)]


def _upper(replay, application, staff):
    task = engine.open_tasks_for(application).filter(flow_task=AidFlow.upper_approve).first()
    engine.task_claim(task=task, actor=staff["upper"])
    task.refresh_from_db()
    engine.task_complete(task=task, actor=staff["upper"], data={"decision": "approve", "note": "同意"})
    return [(timezone.localdate() + datetime.timedelta(days=2), 15, _pay, replay, application, staff)]


def _pay(replay, record, staff, flow=AidFlow):
    task = engine.open_tasks_for(record).filter(flow_task=flow.disburse).first()
    if task is None:
        return []
    engine.task_claim(task=task, actor=staff["finance"])
    task.refresh_from_db()
    reference = f"YH{timezone.localdate():%Y%m%d}{record.pk:04d}"
    engine.task_complete(
        task=task,
        actor=staff["finance"],
        data={"method": "bank", "reference": reference, "paid_on": timezone.localdate()},
    )
    return []


def _batch(replay, title, aid_type, amount, fund, staff):
    files = list(HardshipFile.objects.filter(status="active", org_unit__path__startswith=fund.org_unit.path))
    batch, _skipped = services.batch_create(
        actor=staff["chair"], title=title, aid_type=aid_type, amount_per_household=amount, fund=fund, files=files
    )
    _votes(engine.open_tasks_for(batch).get(flow_task=AidBatchFlow.review), batch, staff, replay.rng, dissent=0)
    batch.refresh_from_db()
    if batch.status != batch.Status.PUBLICIZING:
        return []  # the committee voted it down
    return [(batch.publicity_ends_on + datetime.timedelta(days=1), 10, _batch_approve, replay, batch, staff)]


def _batch_approve(replay, batch, staff):
    task = engine.open_tasks_for(batch).get(flow_task=AidBatchFlow.approve)
    engine.task_claim(task=task, actor=staff["chair"])
    task.refresh_from_db()
    engine.task_complete(task=task, actor=staff["chair"], data={"decision": "approve", "fund": batch.fund, "note": ""})
    return [(timezone.localdate() + datetime.timedelta(days=2), 15, _pay, replay, batch, staff, AidBatchFlow)]
