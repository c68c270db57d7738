"""Demo data: 华辰电子's staff congress of March (proposals answered, rated, some re-handled) and
the congress whose proposal window is open now, replayed through the real flow."""

import datetime

from django.utils import timezone

from workflows import engine
from workflows.demo import Replay, working_day_on_or_after
from workflows.models import Member, OrgUnit, RoleAssignment
from workflows.roles import Role

from . import services
from .flows import ProposalFlow
from .models import Congress, Delegation, Department

TOPICS = [
    (
        "关于增设夜班职工休息室的提案",
        "welfare",
        "夜班职工工间休息没有固定场所，只能在车间过道休息。",
        "在一车间东侧改建休息室，配备空调、饮水机和储物柜。",
    ),
    (
        "关于提高高温津贴标准的提案",
        "pay",
        "现行高温津贴标准多年未调整，低于周边同类企业。",
        "参照本市最新标准调整高温津贴，并按月随工资发放。",
    ),
    (
        "关于完善车间通风设施的提案",
        "safety",
        "二车间焊接工位烟尘较大，现有排风设备老化。",
        "更换局部排风设备，定期检测车间空气质量并公示。",
    ),
    (
        "关于延长职工食堂供餐时间的提案",
        "welfare",
        "夜班下班后食堂已关门，职工只能外出就餐。",
        "食堂晚餐供应延长至21点，增设夜宵窗口。",
    ),
    (
        "关于建立技能等级与薪酬挂钩机制的提案",
        "pay",
        "技能等级提升后薪酬没有相应变化，影响学习积极性。",
        "制定技能等级津贴办法，取得高级工证书的每月增加津贴。",
    ),
    (
        "关于规范加班审批和调休管理的提案",
        "democracy",
        "部分班组加班未经审批，调休难以落实。",
        "实行加班线上审批，按月公示加班和调休情况。",
    ),
    (
        "关于增开职工通勤班车的提案",
        "welfare",
        "新城区居住的职工通勤时间超过一小时。",
        "增开新城区至厂区的早晚班车各一班。",
    ),
    (
        "关于加强新员工岗前安全培训的提案",
        "safety",
        "新员工岗前培训时间短，实操环节不足。",
        "岗前安全培训不少于24学时，师带徒考核合格后上岗。",
    ),
    (
        "关于公开职工福利费使用情况的提案",
        "democracy",
        "职工对福利费使用情况不了解。",
        "每半年在厂务公开栏和内网公布福利费收支明细。",
    ),
    (
        "关于优化生产排班的提案",
        "development",
        "连续上夜班超过一周，职工疲劳明显。",
        "推行四班三运转，夜班连续不超过五天。",
    ),
    (
        "关于改善厂区停车条件的提案",
        "welfare",
        "早高峰厂区停车位紧张，电动车充电桩不足。",
        "利用北侧空地扩建停车场，增设电动车充电桩。",
    ),
    (
        "关于设立职工子女暑期托管班的提案",
        "welfare",
        "双职工家庭暑期子女无人照看。",
        "联合社区开办暑期托管班，工会给予适当补贴。",
    ),
    (
        "关于推进设备智能化改造的提案",
        "development",
        "部分老旧设备故障率高，影响交货期。",
        "分批实施设备智能化改造，同步开展操作培训。",
    ),
    (
        "关于完善困难职工帮扶机制的提案",
        "other",
        "困难职工认定标准不够明确。",
        "修订困难职工认定办法，建立动态管理台账。",
    ),
]
CURRENT_TOPICS = [
    ("关于增加冬季取暖补贴的提案", "welfare", "宿舍冬季取暖费用较高。", "对住宿职工发放冬季取暖补贴。"),
    (
        "关于建立合理化建议奖励制度的提案",
        "development",
        "职工合理化建议采纳后缺少激励。",
        "按建议产生的效益给予一次性奖励。",
    ),
    ("关于开展职工心理健康服务的提案", "welfare", "一线职工工作压力大。", "引入专业机构开展心理咨询和讲座。"),
]


