"""Load a realistic demo: a 开发区 union with its 基层工会, a few hundred workers, a login per role.

Safe to run twice: a database that already holds the demo is left as it is and the logins are
printed again.  Everything goes through the same services a user would use.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from workflows import engine, services
from workflows.models import EmployerUnit, Member, MembershipApplication, OrgUnit, Period, RoleAssignment, TaskDeadline
from workflows.roles import Role
from workflows.selectors import tasks_claimable

DEMO_PASSWORD = "unionflow2026"
TOP_CODE = "bjkfq"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
    "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国志红玉兰海燕春梅晓东建华丽娟玉梅"
    "永刚国强德明小红金凤建军凤英秀珍桂兰海波"
)

UNIONS = [
    # (code, name, employer, industry, size, departments, branches)
    (
        "hcdz",
        "华辰电子科技有限公司工会",
        "华辰电子科技有限公司",
        "电子制造",
        "large",
        ["一车间", "二车间", "品质部", "仓储部", "研发中心"],
        ["一车间分会", "二车间分会"],
    ),
    (
        "htfz",
        "恒泰纺织有限公司工会",
        "恒泰纺织有限公司",
        "纺织",
        "medium",
        ["纺纱车间", "织造车间", "印染车间", "后勤部"],
        ["纺纱车间分会"],
    ),
    (
        "jnjg",
        "江南建工集团有限公司工会",
        "江南建工集团有限公司",
        "建筑",
        "large",
        ["第一项目部", "第二项目部", "机械设备部", "安全质量部"],
        ["第一项目部分会"],
    ),
    ("sdwl", "顺达物流有限公司工会", "顺达物流有限公司", "交通运输", "medium", ["运输队", "分拣中心", "客服部"], []),
    (
        "kfqjg",
        "开发区管委会机关工会",
        "滨江经济开发区管委会",
        "公共管理",
        "small",
        ["办公室", "经济发展局", "社会事务局"],
        [],
    ),
]

LOGINS = [
    # (username, name, role, union code or TOP_CODE, is_staff)
    ("zhuxi", "陈建国", Role.CHAIR, TOP_CODE, False),
    ("shangji", "周文华", Role.UPPER_UNION, TOP_CODE, False),
    ("weiyuan", "李秀英", Role.COMMITTEE, "hcdz", False),
    ("weiyuan2", "王海波", Role.COMMITTEE, "htfz", False),
    ("zhuxi_hc", "刘德明", Role.CHAIR, "hcdz", False),
    ("tiaojie", "张志红", Role.MEDIATOR, "hcdz", False),
    ("caiwu", "赵金凤", Role.FINANCE, "hcdz", False),
    ("tian", "孙建华", Role.PROPOSAL_COMMITTEE, "hcdz", False),
    ("bumen", "马国强", Role.DEPARTMENT, "hcdz", False),
    ("daibiao", "朱晓东", Role.REPRESENTATIVE, "hcdz", False),
    ("zhigong", "何小红", Role.EMPLOYEE, "hcdz", False),
    ("admin", "系统管理员", Role.ADMIN, TOP_CODE, True),
]


def second_people(code="hcdz"):
    """[(username, name, what for)]: the people the demo gave a role in the main union beside the
    logins above — the other committee member (the second 入户核实 of an aid application needs a
    different person) and two staff representatives to second (附议) a proposal."""
    logins = [username for username, *_ in LOGINS]
    committee = (
        RoleAssignment.objects.filter(role=Role.COMMITTEE, org_unit__code=code)
        .exclude(user__username__in=logins)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    representatives = (
        Member.objects.filter(is_representative=True, org_unit__code=code, user__is_active=True)
        .exclude(user__username__in=logins)
        .select_related("user")
        .order_by("user__username")[:2]
    )
    people = [(committee.user, "第二位入户核实委员（委员会委员）")] if committee else []
    people += [(m.user, "职工代表：附议提案") for m in representatives]
    return [(user.username, user.get_full_name() or user.username, what) for user, what in people]


class Command(BaseCommand):
    help = "载入演示数据：开发区总工会及其基层工会、数百名职工、各角色的演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=320, help="职工人数（默认320）")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, members, seed, **options):
        if OrgUnit.objects.filter(code=TOP_CODE).exists():
            self.stdout.write("演示数据已存在，未重复载入。")
        else:
            self.rng = random.Random(seed)
            with transaction.atomic():
                self.build(members)
            self.stdout.write(self.style.SUCCESS("演示数据已载入。"))
        self.print_logins()

    # -- building -----------------------------------------------------------------------------
    def build(self, member_count):
        self.User = get_user_model()
        top = OrgUnit.objects.create(name="滨江经济开发区总工会", code=TOP_CODE, kind=OrgUnit.Kind.UPPER)
        self.units, self.employers, self.departments = {TOP_CODE: top}, {}, {}
        for code, name, employer, industry, size, departments, branches in UNIONS:
            unit = OrgUnit.objects.create(name=name, code=code, kind=OrgUnit.Kind.BASE, parent=top)
            for i, branch in enumerate(branches, 1):
                OrgUnit.objects.create(name=branch, code=f"{code}-{i}", kind=OrgUnit.Kind.BRANCH, parent=unit)
            self.units[code] = unit
            self.employers[code] = EmployerUnit.objects.create(
                name=employer, industry=industry, size=size, org_unit=unit
            )
            self.departments[code] = departments
        # The upper union's own staff are employed by the 管委会.
        self.employers[TOP_CODE] = self.employers["kfqjg"]
        self.departments[TOP_CODE] = ["开发区总工会"]

        for year, kind in [(2025, "H2"), (2026, "H1"), (2026, "H2"), (2026, "FY")]:
            Period.objects.create(org_unit=top, year=year, kind=kind)

        for username, name, role, code, is_staff in LOGINS:
            user = self.make_user(username, name, code, is_staff=is_staff, superuser=role == Role.ADMIN)
            RoleAssignment.objects.create(user=user, role=role, org_unit=self.units[code])
            if role == Role.REPRESENTATIVE:
                Member.objects.filter(user=user).update(is_representative=True)
            if username == "zhigong":
                Member.objects.filter(user=user).update(membership=Member.Membership.NON_MEMBER, joined_on=None)

        codes = [c for c, *_ in UNIONS]
        weights = [40, 25, 20, 10, 5]
        for n in range(member_count):
            code = self.rng.choices(codes, weights)[0]
            user = self.make_user(f"w{n + 1:04d}", self.name(), code)
            if self.rng.random() < 0.12:
                Member.objects.filter(user=user).update(membership=Member.Membership.NON_MEMBER, joined_on=None)
            elif self.rng.random() < 0.06:
                Member.objects.filter(user=user).update(is_representative=True)
            elif self.rng.random() < 0.02:
                Member.objects.filter(user=user).update(is_model_worker=True)

        self.close_period(top, 2025, "H2")
        self.applications()
        self.domain_demos()

    def domain_demos(self):
        """Each domain app may ship a ``demo.py`` with ``load(command)``; run them in order."""
        from importlib import import_module
        from importlib.util import find_spec

        from django.test.utils import override_settings

        from workflows.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True  # the demo's notifications are not mailed
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                for name in ("cases", "proposals", "aid"):
                    if find_spec(f"{name}.demo"):
                        import_module(f"{name}.demo").load(self)
        finally:
            app.conf.task_always_eager = eager

    def name(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2])))

    def make_user(self, username, name, code, *, is_staff=False, superuser=False):
        if not hasattr(self, "password_hash"):
            self.password_hash = make_password(DEMO_PASSWORD)  # hashing once keeps seeding fast
        user = self.User.objects.create(
            username=username,
            password=self.password_hash,
            first_name=name,
            email=f"{username}@demo.unionflow.local",
            is_staff=is_staff or superuser,
            is_superuser=superuser,
        )
        self.rng_local = getattr(self, "rng", random.Random(0))
        Member.objects.create(
            user=user,
            employee_no=f"{code.upper()}{user.pk:05d}",
            department=self.rng_local.choice(self.departments[code]),
            employer_unit=self.employers[code],
            org_unit=self.units[code],
            membership=Member.Membership.MEMBER,
            joined_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=self.rng_local.randrange(3650)),
            phone=f"13{self.rng_local.randrange(100000000, 999999999)}",
        )
        return user

    def close_period(self, unit, year, kind):
        chair = self.User.objects.get(username="zhuxi")
        period = Period.objects.get(org_unit=unit, year=year, kind=kind)
        services.period_start_closing(period=period, actor=chair)
        services.period_finish_closing(period=period, actor=chair)

    def applications(self):
        """Non-members apply over the last weeks; some reviews are done, some are overdue."""
        today = timezone.localdate()
        applicants = list(
            Member.objects.filter(membership=Member.Membership.NON_MEMBER)
            .exclude(user__username="zhigong")
            .select_related("user", "org_unit")
        )
        self.rng.shuffle(applicants)
        reviewers = {}
        for ra in RoleAssignment.objects.filter(role__in=[Role.COMMITTEE, Role.CHAIR]).select_related(
            "user", "org_unit"
        ):
            reviewers.setdefault(ra.org_unit_id, []).append(ra.user)
        top_chair = self.User.objects.get(username="zhuxi")
        for i, member in enumerate(applicants[:36]):
            days_ago = self.rng.randrange(0, 40)
            application = services.membership_apply(
                actor=member.user,
                statement=f"本人{member.display_name}，在{member.department}工作，自愿加入工会，遵守工会章程，按期交纳会费。",
            )
            filed = today - datetime.timedelta(days=days_ago)
            MembershipApplication.objects.filter(pk=application.pk).update(filed_on=filed)
            task = engine.open_tasks_for(application).get()
            created = timezone.now() - datetime.timedelta(days=days_ago, hours=self.rng.randrange(1, 8))
            type(task).objects.filter(process_id=task.process_id).update(created=created)
            due = created + datetime.timedelta(days=3)
            TaskDeadline.objects.filter(task=task).update(due_at=due, remind_at=due - datetime.timedelta(days=1))
            # the review's timeout timer counts from the backdated creation too; beat fires the overdue ones
            type(task).objects.filter(process_id=task.process_id, flow_task_type="TIMER").update(
                scheduled=created + datetime.timedelta(days=3)
            )
            if days_ago > 8 and i % 4 != 0:
                reviewer = self.rng.choice(reviewers.get(member.org_unit_id) or [top_chair])
                task.refresh_from_db()
                engine.task_claim(task=task, actor=reviewer)
                task.refresh_from_db()
                decision = "approve" if self.rng.random() < 0.85 else "reject"
                note = "" if decision == "approve" else "申请材料不全，请补充劳动合同复印件后重新申请。"
                engine.task_complete(task=task, actor=reviewer, data={"decision": decision, "note": note})
            elif i % 3 == 0:
                # Claimed but not yet decided: shows in the reviewer's 待办 with its due date.
                reviewer = (reviewers.get(member.org_unit_id) or [None])[0]
                if reviewer is not None:
                    task.refresh_from_db()
                    engine.task_claim(task=task, actor=reviewer)
        self.stdout.write(
            f"可认领任务（委员 weiyuan）：{tasks_claimable(self.User.objects.get(username='weiyuan')).count()} 项"
        )

    def print_logins(self):
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, name, role, code, _staff in LOGINS:
            unit = OrgUnit.objects.filter(code=code).values_list("name", flat=True).first() or ""
            self.stdout.write(f"  {username:<10} {name:<6} {role.label:<8} {unit}")
        self.stdout.write("  以下为同一密码的演示职工，用于需要第二个人的环节（华辰电子）：")
        for username, name, what in second_people():
            self.stdout.write(f"  {username:<10} {name:<6} {what}")
