"""A re-handling (再次办理) never moves the answer's deadline earlier, whichever door the proposer's
不满意 comes by (the task service, the task page, the API): the system computes the new deadline, so
it takes the later of 30 days from now and the deadline the department had."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from proposals.flows import ProposalFlow
from proposals.models import Proposal
from tests.factories import fresh
from tests.proposals.conftest import submitted
from tests.proposals.test_proposal_flow import answer, due_in, rate, review, task_of
from workflows.calendar import end_of_day
from workflows.models import AuditEvent, TaskDeadline
from workflows.transitions import run_transition

S = Proposal.Status
UNSATISFIED = {"satisfaction": "unsatisfied", "note": "可以利用二楼空置会议室"}

pytestmark = pytest.mark.django_db


def answered(congress, people, departments, *, days, title="关于增设夜班职工休息室的提案"):
    proposal = review(
        submitted(congress, people, title=title),
        people,
        decision="accept",
        lead=departments["lead"],
        answer_due=due_in(days),
    )
    return answer(proposal, people["lead"], status="not_possible", text="暂无场地", reason="厂房不足")


def deadline_of(proposal):
    return TaskDeadline.objects.get(task=task_of(proposal, ProposalFlow.answer)).due_at


def assert_rehandled_by(proposal, due):
    proposal.refresh_from_db()
    assert (proposal.status, proposal.rehandled, proposal.answer_due) == (S.HANDLING, True, due)
    assert deadline_of(proposal) == end_of_day(due)
    assert AuditEvent.objects.for_record(proposal).filter(action="rehandle").count() == 1


def test_an_early_answer_rated_unsatisfied_keeps_its_later_deadline(congress, people, departments):
    """Answered in a week of a 90-day limit: 30 days from the 不满意 was 60 days earlier than the
    department's own deadline, so the re-handling had less time than the first handling."""
    proposal = answered(congress, people, departments, days=90)
    rate(proposal, people["proposer"], **UNSATISFIED)
    assert_rehandled_by(proposal, due_in(90))


def test_a_late_first_deadline_gives_the_re_handling_its_30_days(congress, people, departments):
    proposal = answered(congress, people, departments, days=5)
    rate(proposal, people["proposer"], **UNSATISFIED)
    assert_rehandled_by(proposal, due_in(settings.UNIONFLOW["PROPOSAL_REHANDLE_DAYS"]))


def test_the_task_page_and_the_api_rehandle_with_the_later_deadline(client, congress, people, departments):
    by_page = answered(congress, people, departments, days=90, title="关于增设夜班职工休息室的提案")
    by_api = answered(congress, people, departments, days=100, title="关于延长食堂供餐时间的提案")
    client.force_login(people["proposer"])
    response = client.post(reverse("task_detail", args=[task_of(by_page, ProposalFlow.feedback).pk]), UNSATISFIED)
    assert response.status_code == 302
    url = f"/api/v1/tasks/{task_of(by_api, ProposalFlow.feedback).pk}/complete/"
    assert client.post(url, {"data": UNSATISFIED}, content_type="application/json").status_code == 200
    assert_rehandled_by(by_page, due_in(90))
    assert_rehandled_by(by_api, due_in(100))


def test_the_steps_own_deadline_is_kept_when_it_was_later_than_the_records(congress, people, departments):
    """The engine's guard: the answer step made again is due no earlier than its earlier task was,
    even when that task's deadline had been moved past the record's 答复期限."""
    proposal = review(
        submitted(congress, people), people, decision="accept", lead=departments["lead"], answer_due=due_in(10)
    )
    moved = end_of_day(due_in(70))
    TaskDeadline.objects.filter(task=task_of(proposal, ProposalFlow.answer)).update(due_at=moved)
    proposal = answer(proposal, people["lead"])
    rate(proposal, people["proposer"], **UNSATISFIED)
    proposal.refresh_from_db()
    assert proposal.answer_due == due_in(30)
    assert deadline_of(proposal) == moved


def test_the_transition_itself_never_moves_the_answer_due_earlier(congress, people, departments):
    """Whoever runs 再办 (a shell, a future door) with an earlier day gets the standing deadline."""
    proposal = answered(congress, people, departments, days=90)
    run_transition(
        proposal, "rate", actor=fresh(people["proposer"]), on_date=timezone.localdate(), satisfaction="unsatisfied"
    )
    proposal = run_transition(
        proposal,
        "rehandle",
        actor=None,
        check_permission=False,
        answer_due=timezone.localdate() + datetime.timedelta(1),
    )
    assert proposal.answer_due == due_in(90)
