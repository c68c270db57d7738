"""A task the flow gives to one named person (the proposer's 评价, the applicant's 补正, the case's
mediator) stays that person's: nobody reassigns it, claims it or releases it, at any door."""

import pytest
from django.urls import reverse

from proposals.flows import ProposalFlow
from proposals.models import Proposal
from tests.factories import fresh, grant
from tests.proposals.test_proposal_flow import answer, handled, rate, task_of
from workflows import engine
from workflows.errors import PersonBoundTask
from workflows.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(tree, congress, people, departments):
    grant(people["rep2"], Role.REPRESENTATIVE, tree.a)  # holds the step's role: a candidate on role alone
    proposal = answer(handled(congress, people, departments), people["lead"])
    return task_of(proposal, ProposalFlow.feedback)


def test_the_chair_cannot_reassign_the_proposers_rating(tree, people, feedback):
    with pytest.raises(PersonBoundTask) as refused:
        engine.task_reassign(task=feedback, actor=fresh(tree.chair_a), to_user=fresh(people["rep2"]))
    assert refused.value.status_code == 409 and "周代表本人办理" in refused.value.message
    feedback.refresh_from_db()
    assert feedback.owner == people["proposer"]
    rate(feedback.process.unionprocess.artifact, people["proposer"], "satisfied")  # not stuck


def test_the_rating_is_neither_released_nor_claimed_by_anyone_else(tree, people, feedback):
    for actor in (people["proposer"], tree.chair_a):
        with pytest.raises(PersonBoundTask):
            engine.task_release(task=feedback, actor=fresh(actor))
    with pytest.raises(PersonBoundTask):
        engine.task_claim(task=feedback, actor=fresh(people["rep2"]))
    feedback.refresh_from_db()
    assert feedback.owner == people["proposer"] and feedback.status == "ASSIGNED"


def test_the_api_refuses_the_reassignment_with_409_and_the_reason(client, tree, people, feedback):
    client.force_login(tree.chair_a)
    url = f"/api/v1/tasks/{feedback.pk}/reassign/"
    response = client.post(url, {"user": people["rep2"].pk}, content_type="application/json")
    assert response.status_code == 409 and "本人办理" in response.json()["message"]
    response = client.post(f"/api/v1/tasks/{feedback.pk}/release/", content_type="application/json")
    assert response.status_code == 409
    feedback.refresh_from_db()
    assert feedback.owner == people["proposer"]


def test_the_page_offers_no_reassignment_and_refuses_a_forged_one(client, tree, people, feedback):
    client.force_login(tree.chair_a)
    page = client.get(reverse("task_detail", args=[feedback.pk]))
    assert page.status_code == 200 and "改派给" not in page.content.decode()
    response = client.post(
        reverse("task_action", args=[feedback.pk, "reassign"]), {"to_user": people["rep2"].pk}, follow=True
    )
    assert "本人办理" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.owner == people["proposer"]


def test_a_rating_given_to_someone_else_before_this_rule_goes_back_to_the_proposer(tree, people, feedback):
    from viewflow.workflow.models import Task

    Task.objects.filter(pk=feedback.pk).update(owner=people["rep2"])  # what the old reassignment did
    feedback.refresh_from_db()
    assert list(engine.task_reassign_candidates(feedback)) == [people["proposer"]]
    engine.task_reassign(task=feedback, actor=fresh(tree.chair_a), to_user=fresh(people["proposer"]))
    proposal = rate(feedback.process.unionprocess.artifact, people["proposer"], "satisfied")
    assert proposal.status == Proposal.Status.ARCHIVED


def test_the_lead_departments_answer_is_not_reassigned_to_another_department(tree, congress, people, departments):
    proposal = handled(congress, people, departments)
    task = task_of(proposal, ProposalFlow.answer)
    with pytest.raises(PersonBoundTask):
        engine.task_reassign(task=task, actor=fresh(tree.chair_a), to_user=fresh(people["co"]))
    task.refresh_from_db()
    assert task.owner == people["lead"]


def test_an_overdue_rating_is_escalated_without_suggesting_a_reassignment(tree, people, feedback):
    from workflows.models import Notification

    engine.task_escalate(feedback)
    body = Notification.objects.get(kind="escalation", recipient=tree.chair_a).body
    assert "请督促办理" in body and "改派" not in body


def test_a_co_departments_answer_in_a_closed_period_is_refused(tree, congress, people, departments):
    """协办意见 changes no status, so only the queue's own period check stops it."""
    from django.utils import timezone

    from proposals.models import CoAnswer
    from workflows import services as core_services
    from workflows.errors import PeriodClosed
    from workflows.models import Period
    from workflows.selectors import tasks_inbox

    from .test_proposal_flow import review, submitted

    review(
        submitted(congress, people),
        people,
        decision="accept",
        lead=departments["lead"],
        co_departments=[departments["co"]],
        answer_due=timezone.localdate(),
    )
    today = timezone.localdate()
    period = Period.objects.create(org_unit=tree.top, year=today.year, kind="H1" if today.month <= 6 else "H2")
    core_services.period_start_closing(period=period, actor=fresh(tree.chair))
    co_task = tasks_inbox(fresh(people["co"])).get()
    with pytest.raises(PeriodClosed):
        engine.task_complete(task=co_task, actor=fresh(people["co"]), data={"text": "后勤部意见"})
    assert not CoAnswer.objects.exists()
