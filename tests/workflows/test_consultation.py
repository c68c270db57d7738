"""加签: the holder asks a colleague's opinion before deciding; the step waits for the answer."""

import pytest
from django.urls import reverse

from tests.factories import fresh
from workflows import consultations, engine
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import AuditEvent, Consultation, MembershipApplication, Notification

pytestmark = pytest.mark.django_db
APPROVE = {"decision": "approve", "note": "同意"}


def actions(record):
    return list(AuditEvent.objects.for_record(record).values_list("action", flat=True))


def test_the_step_waits_for_the_opinion_and_the_answer_joins_the_record(tree, held, colleague):
    application, task = held
    consultations.consult(task=task, actor=fresh(tree.committee_a), consultant=fresh(colleague), question="是否属实？")
    task.refresh_from_db()
    assert task.data["consulting"] == 1
    assert Notification.objects.filter(recipient=colleague, title__contains="请您就").exists()
    with pytest.raises(WorkflowError, match="正在等待钱委员的意见"):
        engine.task_complete(task=task, actor=fresh(tree.committee_a), data=APPROVE)
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    consultation = Consultation.objects.get()
    consultations.answer(consultation=consultation, actor=fresh(colleague), text="经了解，情况属实。")
    assert Notification.objects.filter(recipient=tree.committee_a, title__contains="已就").exists()
    task.refresh_from_db()
    assert "consulting" not in task.data
    engine.task_complete(task=task, actor=fresh(tree.committee_a), data=APPROVE)
    assert actions(application) == ["submit", "consult", "consult_answer", "approve"]
    answer = AuditEvent.objects.for_record(application).get(action="consult_answer")
    assert answer.actor == colleague and "情况属实" in answer.reason


@pytest.mark.parametrize(
    ("asker", "consultant", "question", "error"),
    [
        ("colleague", "chair_a", "是否属实？", NotPermitted),  # not the holder
        ("committee_a", "committee_b", "是否属实？", WorkflowError),  # another union's member
        ("committee_a", "applicant_a", "是否属实？", WorkflowError),  # does not read the domain
        ("committee_a", "committee_a", "是否属实？", WorkflowError),  # oneself
        ("committee_a", "colleague", "  ", WorkflowError),  # no question
    ],
)
def test_a_consultation_is_refused_and_nothing_changes(tree, held, colleague, asker, consultant, question, error):
    application, task = held
    people = {"colleague": colleague}
    asker, consultant = people.get(asker) or getattr(tree, asker), people.get(consultant) or getattr(tree, consultant)
    with pytest.raises(error):
        consultations.consult(task=task, actor=fresh(asker), consultant=fresh(consultant), question=question)
    task.refresh_from_db()
    assert not Consultation.objects.exists() and "consulting" not in task.data and actions(application) == ["submit"]


def test_one_pending_request_per_colleague_and_the_holder_may_withdraw(tree, held, colleague):
    _application, task = held
    first = consultations.consult(task=task, actor=fresh(tree.committee_a), consultant=fresh(colleague), question="甲")
    with pytest.raises(WorkflowError, match="已在等待钱委员的意见"):
        consultations.consult(task=task, actor=fresh(tree.committee_a), consultant=fresh(colleague), question="乙")
    with pytest.raises(NotPermitted):
        consultations.answer(consultation=first, actor=fresh(tree.chair_a), text="不是问我的")
    with pytest.raises(NotPermitted):
        consultations.withdraw(consultation=first, actor=fresh(colleague))
    consultations.withdraw(consultation=first, actor=fresh(tree.committee_a))
    with pytest.raises(WorkflowError, match="已答复或已撤回"):
        consultations.answer(consultation=first, actor=fresh(colleague), text="晚了")
    task.refresh_from_db()
    engine.task_complete(task=task, actor=fresh(tree.committee_a), data=APPROVE)


def test_the_task_page_asks_and_answers(client, tree, held, colleague):
    application, task = held
    page_url = reverse("task_detail", args=[task.pk])
    client.force_login(tree.committee_a)
    assert "发出征求意见" in client.get(page_url).content.decode()
    consult_url = reverse("task_action", args=[task.pk, "consult"])
    page = client.post(consult_url, {"consultant": colleague.pk, "question": ""}, follow=True).content.decode()
    assert "请选择征求意见的同事并写明问题" in page and not Consultation.objects.exists()
    page = client.post(consult_url, {"consultant": colleague.pk, "question": "是否属实？"}, follow=True)
    assert "收到意见前本环节暂不能办理" in page.content.decode()
    page = client.post(page_url, APPROVE, follow=True).content.decode()
    assert "正在等待钱委员的意见" in page
    consultation = Consultation.objects.get()
    answer_url = reverse("consultation_action", args=[consultation.pk, "answer"])
    client.force_login(colleague)  # reads the domain: opens the task page, sees the question
    page = client.get(page_url).content.decode()
    assert "是否属实？" in page and "提交意见" in page and "发出征求意见" not in page
    page = client.post(answer_url, {"answer": ""}, follow=True).content.decode()
    assert "请填写您的意见" in page and Consultation.objects.get().pending
    client.force_login(tree.applicant_a)  # not theirs: not even confirmed
    assert client.post(answer_url, {"answer": "我同意"}).status_code == 404
    client.force_login(colleague)
    page = client.post(answer_url, {"answer": "情况属实。"}, follow=True).content.decode()
    assert "意见已提交" in page and "已答复" in page and "情况属实。" in page
    client.force_login(tree.committee_a)
    assert "已办结" in client.post(page_url, APPROVE, follow=True).content.decode()
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
