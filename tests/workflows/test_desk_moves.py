"""转交 by the holder, 改派 in the record's timeline, 催办 by hand, and 当前环节 links that lead somewhere."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import fresh, grant, make_user
from workflows import engine, services
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import AuditEvent, Notification, TaskDeadline
from workflows.roles import Role

pytestmark = pytest.mark.django_db


def apply(tree):
    return services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守工会章程。")


def review_task(application):
    return engine.open_tasks_for(application).get()


def events(record, action):
    return list(AuditEvent.objects.for_record(record).filter(action=action))


# -- 转交 -------------------------------------------------------------------------------------------
def test_the_holder_transfers_to_a_colleague_who_may_do_the_step(tree, held, colleague):
    application, task = held
    engine.task_transfer(task=task, actor=fresh(tree.committee_a), to_user=fresh(colleague), note="我本周出差")
    task.refresh_from_db()
    assert task.owner == colleague
    [event] = events(application, "transfer")
    assert event.actor == tree.committee_a and event.action_label == "转交"
    assert "由李委员转交给钱委员" in event.reason and event.reason.endswith("我本周出差")
    note = Notification.objects.get(recipient=colleague, kind="task")
    assert note.title.startswith("转交给您的待办") and "我本周出差" in note.body


@pytest.mark.parametrize(
    ("actor", "target", "why"),
    [
        ("colleague", "colleague", "not the holder"),
        ("chair_a", "colleague", "the chair reassigns, the holder transfers"),
        ("committee_a", "applicant_a", "no role for the step"),
        ("committee_a", "committee_b", "out of scope"),
        ("committee_a", "committee_a", "to oneself"),
    ],
)
def test_a_transfer_is_refused_and_changes_nothing(tree, held, colleague, actor, target, why):
    application, task = held
    people = {"colleague": colleague}
    actor, target = people.get(actor) or getattr(tree, actor), people.get(target) or getattr(tree, target)
    with pytest.raises(WorkflowError):
        engine.task_transfer(task=task, actor=fresh(actor), to_user=fresh(target))
    task.refresh_from_db()
    assert task.owner == tree.committee_a, why
    assert events(application, "transfer") == []
    assert not Notification.objects.filter(title__startswith="转交").exists()


def test_an_unclaimed_task_is_claimed_before_it_is_transferred(tree, colleague):
    task = review_task(apply(tree))
    with pytest.raises(NotPermitted):
        engine.task_transfer(task=task, actor=fresh(tree.committee_a), to_user=fresh(colleague))
    task.refresh_from_db()
    assert task.owner is None


def test_the_candidates_are_the_colleagues_with_the_step_in_scope(tree, held, colleague):
    _application, task = held
    candidates = set(engine.task_transfer_candidates(task, fresh(tree.committee_a)))
    assert colleague in candidates
    assert tree.committee_a not in candidates and tree.applicant_a not in candidates
    assert tree.committee_b not in candidates


def test_the_task_page_offers_transfer_to_its_holder_only(client, tree, held, colleague):
    _application, task = held
    url = reverse("task_detail", args=[task.pk])
    client.force_login(tree.committee_a)
    page = client.get(url).content.decode()
    assert "确认转交" in page and "钱委员" in page
    client.force_login(colleague)
    assert "确认转交" not in client.get(url).content.decode()


def test_the_transfer_door_refuses_the_wrong_person_and_a_malformed_body(client, tree, held, colleague):
    _application, task = held
    url = reverse("task_action", args=[task.pk, "transfer"])
    client.force_login(colleague)  # may open the task, does not hold it
    page = client.post(url, {"to_user": colleague.pk}, follow=True).content.decode()
    assert "只有任务的当前办理人可以转交" in page
    client.force_login(tree.committee_a)
    for body in (
        {"to_user": "abc"},
        {"to_user": tree.applicant_a.pk},
        {},
        {"to_user": colleague.pk, "note": "x" * 201},
    ):
        page = client.post(url, body, follow=True).content.decode()
        assert "请选择有权办理该环节的同事" in page, body
    task.refresh_from_db()
    assert task.owner == tree.committee_a
    response = client.post(url, {"to_user": colleague.pk, "note": "请代办"}, follow=True)
    assert "已转交给钱委员" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("task_list", args=["inbox"])
    task.refresh_from_db()
    assert task.owner == colleague


def test_the_api_transfers_and_refuses_as_the_page_does(client, tree, held, colleague):
    _application, task = held
    url = f"/api/v1/tasks/{task.pk}/transfer/"
    client.force_login(colleague)
    assert client.post(url, {"user": colleague.pk}, content_type="application/json").status_code == 403
    client.force_login(tree.committee_a)
    assert client.post(url, {"user": "x"}, content_type="application/json").status_code == 400
    assert client.post(url, {"user": tree.applicant_a.pk}, content_type="application/json").status_code == 400
    assert client.post(url, "[", content_type="application/json").status_code == 400
    response = client.post(url, {"user": colleague.pk, "note": "请代办"}, content_type="application/json")
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.owner == colleague


# -- 改派 is in the timeline too -------------------------------------------------------------------
def test_a_reassignment_joins_the_records_timeline(client, tree, held):
    application, task = held
    engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(tree.chair))
    [event] = events(application, "reassign")
    assert event.actor == tree.chair_a and "由李委员改派给" in event.reason
    client.force_login(tree.chair_a)
    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "改派" in page and "由李委员改派给" in page


def test_a_refused_reassignment_leaves_no_trace(tree, held):
    application, task = held
    with pytest.raises(NotPermitted):
        engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(tree.applicant_a))
    assert events(application, "reassign") == []


# -- 催办 by hand ----------------------------------------------------------------------------------
def test_the_applicant_urges_the_holder_once_a_day(tree, held):
    application, task = held
    sent = engine.record_urge(record=application, actor=fresh(tree.applicant_a), note="家里急用")
    assert [n.recipient for n in sent] == [tree.committee_a]
    assert sent[0].title.startswith("催办：") and "家里急用" in sent[0].body and sent[0].url.endswith(f"/{task.pk}/")
    [event] = events(application, "urge")
    assert event.actor == tree.applicant_a and event.action_label == "催办"
    with pytest.raises(WorkflowError, match="每天可催办一次"):
        engine.record_urge(record=application, actor=fresh(tree.applicant_a))
    assert len(events(application, "urge")) == 1
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert engine.record_urge(record=application, actor=fresh(tree.applicant_a))
    assert len(events(application, "urge")) == 2


def test_an_unclaimed_step_is_urged_to_those_who_may_claim_it(tree, colleague):
    application = apply(tree)
    sent = engine.record_urge(record=application, actor=fresh(tree.chair_a))  # a supervisor in scope
    recipients = {n.recipient for n in sent}
    assert {tree.committee_a, colleague} <= recipients and tree.committee_b not in recipients


def test_an_overdue_step_is_urged_with_the_days_it_is_late(tree, held):
    application, task = held
    TaskDeadline.objects.filter(task=task).update(due_at=timezone.now() - timedelta(days=3, hours=1))
    [note] = engine.record_urge(record=application, actor=fresh(tree.applicant_a))
    assert "已逾期3天" in note.title
    assert "已逾期3天" in events(application, "urge")[0].reason


@pytest.mark.parametrize("who", ["committee_a", "committee_b", "applicant_b", "chair_b"])
def test_only_the_filer_and_a_supervisor_in_scope_urge(tree, held, who):
    application, _task = held
    user = getattr(tree, who, None) or make_user("chair_b9", name="乙主席", unit=tree.b, employer=tree.employer_b)
    if who == "chair_b":
        grant(user, Role.CHAIR, tree.b)
    with pytest.raises(NotPermitted):
        engine.record_urge(record=application, actor=fresh(user))
    assert events(application, "urge") == [] and not Notification.objects.filter(kind="reminder").exists()


def test_nothing_open_nothing_to_urge(tree, held):
    application, task = held
    engine.task_complete(task=task, actor=fresh(tree.committee_a), data={"decision": "approve", "note": "同意"})
    with pytest.raises(WorkflowError, match="无需催办"):
        engine.record_urge(record=application, actor=fresh(tree.applicant_a))


def test_the_urge_door_on_the_record_page(client, tree, held):
    application, _task = held
    page_url = reverse("membership_detail", args=[application.pk])
    url = reverse("record_urge", args=[application._meta.label_lower, application.pk])
    client.force_login(tree.applicant_a)
    assert "发送催办" in client.get(page_url).content.decode()
    page = client.post(url, {"note": "谢谢"}, follow=True).content.decode()
    assert "已催办，已提醒1位办理人" in page
    page = client.post(url, {"note": "谢谢"}, follow=True).content.decode()
    assert "每天可催办一次" in page
    assert client.post(url, {"note": "x" * 201}, follow=True).status_code == 200
    assert len(events(application, "urge")) == 1
    client.force_login(tree.applicant_b)  # not theirs: not even confirmed
    assert client.post(url, {}).status_code == 404
    assert client.post(reverse("record_urge", args=["auth.user", tree.applicant_a.pk]), {}).status_code == 404
    assert client.post(reverse("record_urge", args=["nope", 1]), {}).status_code == 404
    client.force_login(tree.committee_a)  # the holder reads the record but does not urge themself
    assert "发送催办" not in client.get(page_url).content.decode()
    assert client.post(url, {}).status_code == 404


def test_a_late_automatic_reminder_says_how_late(tree, held):
    _application, task = held
    TaskDeadline.objects.filter(task=task).update(due_at=timezone.now() - timedelta(days=2, hours=1))
    task = type(task).objects.select_related("deadline").get(pk=task.pk)
    [note] = engine.task_remind(task)
    assert "已逾期2天" in note.title and "到期" not in note.title


# -- 当前环节 leads somewhere ---------------------------------------------------------------------
def test_the_current_step_is_a_link_only_for_those_who_may_open_it(client, tree, held):
    application, task = held
    link = f'href="{reverse("task_detail", args=[task.pk])}"'
    page_url = reverse("membership_detail", args=[application.pk])
    client.force_login(tree.applicant_a)
    page = client.get(page_url).content.decode()
    assert str(task.title) in page and link not in page
    assert client.get(reverse("task_detail", args=[task.pk])).status_code == 404  # why there is no link
    client.force_login(tree.committee_a)
    assert link in client.get(page_url).content.decode()


# -- after completing, the next task ---------------------------------------------------------------
def test_after_completing_the_page_offers_the_next_task_and_the_list(client, tree):
    first = review_task(apply(tree))
    second = review_task(services.membership_apply(actor=tree.applicant_b, statement="本人自愿加入工会。"))
    for task in (first, second):
        engine.task_claim(task=task, actor=fresh(tree.chair))  # the chair above reaches both unions
    client.force_login(tree.chair)
    response = client.post(
        reverse("task_detail", args=[first.pk]), {"decision": "approve", "note": "同意"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("task_list", args=["inbox"])  # the way back: the list
    assert "已办结" in page and f'下一项：<a href="{reverse("task_detail", args=[second.pk])}">' in page
    page = client.post(reverse("task_detail", args=[second.pk]), {"decision": "approve", "note": "同意"}, follow=True)
    assert "待办已全部办完" in page.content.decode()
