"""The membership flow end to end through the engine: the model every domain flow follows."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from tests.factories import fresh
from workflows import engine, services
from workflows.errors import AlreadyHandled, NotPermitted, WorkflowError
from workflows.flows import MembershipFlow
from workflows.models import AuditEvent, Member, MembershipApplication, Notification, TaskDeadline
from workflows.selectors import tasks_archive, tasks_claimable, tasks_inbox
from workflows.tasks import send_deadline_reminders

pytestmark = pytest.mark.django_db


def apply(tree, user=None):
    return services.membership_apply(actor=user or tree.applicant_a, statement="本人自愿加入工会，遵守工会章程。")


def review_task(application):
    return engine.open_tasks_for(application).get()


def test_application_puts_a_review_task_in_the_committees_queue(tree):
    application = apply(tree)
    task = review_task(application)
    assert task.flow_task == MembershipFlow.review
    assert task.process.unionprocess.org_unit == tree.a_branch
    assert list(tasks_claimable(fresh(tree.committee_a))) == [task]
    assert list(tasks_claimable(fresh(tree.chair))) == [task]  # the chair above reaches it too
    assert list(tasks_claimable(fresh(tree.committee_b))) == []  # another 基层工会 never sees it
    assert Member.objects.get(user=tree.applicant_a).membership == Member.Membership.APPLYING
    assert task.deadline.due_at > timezone.now() + timedelta(days=2)


def test_approval_makes_the_worker_a_member_and_finishes_the_process(tree):
    application = apply(tree)
    task = review_task(application)
    committee = fresh(tree.committee_a)
    engine.task_claim(task=task, actor=committee)
    assert list(tasks_inbox(committee)) == [task]
    engine.task_complete(task=task, actor=committee, data={"decision": "approve", "note": "同意"})

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    member = Member.objects.get(user=tree.applicant_a)
    assert member.membership == Member.Membership.MEMBER and member.joined_on == timezone.localdate()
    task.refresh_from_db()
    assert task.status == STATUS.DONE and list(tasks_archive(committee)) == [task]
    assert task.process.status == PROCESS.DONE  # the pending timeout boundary was cancelled with it
    actions = list(AuditEvent.objects.for_record(application).values_list("action", "actor__username"))
    assert actions == [("submit", "applicant_a"), ("approve", "committee_a")]


def test_rejection_is_recorded_with_its_reason(tree):
    application = apply(tree)
    task = review_task(application)
    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    engine.task_complete(task=task, actor=fresh(tree.committee_a), data={"decision": "reject", "note": "非本单位职工"})
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.REJECTED
    assert AuditEvent.objects.for_record(application).last().reason == "非本单位职工"
    assert Member.objects.get(user=tree.applicant_a).membership == Member.Membership.NON_MEMBER


def test_a_second_open_application_is_refused(tree):
    apply(tree)
    with pytest.raises(WorkflowError) as exc:
        apply(tree)
    assert "已有一份待审核" in exc.value.message
    assert MembershipApplication.objects.count() == 1


def test_a_member_cannot_apply_again(tree):
    with pytest.raises(WorkflowError, match="已是工会会员"):
        services.membership_apply(actor=tree.committee_a, statement="再次申请入会的说明文字")


def test_withdrawal_cancels_the_review(tree):
    application = apply(tree)
    task = review_task(application)
    services.membership_withdraw(application=application, actor=tree.applicant_a, reason="已调离本单位")
    task.refresh_from_db()
    assert application.status == MembershipApplication.Status.WITHDRAWN
    assert task.status == STATUS.CANCELED
    assert list(tasks_claimable(fresh(tree.committee_a))) == []


def test_only_the_applicant_may_withdraw(tree):
    application = apply(tree)
    with pytest.raises(NotPermitted):
        services.membership_withdraw(application=application, actor=tree.committee_a)
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_committee_of_another_union_cannot_claim_or_complete(tree):
    task = review_task(apply(tree))
    with pytest.raises(NotPermitted):
        engine.task_claim(task=task, actor=fresh(tree.committee_b))
    with pytest.raises(NotPermitted):
        engine.task_complete(task=task, actor=fresh(tree.committee_b), data={"decision": "approve"})
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None


def test_a_task_claimed_by_one_cannot_be_claimed_by_another(tree):
    task = review_task(apply(tree))
    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    with pytest.raises(AlreadyHandled, match="李委员"):
        engine.task_claim(task=task, actor=fresh(tree.chair_a))


def test_completing_a_finished_task_says_who_finished_it(tree):
    task = review_task(apply(tree))
    committee = fresh(tree.committee_a)
    engine.task_claim(task=task, actor=committee)
    engine.task_complete(task=task, actor=committee, data={"decision": "approve", "note": ""})
    with pytest.raises(AlreadyHandled, match="李委员"):
        engine.task_complete(task=task, actor=committee, data={"decision": "approve", "note": ""})
    assert AuditEvent.objects.filter(action="approve").count() == 1


def test_release_returns_the_task_to_the_queue(tree):
    task = review_task(apply(tree))
    committee = fresh(tree.committee_a)
    engine.task_claim(task=task, actor=committee)
    engine.task_release(task=task, actor=committee)
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    assert list(tasks_claimable(committee)) == [task]


def test_only_the_holder_or_the_chair_releases_a_claimed_task(client, tree):
    from tests.factories import grant, make_user
    from workflows.roles import Role

    colleague = grant(
        make_user("committee_a9", name="钱委员", unit=tree.a, employer=tree.employer_a), Role.COMMITTEE, tree.a
    )
    task = review_task(apply(tree))
    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    for other in (colleague, tree.committee_b):
        with pytest.raises(NotPermitted):
            engine.task_release(task=task, actor=fresh(other))
    client.force_login(colleague)
    assert client.post(f"/api/v1/tasks/{task.pk}/release/", content_type="application/json").status_code == 403
    client.force_login(tree.committee_b)
    assert client.post(f"/api/v1/tasks/{task.pk}/release/", content_type="application/json").status_code == 404
    task.refresh_from_db()
    assert task.owner == tree.committee_a
    engine.task_release(task=task, actor=fresh(tree.chair_a))  # the chair frees a task nobody works on
    task.refresh_from_db()
    assert task.owner is None


def test_the_chair_reassigns_to_someone_who_may_do_it(tree):
    task = review_task(apply(tree))
    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(tree.chair))
    task.refresh_from_db()
    assert task.owner == tree.chair
    assert Notification.objects.filter(recipient=tree.chair, kind="task").exists()
    with pytest.raises(NotPermitted):  # out of scope: a committee member of B may not review A's
        engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(tree.committee_b))
    with pytest.raises(NotPermitted):  # only a chair reassigns
        engine.task_reassign(task=task, actor=fresh(tree.committee_a), to_user=fresh(tree.committee_a))
    with pytest.raises(NotPermitted):  # a target without the step's role, checked by the engine itself
        engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(tree.applicant_a))


def test_bulk_completion_claims_and_approves_each_task(tree):
    first = review_task(apply(tree))
    second = review_task(apply(tree, tree.applicant_b))
    chair = fresh(tree.chair)
    result = engine.task_bulk_complete(tasks=[first, second], actor=chair)
    assert (result.done, result.failed) == ([first, second], [])
    assert set(MembershipApplication.objects.values_list("status", flat=True)) == {"approved"}


def test_review_timeout_fires_once_and_tells_the_chair(tree):
    application = apply(tree)
    task = review_task(application)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert fire_due_timers() == 0
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert fire_due_timers() == 1
        assert fire_due_timers() == 0  # a timer fires once, however often the sweep runs
    escalations = Notification.objects.filter(kind="escalation")
    assert set(escalations.values_list("recipient__username", flat=True)) == {"chair", "chair_a"}
    task.refresh_from_db()
    assert task.status == STATUS.NEW  # non-interrupting: the review stays open
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=2)):
        send_deadline_reminders()  # the sweep sees the same overdue task: the chair is not told twice
    assert escalations.count() == 2


def test_reminder_before_the_due_date_and_escalation_after_it_each_once(tree):
    task = review_task(apply(tree))
    committee = fresh(tree.committee_a)
    engine.task_claim(task=task, actor=committee)
    due = TaskDeadline.objects.get(task=task).due_at
    with time_machine.travel(due - timedelta(hours=12)):
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
    reminders = Notification.objects.filter(kind="reminder")
    assert list(reminders.values_list("recipient__username", flat=True)) == ["committee_a"]
    with time_machine.travel(due + timedelta(hours=1)):
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
    assert set(Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True)) == {
        "chair",
        "chair_a",
    }


def test_done_tasks_are_never_reminded(tree):
    task = review_task(apply(tree))
    committee = fresh(tree.committee_a)
    engine.task_claim(task=task, actor=committee)
    engine.task_complete(task=task, actor=committee, data={"decision": "approve", "note": ""})
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        assert send_deadline_reminders() == 0
    assert not Task.objects.filter(status=STATUS.ERROR).exists()


@pytest.mark.parametrize(
    ("decision", "title", "said"),
    [("approve", "入会申请已批准", "欢迎加入工会"), ("reject", "入会申请未获批准", "非本单位职工")],
)
def test_the_worker_is_told_of_the_decision(tree, decision, title, said, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(tree)
        task = review_task(application)
        engine.task_claim(task=task, actor=fresh(tree.committee_a))
        engine.task_complete(
            task=task, actor=fresh(tree.committee_a), data={"decision": decision, "note": "非本单位职工"}
        )
    [note] = Notification.objects.filter(recipient=tree.applicant_a, kind="info")
    assert note.title.startswith(title) and said in note.body and note.url == application.get_absolute_url()
