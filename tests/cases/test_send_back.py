"""退回 in grievance mediation: 调解 goes back to 受理审查 (only before any mediation happened),
through the engine, the task page and the API; the wrong person and a malformed body change
nothing.  (The engine's 退回: workflows.engine.task_send_back; aid and proposals: their own tests.)"""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases import services as case_services
from cases.flows import GrievanceFlow
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs
from tests.cases.test_case_flow import accept
from tests.factories import fresh
from workflows import consultations, engine
from workflows.errors import IllegalTransition, NotPermitted, WorkflowError
from workflows.models import AuditEvent, Notification, TaskDeadline

pytestmark = pytest.mark.django_db


def open_task(record, node):
    return engine.open_tasks_for(record).get(flow_task=node)


def events(record, action):
    return list(AuditEvent.objects.for_record(record).filter(action=action))


# -- cases: 调解 → 受理审查 ------------------------------------------------------------------------
@pytest.fixture
def mediating(tree, worker, mediator):
    return accept(case_services.case_file(actor=worker, **file_kwargs()), tree.committee_a, mediator)


def test_a_mediator_sends_a_case_back_to_review_and_the_acceptance_is_made_again(tree, mediating, mediator):
    case = mediating
    mediate = open_task(case, GrievanceFlow.mediate)
    assert [n.name for n in engine.send_back_targets(mediate)] == ["review"]

    again = engine.task_send_back(
        task=mediate, actor=fresh(mediator), to="review", reason="双方均在乙公司，应由乙公司工会受理"
    )

    case.refresh_from_db()
    assert case.status == GrievanceCase.Status.REGISTERED
    assert (case.mediator, case.accepted_on, case.mediation_due) == (None, None, None)
    mediate.refresh_from_db()
    assert mediate.status == STATUS.CANCELED
    # the deadline timer of the mediation died with it: nothing will expire this case
    assert (
        not Task.objects.filter(process_id=mediate.process_id, flow_task_type="TIMER")
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
        .exists()
    )
    # the review is made again and given back to whoever accepted it, who is told why
    assert again.flow_task == GrievanceFlow.review and again.owner == tree.committee_a
    assert again.status == STATUS.ASSIGNED
    note = Notification.objects.get(recipient=tree.committee_a, title__startswith="退回待办")
    assert "从“调解”退回“受理审查”" in note.body and "应由乙公司工会受理" in note.body
    [event] = events(case, "send_back_to_review")
    assert event.actor == mediator and event.action_label == "退回受理审查"
    assert event.reason == "双方均在乙公司，应由乙公司工会受理"
    # a returned step has at least the time it had the first time, even past the filing's limit
    assert TaskDeadline.objects.get(task=again).due_at > timezone.now()

    # and the flow goes on from there: accepted again, with a fresh 15-day limit
    engine.task_complete(
        task=again, actor=fresh(tree.committee_a), data={"decision": "accept", "mediator": mediator, "note": ""}
    )
    case.refresh_from_db()
    assert case.status == GrievanceCase.Status.MEDIATING and case.mediator == mediator
    assert open_task(case, GrievanceFlow.mediate).owner == mediator


def test_a_case_is_not_sent_back_once_mediation_began(tree, mediating, mediator):
    case = mediating
    case_services.case_add_session(
        case=case, actor=fresh(mediator), held_on=timezone.localdate(), attendees="双方", notes="第一次调解。"
    )
    mediate = open_task(case, GrievanceFlow.mediate)
    assert engine.send_back_targets(mediate) == []  # not offered
    with pytest.raises(WorkflowError, match="已记录调解过程"):
        engine.task_send_back(task=mediate, actor=fresh(mediator), to="review", reason="重新审查")
    mediate.refresh_from_db()
    case.refresh_from_db()
    assert mediate.status == STATUS.ASSIGNED and case.status == GrievanceCase.Status.MEDIATING
    assert events(case, "send_back_to_review") == []


@pytest.mark.parametrize(
    ("who", "to", "reason", "error"),
    [
        ("committee_a", "review", "理由", NotPermitted),  # may open it, does not hold it
        ("mediator", "review", "  ", WorkflowError),  # no reason
        ("mediator", "follow_up", "理由", IllegalTransition),  # not an earlier step of this one
        ("mediator", "mediate", "理由", IllegalTransition),  # itself
        ("mediator", "__class__", "理由", IllegalTransition),
    ],
)
def test_a_send_back_is_refused_and_changes_nothing(tree, mediating, mediator, who, to, reason, error):
    case = mediating
    mediate = open_task(case, GrievanceFlow.mediate)
    actor = mediator if who == "mediator" else getattr(tree, who)
    with pytest.raises(error):
        engine.task_send_back(task=mediate, actor=fresh(actor), to=to, reason=reason)
    mediate.refresh_from_db()
    case.refresh_from_db()
    assert mediate.status == STATUS.ASSIGNED and case.status == GrievanceCase.Status.MEDIATING
    assert engine.open_tasks_for(case).count() == 1


