"""Every transition of a grievance case, legal and illegal, through the flow and its services."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from cases import services
from cases.flows import GrievanceFlow
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs, register_kwargs
from tests.factories import fresh
from workflows import engine
from workflows.errors import IllegalTransition, NotPermitted, WorkflowError
from workflows.models import AuditEvent, Notification, TaskDeadline
from workflows.selectors import tasks_claimable, tasks_inbox
from workflows.tasks import send_deadline_reminders

pytestmark = pytest.mark.django_db
S = GrievanceCase.Status


def open_task(case, node=None):
    tasks = engine.open_tasks_for(case)
    if node is not None:
        tasks = tasks.filter(flow_task=node)
    return tasks.get()


def accept(case, by, mediator):
    task = open_task(case, GrievanceFlow.review)
    engine.task_claim(task=task, actor=fresh(by))
    engine.task_complete(task=task, actor=fresh(by), data={"decision": "accept", "mediator": mediator, "note": ""})
    case.refresh_from_db()
    return case


def conclude(case, mediator, **data):
    task = open_task(case, GrievanceFlow.mediate)
    engine.task_complete(task=task, actor=fresh(mediator), data=data)
    case.refresh_from_db()
    return case


AGREEMENT = {
    "outcome": "agree",
    "amount_agreed": Decimal("8000.00"),
    "agreement_terms": "被申请人支付拖欠工资8000元。\n申请人放弃其他请求。",
    "performance_due": datetime.date.today() + datetime.timedelta(days=10),
    "failure_reason": "",
}


def test_an_employee_files_and_the_review_lands_in_the_unions_queue(tree, worker, mediator, mediator_b):
    case = services.case_file(actor=worker, **file_kwargs())
    assert (case.status, case.channel, case.applicant.user, case.org_unit) == (
        S.REGISTERED,
        "online",
        worker,
        tree.a_branch,
    )
    task = open_task(case)
    assert task.flow_task == GrievanceFlow.review
    assert list(tasks_claimable(fresh(mediator))) == [task]
    assert list(tasks_claimable(fresh(mediator_b))) == []
    # 3 working days from the filing date
    due = timezone.localtime(task.deadline.due_at).date()
    assert 3 <= (due - case.filed_on).days <= 5 and due.weekday() < 5


def test_acceptance_assigns_the_mediator_with_a_15_day_limit_and_a_3_day_reminder(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    assert case.status == S.MEDIATING and case.mediator == mediator
    assert case.mediation_due == timezone.localdate() + datetime.timedelta(days=15)
    task = open_task(case, GrievanceFlow.mediate)
    assert list(tasks_inbox(fresh(mediator))) == [task]  # assigned straight to the mediator
    deadline = TaskDeadline.objects.get(task=task)
    assert deadline.due_at - deadline.remind_at == datetime.timedelta(days=3)


def test_rejection_with_a_reason_notifies_the_applicant_and_ends_the_flow(tree, worker, mediator):
    case = services.case_file(actor=worker, **file_kwargs())
    task = open_task(case)
    engine.task_claim(task=task, actor=fresh(mediator))
    data = {"decision": "reject", "rejection_reason": "in_arbitration", "note": "已向仲裁委申请", "mediator": None}
    engine.task_complete(task=task, actor=fresh(mediator), data=data)
    case.refresh_from_db()
    assert case.status == S.REJECTED and case.get_rejection_reason_display() == "已进入仲裁或诉讼"
    assert Notification.objects.filter(recipient=worker, title__startswith="不予受理通知").exists()
    assert not engine.open_tasks_for(case).exists()


def test_agreement_then_follow_up_at_the_performance_deadline_closes_the_case(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    case = conclude(case, mediator, **AGREEMENT)
    assert case.status == S.AGREED and case.amount_agreed == Decimal("8000.00")
    assert not engine.open_tasks_for(case).filter(flow_task_type="HUMAN").exists()  # waiting for the deadline
    with time_machine.travel(timezone.now() + datetime.timedelta(days=11)):
        assert fire_due_timers() == 1
    follow_up = open_task(case, GrievanceFlow.follow_up)
    assert follow_up.owner == mediator
    data = {"performed": False, "satisfaction": "fairly", "note": "单位仅支付一半"}
    engine.task_complete(task=follow_up, actor=fresh(mediator), data=data)
    case.refresh_from_db()
    assert (case.status, case.performed, case.satisfaction) == (S.CLOSED, False, "fairly")
    assert Notification.objects.filter(recipient=worker, body__contains="支付令").exists()


def test_failure_records_the_reason_and_advises_arbitration(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    case = conclude(case, mediator, outcome="fail", failure_reason="单位坚持不同意支付", amount_agreed=None)
    assert case.status == S.FAILED and not case.expired
    advice = Notification.objects.get(recipient=worker, title__startswith="调解不成")
    assert "一年内" in advice.body and "仲裁" in advice.body


def test_mediation_expires_after_15_days_once(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=14)):
        assert fire_due_timers() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=16)):
        assert fire_due_timers() == 1
        assert fire_due_timers() == 0  # a timer that fires twice does not fail a case twice
    case.refresh_from_db()
    assert case.status == S.FAILED and case.expired
    assert AuditEvent.objects.for_record(case).filter(action="fail").count() == 1
    assert open_task_count(case) == 0
    assert (
        Task.objects.filter(process__unionprocess__isnull=False, flow_task=GrievanceFlow.mediate).get().status
        == STATUS.CANCELED
    )


def open_task_count(case):
    return engine.open_tasks_for(case).count()


def test_an_agreed_extension_moves_the_deadline_its_reminder_and_its_timer(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    case = services.case_extend(case=case, actor=fresh(mediator), days=10, reason="双方同意延期核对考勤")
    assert case.mediation_due == timezone.localdate() + datetime.timedelta(days=25)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=16)):
        assert fire_due_timers() == 0  # the old limit no longer applies
    with time_machine.travel(timezone.now() + datetime.timedelta(days=26)):
        assert fire_due_timers() == 1
    case.refresh_from_db()
    assert case.status == S.FAILED and case.expired


def test_extension_is_capped_and_only_the_mediator_may_extend(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    with pytest.raises(WorkflowError, match="1至15天"):
        services.case_extend(case=case, actor=fresh(mediator), days=16, reason="x")
    with pytest.raises(NotPermitted):
        services.case_extend(case=case, actor=fresh(tree.chair_a), days=5, reason="x")
    services.case_extend(case=case, actor=fresh(mediator), days=15, reason="双方同意")
    with pytest.raises(IllegalTransition, match="只能延长一次"):
        services.case_extend(case=case, actor=fresh(mediator), days=1, reason="再延")


def test_the_mediator_is_reminded_3_days_before_the_limit(tree, worker, mediator):
    accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=11)):
        assert send_deadline_reminders() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=13)):  # due at 23:59 of day 15
        assert send_deadline_reminders() == 1
    assert Notification.objects.filter(kind="reminder", recipient=mediator).count() == 1


def test_withdrawal_before_the_outcome_cancels_the_flow(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    with pytest.raises(WorkflowError):
        services.case_withdraw(case=case, actor=worker, reason=" ")
    with pytest.raises(NotPermitted):
        services.case_withdraw(case=case, actor=fresh(tree.committee_a), reason="代撤")
    case = services.case_withdraw(case=case, actor=worker, reason="已与单位自行和解")
    assert case.status == S.WITHDRAWN
    assert open_task_count(case) == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=20)):
        assert fire_due_timers() == 0  # the cancelled timer never fires


def test_no_withdrawal_after_the_outcome(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    case = conclude(case, mediator, **AGREEMENT)
    with pytest.raises(IllegalTransition):
        services.case_withdraw(case=case, actor=worker, reason="反悔")


def test_sessions_are_recorded_by_the_mediator_only_while_mediating(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    today = timezone.localdate()
    services.case_add_session(
        case=case, actor=fresh(mediator), held_on=today, attendees="孙工人、单位人事经理", notes="双方陈述"
    )
    with pytest.raises(NotPermitted):
        services.case_add_session(case=case, actor=fresh(tree.chair_a), held_on=today, attendees="x", notes="x")
    with pytest.raises(WorkflowError, match="不能晚于今天"):
        services.case_add_session(
            case=case, actor=fresh(mediator), held_on=today + datetime.timedelta(days=1), attendees="x", notes="x"
        )
    assert case.sessions.count() == 1


def test_a_closed_case_refuses_every_move(tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    case = conclude(case, mediator, outcome="fail", failure_reason="不同意", amount_agreed=None)
    for name, kwargs in [
        (
            "agree",
            {"on_date": timezone.localdate(), "amount": 1, "terms": "x", "performance_due": timezone.localdate()},
        ),
        ("extend", {"days": 1, "extension_reason": "x"}),
        ("accept", {"on_date": timezone.localdate(), "mediator": mediator, "mediation_due": timezone.localdate()}),
    ]:
        from workflows.transitions import run_transition

        with pytest.raises(IllegalTransition):
            run_transition(case, name, actor=fresh(mediator), **kwargs)
    case.refresh_from_db()
    assert case.status == S.FAILED


def test_a_union_worker_registers_an_oral_complaint_on_the_spot(tree, mediator):
    case = services.case_register(actor=fresh(mediator), **register_kwargs(tree, channel="visit", is_petition=True))
    assert case.channel == "visit" and case.applicant is None and case.created_by == mediator
    assert case.petition_reply_due == case.filed_on + datetime.timedelta(days=15)
    assert case.petition_conclude_due == case.filed_on + datetime.timedelta(days=60)


def test_registration_outside_the_workers_scope_is_refused(tree, mediator):
    with pytest.raises(NotPermitted):
        services.case_register(actor=fresh(mediator), **register_kwargs(tree, employer_unit=tree.employer_b))
    assert not GrievanceCase.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount_claimed": Decimal("-1")}, "标的额应为0至"),
        ({"amount_claimed": Decimal("1000000000")}, "标的额应为0至"),
        ({"workers_involved": 0}, "涉及职工人数应在1至"),
        ({"filed_on": datetime.date.today() + datetime.timedelta(days=1)}, "登记日期不能晚于今天"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tree, mediator, overrides, message):
    with pytest.raises(WorkflowError, match=message):
        services.case_register(actor=fresh(mediator), **register_kwargs(tree, **overrides))
    assert not GrievanceCase.objects.exists() and not AuditEvent.objects.exists()


def test_five_workers_make_a_collective_dispute_prioritised_and_told_to_the_chair(tree, mediator):
    case = services.case_register(actor=fresh(mediator), **register_kwargs(tree, workers_involved=5))
    assert case.is_collective
    task = open_task(case)
    assert task.process.unionprocess.title.startswith("【集体争议】")
    assert timezone.localtime(task.deadline.due_at).date() - case.filed_on <= datetime.timedelta(
        days=3
    )  # 1 working day
    assert set(
        Notification.objects.filter(title__startswith="集体争议").values_list("recipient__username", flat=True)
    ) == {
        "chair",
        "chair_a",
    }
    four = services.case_register(
        actor=fresh(mediator), **register_kwargs(tree, workers_involved=4, applicant_name="李某")
    )
    assert not four.is_collective


def test_the_same_dispute_filed_twice_is_linked_not_counted(tree, worker, mediator):
    first = services.case_file(actor=worker, **file_kwargs())
    second = services.case_file(actor=worker, **file_kwargs(facts="再次反映工资问题"))
    assert second.status == S.DUPLICATE and second.duplicate_of == first
    assert engine.open_tasks_for(second).count() == 0
    other_category = services.case_file(actor=worker, **file_kwargs(category="injury"))
    assert other_category.status == S.REGISTERED
    by_phone = services.case_register(actor=fresh(mediator), **register_kwargs(tree))
    again_by_phone = services.case_register(actor=fresh(mediator), **register_kwargs(tree, channel="visit"))
    assert by_phone.status == S.REGISTERED and again_by_phone.duplicate_of == by_phone


def test_a_dispute_may_be_filed_again_once_the_first_is_concluded(tree, worker, mediator):
    first = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    conclude(first, mediator, outcome="fail", failure_reason="不同意", amount_agreed=None)
    assert services.case_file(actor=worker, **file_kwargs()).status == S.REGISTERED


def test_a_petition_conclusion_limit_extends_once(tree, mediator):
    case = services.case_register(actor=fresh(mediator), **register_kwargs(tree, is_petition=True))
    services.case_extend_petition(case=case, actor=fresh(mediator), reason="案情复杂，需调查取证")
    assert case.petition_conclude_due == case.filed_on + datetime.timedelta(days=90) and case.status == S.REGISTERED
    with pytest.raises(IllegalTransition, match="只能延长一次"):
        services.case_extend_petition(case=case, actor=fresh(mediator), reason="再次延长")
    ordinary = services.case_register(actor=fresh(mediator), **register_kwargs(tree, applicant_name="非信访"))
    with pytest.raises(IllegalTransition):
        services.case_extend_petition(case=ordinary, actor=fresh(mediator), reason="x")