def load(command):
    rng = command.rng
    unit = OrgUnit.objects.get(code="hcdz")
    today = timezone.localdate()
    reps = list(
        Member.objects.filter(org_unit__path__startswith=unit.path, is_representative=True).select_related("user")
    )
    while len(reps) < 12:  # enough representatives to propose and second
        member = Member.objects.filter(org_unit=unit, is_representative=False, membership="member").first()
        Member.objects.filter(pk=member.pk).update(is_representative=True)
        member.is_representative = True
        reps.append(member)
    committee = (
        RoleAssignment.objects.filter(role=Role.PROPOSAL_COMMITTEE, org_unit=unit).select_related("user").first().user
    )
    departments = _departments(unit)

    march = Congress.objects.create(
        org_unit=unit,
        name=f"华辰电子科技有限公司第四届职工代表大会第{today.year - 2023}次会议",
        window_opens=datetime.date(today.year, 3, 2),
        window_closes=datetime.date(today.year, 3, 20),
        held_on=datetime.date(today.year, 3, 27),
    )
    current = Congress.objects.create(
        org_unit=unit,
        name="华辰电子科技有限公司第四届职工代表大会第四次会议（筹备）",
        window_opens=today - datetime.timedelta(days=10),
        window_closes=today + datetime.timedelta(days=20),
    )
    for congress in (march, current):
        for i, chunk in enumerate((reps[::2], reps[1::2]), 1):
            delegation = Delegation.objects.create(congress=congress, name=f"第{i}代表团")
            delegation.members.set(chunk)

    replay = Replay(rng)
    for topic in TOPICS:
        day = march.window_opens + datetime.timedelta(days=rng.randrange(0, 14))
        replay.at(
            working_day_on_or_after(day),
            rng.randrange(9, 17),
            _draft,
            replay,
            march,
            topic,
            reps,
            committee,
            departments,
        )
    for topic in CURRENT_TOPICS:
        replay.at(
            current.window_opens + datetime.timedelta(days=rng.randrange(0, 8)),
            10,
            _draft,
            replay,
            current,
            topic,
            reps,
            committee,
            departments,
        )
    replay.run()
    command.stdout.write(f"职代会提案：{len(TOPICS)} 件（{march.name}），{len(CURRENT_TOPICS)} 件征集中")


def _departments(unit):
    """Five handling departments; 'bumen' answers for 人力资源部."""
    names = ["人力资源部", "后勤保障部", "安全环保部", "生产管理部", "财务部"]
    contacts = list(RoleAssignment.objects.filter(role=Role.DEPARTMENT, org_unit=unit).values_list("user", flat=True))
    spare = (
        Member.objects.filter(org_unit=unit, is_representative=False)
        .exclude(user_id__in=contacts)
        .select_related("user")
    )
    out = {}
    for i, name in enumerate(names):
        user = spare[i].user if i >= len(contacts) else Member.objects.get(user_id=contacts[i]).user
        if i >= len(contacts):
            RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT, org_unit=unit)
        out[name] = Department.objects.create(org_unit=unit, name=name, contact=user)
    return out


LEAD_FOR = {
    "welfare": "后勤保障部",
    "pay": "人力资源部",
    "safety": "安全环保部",
    "democracy": "人力资源部",
    "development": "生产管理部",
    "other": "人力资源部",
}


def _draft(replay, congress, topic, reps, committee, departments):
    rng = replay.rng
    title, category, cause, measures = topic
    proposer = rng.choice(reps)
    proposal = services.proposal_draft(
        actor=proposer.user, congress=congress, title=title, category=category, cause=cause, measures=measures
    )
    seconders = rng.sample([r for r in reps if r.pk != proposer.pk], rng.choice([2, 2, 3, 4]))
    drafted = timezone.localdate()
    closes = congress.window_closes
    plan = [
        (min(drafted + datetime.timedelta(days=i + 1), closes), 11 + i, _second, replay, proposal, m)
        for i, m in enumerate(seconders)
    ]
    submit_day = min(drafted + datetime.timedelta(days=len(seconders) + rng.randrange(1, 3)), closes)
    plan.append((submit_day, 17, _submit, replay, proposal, committee, departments))  # skipped if still to come
    return plan