def test_a_pending_consultation_holds_the_send_back(tree, mediating, mediator):
    mediate = open_task(mediating, GrievanceFlow.mediate)
    consultations.consult(task=mediate, actor=fresh(mediator), consultant=fresh(tree.chair_a), question="可否退回？")
    mediate.refresh_from_db()
    with pytest.raises(WorkflowError, match="等待"):
        engine.task_send_back(task=mediate, actor=fresh(mediator), to="review", reason="重新审查")
    mediate.refresh_from_db()
    assert mediate.status == STATUS.ASSIGNED


def test_a_step_not_yet_passed_is_not_offered(tree, worker):
    case = case_services.case_file(actor=worker, **file_kwargs())
    review_task = open_task(case, GrievanceFlow.review)
    assert engine.send_back_targets(review_task) == []


# -- the doors: the task page and the API -----------------------------------------------------------
def test_the_task_page_offers_send_back_to_its_holder_and_does_it(client, tree, mediating, mediator):
    mediate = open_task(mediating, GrievanceFlow.mediate)
    url = reverse("task_detail", args=[mediate.pk])
    client.force_login(tree.chair_a)  # may open it, does not hold it
    assert "确认退回" not in client.get(url).content.decode()
    client.force_login(mediator)
    page = client.get(url).content.decode()
    assert "确认退回" in page and "受理审查" in page

    door = reverse("task_action", args=[mediate.pk, "send_back"])
    for body in (
        {},
        {"to": "review"},
        {"to": "review", "reason": "  "},
        {"to": "nowhere", "reason": "x"},
        {"to": "review", "reason": "x" * 501},
    ):
        page = client.post(door, body, follow=True).content.decode()
        assert "请选择退回到哪个环节" in page, body
    assert GrievanceCase.objects.get(pk=mediating.pk).status == GrievanceCase.Status.MEDIATING

    client.force_login(tree.chair_a)
    page = client.post(door, {"to": "review", "reason": "x"}, follow=True).content.decode()
    assert "只有任务的当前办理人可以退回" in page
    assert GrievanceCase.objects.get(pk=mediating.pk).status == GrievanceCase.Status.MEDIATING

    client.force_login(mediator)
    page = client.post(door, {"to": "review", "reason": "应由乙公司工会受理"}, follow=True).content.decode()
    assert "已退回“受理审查”" in page
    assert GrievanceCase.objects.get(pk=mediating.pk).status == GrievanceCase.Status.REGISTERED
    # the record's timeline says who sent it back and why
    client.force_login(tree.committee_a)
    detail = client.get(mediating.get_absolute_url()).content.decode()
    assert "退回受理审查" in detail and "应由乙公司工会受理" in detail
    # the old task's page says it is over
    client.force_login(mediator)
    assert "该任务已取消" in client.get(url).content.decode()


def test_the_api_lists_the_steps_and_sends_back(client, tree, mediating, mediator):
    mediate = open_task(mediating, GrievanceFlow.mediate)
    client.force_login(mediator)
    detail = client.get(f"/api/v1/tasks/{mediate.pk}/").json()
    assert detail["send_back_to"] == [{"step": "review", "title": "受理审查"}]
    door = f"/api/v1/tasks/{mediate.pk}/send-back/"
    for body in (
        "{",
        json.dumps([]),
        json.dumps({"to": "review"}),
        json.dumps({"to": "x" * 61, "reason": "r"}),
        json.dumps({"to": "follow_up", "reason": "r"}),
    ):
        response = client.post(door, body, content_type="application/json")
        assert response.status_code in (400, 409), (body, response.status_code)
    client.force_login(tree.chair_a)
    assert client.post(door, {"to": "review", "reason": "r"}, content_type="application/json").status_code == 403
    assert GrievanceCase.objects.get(pk=mediating.pk).status == GrievanceCase.Status.MEDIATING

    client.force_login(mediator)
    response = client.post(door, {"to": "review", "reason": "应由乙公司工会受理"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["title"].startswith("受理审查") or "受理" in response.json()["title"]
    assert GrievanceCase.objects.get(pk=mediating.pk).status == GrievanceCase.Status.REGISTERED


def test_a_returned_task_keeps_its_time_when_its_first_limit_has_passed(tree, worker, mediator):
    case = case_services.case_file(actor=worker, **file_kwargs())
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        accept(case, tree.committee_a, mediator)
        mediate = open_task(case, GrievanceFlow.mediate)
        again = engine.task_send_back(task=mediate, actor=fresh(mediator), to="review", reason="重新审查")
        assert TaskDeadline.objects.get(task=again).due_at > timezone.now() + datetime.timedelta(days=2)
