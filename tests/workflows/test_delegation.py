"""代理: a member away names a deputy; their tasks go to the deputy, done as 代…办理."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import fresh, grant, make_user
from workflows import delegations, engine, services
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import AuditEvent, DelegatedTask, Delegation, Member, Notification
from workflows.roles import Role
from workflows.tasks import apply_delegations

pytestmark = pytest.mark.django_db


def apply(tree, user=None):
    return services.membership_apply(actor=user or tree.applicant_a, statement="本人自愿加入工会，遵守工会章程。")


def today():
    return timezone.localdate()


def delegate(tree, deputy, start=None, end=None, **kwargs):
    start = start or today()
    return delegations.delegation_create(
        principal=fresh(tree.committee_a),
        deputy=fresh(deputy),
        starts_on=start,
        ends_on=end or start + timedelta(7),
        **kwargs,
    )


def test_from_the_first_day_the_tasks_go_to_the_deputy_and_are_done_for_the_member(tree, held, colleague):
    application, task = held
    delegation = delegate(tree, colleague, note="年休假")
    task.refresh_from_db()
    assert task.owner == colleague and task.data["acting_for"]["name"] == "李委员"
    assert DelegatedTask.objects.get(task=task).delegation == delegation
    delegation.refresh_from_db()
    assert delegation.applied_at is not None
    [moved] = AuditEvent.objects.for_record(application).filter(action="delegate")
    assert "李委员不在岗" in moved.reason and "由钱委员代理办理" in moved.reason
    member_event = AuditEvent.objects.for_record(Member.objects.get(user=tree.committee_a)).get(action="delegate")
    assert "钱委员代理李委员" in member_event.reason and member_event.reason.endswith("年休假")
    assert Notification.objects.filter(recipient=colleague, title__contains="代理李委员的1项待办").exists()

    engine.task_complete(task=task, actor=fresh(colleague), data={"decision": "approve", "note": "同意"})
    approve = AuditEvent.objects.for_record(application).get(action="approve")
    assert approve.actor == colleague and "代李委员办理" in approve.reason


def test_nobody_reassigns_or_transfers_to_the_member_away(tree, held, colleague):
    _application, task = held
    delegate(tree, colleague)
    task.refresh_from_db()
    with pytest.raises(WorkflowError, match="李委员休假中.*请转交给钱委员"):
        engine.task_transfer(task=task, actor=fresh(colleague), to_user=fresh(tree.committee_a))
    with pytest.raises(WorkflowError, match="请改派给钱委员"):
        engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(tree.committee_a))
    task.refresh_from_db()
    assert task.owner == colleague


def test_a_delegated_task_handed_on_is_no_longer_done_for_the_member(tree, held, colleague):
    application, task = held
    delegate(tree, colleague)
    task.refresh_from_db()
    engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(tree.chair))
    task.refresh_from_db()
    assert "acting_for" not in task.data
    engine.task_complete(task=task, actor=fresh(tree.chair), data={"decision": "approve", "note": "同意"})
    assert "代李委员" not in AuditEvent.objects.for_record(application).get(action="approve").reason


def test_a_future_delegation_applies_on_its_first_day(tree, held, colleague):
    _application, task = held
    delegation = delegate(tree, colleague, start=today() + timedelta(days=3))
    task.refresh_from_db()
    assert task.owner == tree.committee_a and apply_delegations() == 0
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert apply_delegations() == 1
        assert apply_delegations() == 0  # once
    task.refresh_from_db()
    delegation.refresh_from_db()
    assert task.owner == colleague and delegation.applied_at is not None


def test_tasks_the_deputy_may_not_do_stay_and_the_member_is_told(tree, colleague):
    both = grant(
        grant(make_user("committee_ab", name="孙委员", unit=tree.a, employer=tree.employer_a), Role.COMMITTEE, tree.a),
        Role.COMMITTEE,
        tree.b,
    )
    in_a = engine.open_tasks_for(apply(tree)).get()
    in_b = engine.open_tasks_for(apply(tree, tree.applicant_b)).get()
    for task in (in_a, in_b):
        engine.task_claim(task=task, actor=fresh(both))
    delegation = delegations.delegation_create(
        principal=fresh(both), deputy=fresh(colleague), starts_on=today(), ends_on=today()
    )
    in_a.refresh_from_db()
    in_b.refresh_from_db()
    assert in_a.owner == colleague and in_b.owner == both  # 钱委员 has no role in 乙
    assert list(delegation.moves.values_list("task", flat=True)) == [in_a.pk]
    assert Notification.objects.filter(recipient=both, title__contains="1项待办未转给代理人").exists()


@pytest.mark.parametrize(
    ("deputy", "start", "end", "message"),
    [
        ("committee_b", 0, 3, "须在同一单位担任您的职务之一"),
        ("applicant_a", 0, 3, "须在同一单位担任您的职务之一"),
        ("committee_a", 0, 3, "须在同一单位担任您的职务之一"),
        ("colleague", 3, 1, "结束日期不能早于开始日期"),
        ("colleague", -5, -1, "结束日期已过"),
        ("colleague", 0, 100, "不能超过92天"),
    ],
)
def test_a_delegation_is_refused_with_its_reason_and_nothing_changes(
    tree, held, colleague, deputy, start, end, message
):
    _application, task = held
    deputy = colleague if deputy == "colleague" else getattr(tree, deputy)
    with pytest.raises(WorkflowError, match=message):
        delegate(tree, deputy, start=today() + timedelta(start), end=today() + timedelta(end))
    task.refresh_from_db()
    assert task.owner == tree.committee_a and not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(action="delegate").exists()


def test_one_delegation_at_a_time_and_no_deputy_who_is_away_too(tree, colleague):
    third = grant(
        make_user("committee_a3", name="吴委员", unit=tree.a, employer=tree.employer_a), Role.COMMITTEE, tree.a
    )
    delegate(tree, colleague, start=today() + timedelta(2), end=today() + timedelta(5))
    with pytest.raises(WorkflowError, match="期间不能重复设置"):
        delegate(tree, third, start=today() + timedelta(4), end=today() + timedelta(9))
    delegations.delegation_create(
        principal=fresh(third),
        deputy=fresh(tree.committee_a),
        starts_on=today() + timedelta(20),
        ends_on=today() + timedelta(22),
    )
    with pytest.raises(WorkflowError, match="吴委员在此期间也不在岗"):
        delegate(tree, third, start=today() + timedelta(21), end=today() + timedelta(25))
    assert Delegation.objects.count() == 2


def test_an_employee_without_a_role_has_no_one_to_name(tree, colleague):
    with pytest.raises(NotPermitted):
        delegations.delegation_create(
            principal=fresh(tree.applicant_a), deputy=fresh(colleague), starts_on=today(), ends_on=today()
        )


def test_the_member_cancels_and_the_moved_tasks_stay(tree, held, colleague):
    _application, task = held
    delegation = delegate(tree, colleague)
    with pytest.raises(NotPermitted):
        delegations.delegation_cancel(delegation=delegation, actor=fresh(colleague))
    delegations.delegation_cancel(delegation=delegation, actor=fresh(tree.committee_a))
    with pytest.raises(WorkflowError, match="已结束或已取消"):
        delegations.delegation_cancel(delegation=delegation, actor=fresh(tree.committee_a))
    task.refresh_from_db()
    assert task.owner == colleague
    engine.task_transfer(task=task, actor=fresh(colleague), to_user=fresh(tree.committee_a))  # back again
    task.refresh_from_db()
    assert task.owner == tree.committee_a and "acting_for" not in task.data


def test_the_delegation_page(client, tree, held, colleague):
    _application, task = held
    url = reverse("delegation")
    client.force_login(tree.committee_a)
    page = client.get(url).content.decode()
    assert "设置代理" in page and "钱委员" in page and 'type="date"' in page and "尚未设置代理" in page
    bad = {"deputy": colleague.pk, "starts_on": "2026-13-01", "ends_on": "x"}
    page = client.post(url, bad).content.decode()
    assert "errorlist" in page and not Delegation.objects.exists()
    past = {"deputy": colleague.pk, "starts_on": "2020-01-01", "ends_on": "2020-01-02"}
    assert "结束日期已过" in client.post(url, past).content.decode()
    assert "有效的选项" in client.post(url, {**past, "deputy": tree.committee_b.pk}).content.decode()
    good = {"deputy": colleague.pk, "starts_on": today().isoformat(), "ends_on": (today() + timedelta(3)).isoformat()}
    page = client.post(url, good, follow=True).content.decode()
    assert "已委托钱委员代理" in page and "1项待办已转给代理人" in page and "生效中" in page
    delegation = Delegation.objects.get()
    client.force_login(colleague)
    assert "您正在代理李委员" in client.get(url).content.decode()
    assert "代李委员办理" in client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert client.post(reverse("delegation_cancel", args=[delegation.pk])).status_code == 404  # not theirs
    client.force_login(tree.committee_a)
    page = client.post(reverse("delegation_cancel", args=[delegation.pk]), follow=True).content.decode()
    assert "已取消代理" in page and "已取消" in page
    client.force_login(tree.applicant_a)
    assert "无法设置代理" in client.get(url).content.decode()