def _second(replay, proposal, member):
    services.proposal_second(proposal=proposal, actor=member.user)


def _submit(replay, proposal, committee, departments):
    proposal.refresh_from_db()
    services.proposal_submit(proposal=proposal, actor=proposal.proposer.user)
    review_day = proposal.congress.window_closes + datetime.timedelta(days=replay.rng.randrange(3, 9))
    return [(working_day_on_or_after(review_day), 10, _review, replay, proposal, committee, departments)]


def _review(replay, proposal, committee, departments):
    rng = replay.rng
    task = engine.open_tasks_for(proposal).get(flow_task=ProposalFlow.review)
    engine.task_claim(task=task, actor=committee)
    task.refresh_from_db()
    roll = rng.random()
    lead = departments[LEAD_FOR[proposal.category]]
    co = [d for d in departments.values() if d != lead and rng.random() < 0.25]
    today = timezone.localdate()
    due = today + datetime.timedelta(days=90)
    if roll < 0.08:
        engine.task_complete(
            task=task,
            actor=committee,
            data={"decision": "reject", "note": "属于个人诉求，建议通过其他渠道反映。", "co_departments": []},
        )
        return []
    decision = "suggestion" if roll < 0.25 else "accept"
    data = {"decision": decision, "lead": lead, "co_departments": co, "answer_due": due, "note": ""}
    engine.task_complete(task=task, actor=committee, data=data)
    answer_day = today + datetime.timedelta(days=rng.choice([20, 40, 60, 75, 95]))
    plan = [
        (today + datetime.timedelta(days=rng.randrange(5, 15)), 14, _co_answer, replay, proposal, dept) for dept in co
    ]
    plan.append((working_day_on_or_after(answer_day), 15, _answer, replay, proposal, lead))
    return plan


def _co_answer(replay, proposal, department):
    task = engine.open_tasks_for(proposal).filter(flow_task=ProposalFlow.co_answer, owner=department.contact).first()
    if task:
        engine.task_complete(
            task=task, actor=department.contact, data={"text": f"{department.name}同意配合，负责相关部分的落实。"}
        )


def _answer(replay, proposal, lead):
    rng = replay.rng
    task = engine.open_tasks_for(proposal).filter(flow_task=ProposalFlow.answer).first()
    if task is None:  # co-departments still working: try again a week later
        return [(timezone.localdate() + datetime.timedelta(days=7), 15, _answer, replay, proposal, lead)]
    status = rng.choices(["resolved", "in_progress", "not_possible"], [55, 35, 10])[0]
    text = {
        "resolved": "已按提案建议落实完毕。",
        "in_progress": "已列入下半年工作计划，正在组织实施。",
        "not_possible": "经研究，近期暂不具备实施条件。",
    }[status]
    data = {"answer_status": status, "answer": text, "reason": "受场地和预算限制" if status == "not_possible" else ""}
    engine.task_complete(task=task, actor=lead.contact, data=data)
    if rng.random() < 0.15:
        return []  # the proposer stays silent: the 15-working-day timer archives it as 未反馈
    return [
        (timezone.localdate() + datetime.timedelta(days=rng.randrange(2, 12)), 10, _feedback, replay, proposal, lead)
    ]


def _feedback(replay, proposal, lead):
    rng = replay.rng
    task = engine.open_tasks_for(proposal).filter(flow_task=ProposalFlow.feedback).first()
    if task is None:
        return []
    proposal.refresh_from_db()
    weights = [55, 30, 15] if not proposal.rehandled else [40, 40, 20]
    satisfaction = rng.choices(["satisfied", "fairly", "unsatisfied"], weights)[0]
    note = "希望加快进度，尽早落实。" if satisfaction == "unsatisfied" else ""
    engine.task_complete(task=task, actor=proposal.proposer.user, data={"satisfaction": satisfaction, "note": note})
    proposal.refresh_from_db()
    if proposal.status == proposal.Status.HANDLING:  # sent back once for re-handling
        return [
            (timezone.localdate() + datetime.timedelta(days=rng.randrange(10, 25)), 15, _answer, replay, proposal, lead)
        ]
    return []
