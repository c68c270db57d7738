"""退回 in proposals: the lead department sends 答复提案 back to 提案审查 (before any
co-department contributed); the committee assigns it again."""

import pytest

from proposals.flows import ProposalFlow
from proposals.models import Proposal
from tests.factories import fresh
from tests.proposals.conftest import submitted
from tests.proposals.test_proposal_flow import answer, due_in, review
from workflows import engine
from workflows.errors import WorkflowError
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def open_task(record, node):
    return engine.open_tasks_for(record).get(flow_task=node)


def events(record, action):
    return list(AuditEvent.objects.for_record(record).filter(action=action))


# -- proposals: 答复提案 → 提案审查 -----------------------------------------------------------------
def test_the_lead_department_sends_a_proposal_back_to_the_committee(congress, people, departments):
    proposal = review(
        submitted(congress, people),
        people,
        decision="accept",
        lead=departments["lead"],
        answer_due=due_in(60),
    )
    task = open_task(proposal, ProposalFlow.answer)
    again = engine.task_send_back(task=task, actor=fresh(people["lead"]), to="review", reason="休息室属后勤部职责")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert (proposal.lead_department, proposal.answer_due) == (None, None)
    assert again.flow_task == ProposalFlow.review and again.owner == people["committee"]
    proposal = review(proposal, people, decision="accept", lead=departments["co"], answer_due=due_in(60))
    assert proposal.status == Proposal.Status.HANDLING and proposal.lead_department == departments["co"]
    answer(proposal, people["co"])
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.ANSWERED


def test_a_proposal_with_co_answers_is_not_sent_back(congress, people, departments):
    proposal = review(
        submitted(congress, people),
        people,
        decision="accept",
        lead=departments["lead"],
        co_departments=[departments["co"]],
        answer_due=due_in(60),
    )
    co = open_task(proposal, ProposalFlow.co_answer)
    engine.task_complete(task=co, actor=fresh(people["co"]), data={"text": "后勤部同意配合。"})
    task = open_task(proposal, ProposalFlow.answer)
    assert engine.send_back_targets(task) == []  # not offered
    with pytest.raises(WorkflowError, match="协办部门"):
        engine.task_send_back(task=task, actor=fresh(people["lead"]), to="review", reason="请重新交办")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.HANDLING
