"""Every step of a staff-congress proposal, legal and illegal."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from proposals import services
from proposals.flows import ProposalFlow
from proposals.models import Congress, Proposal
from tests.factories import fresh
from tests.proposals.conftest import draft, representative, submitted
from workflows import engine
from workflows.errors import AlreadyHandled, IllegalTransition, NotPermitted, WorkflowError
from workflows.models import AuditEvent, Notification
from workflows.selectors import tasks_claimable, tasks_inbox
from workflows.tasks import send_deadline_reminders

pytestmark = pytest.mark.django_db
S = Proposal.Status


def task_of(proposal, node):
    return engine.open_tasks_for(proposal).get(flow_task=node)


def review(proposal, people, **data):
    task = task_of(proposal, ProposalFlow.review)
    committee = fresh(people["committee"])
    engine.task_claim(task=task, actor=committee)
    engine.task_complete(task=task, actor=committee, data={"note": "", "co_departments": [], **data})
    proposal.refresh_from_db()
    return proposal


def answer(proposal, user, status="resolved", text="已在一车间东侧改建休息室。", reason=""):
    task = task_of(proposal, ProposalFlow.answer)
    engine.task_complete(task=task, actor=fresh(user), data={"answer_status": status, "answer": text, "reason": reason})
    proposal.refresh_from_db()
    return proposal


def rate(proposal, user, satisfaction, note=""):
    task = task_of(proposal, ProposalFlow.feedback)
    engine.task_complete(task=task, actor=fresh(user), data={"satisfaction": satisfaction, "note": note})
    proposal.refresh_from_db()
    return proposal


def due_in(days):
    return timezone.localdate() + datetime.timedelta(days=days)


# -- seconding and submission -------------------------------------------------------------------
def test_submission_needs_the_quorum_of_seconders(congress, people):
    proposal = draft(congress, people["proposer"])
    services.proposal_second(proposal=proposal, actor=fresh(people["rep2"]))
    with pytest.raises(IllegalTransition, match="附议人数不足"):
        services.proposal_submit(proposal=proposal, actor=fresh(people["proposer"]))
    services.proposal_second(proposal=proposal, actor=fresh(people["rep3"]))
    proposal = services.proposal_submit(proposal=proposal, actor=fresh(people["proposer"]))
    assert proposal.status == S.SUBMITTED and proposal.submitted_on == timezone.localdate()
    assert list(tasks_claimable(fresh(people["committee"]))) == [task_of(proposal, ProposalFlow.review)]


def test_seconding_rules(congress, people):
    proposal = draft(congress, people["proposer"])
    with pytest.raises(WorkflowError, match="不能附议自己"):
        services.proposal_second(proposal=proposal, actor=fresh(people["proposer"]))
    with pytest.raises(NotPermitted, match="职工代表"):
        services.proposal_second(proposal=proposal, actor=fresh(people["committee"]))  # not a representative
    with pytest.raises(NotPermitted):
        services.proposal_second(proposal=proposal, actor=fresh(people["outsider_rep"]))  # another union's
    services.proposal_second(proposal=proposal, actor=fresh(people["rep2"]))
    with pytest.raises(WorkflowError, match="已附议过"):
        services.proposal_second(proposal=proposal, actor=fresh(people["rep2"]))
    assert proposal.seconds.count() == 1


def test_nothing_is_seconded_or_submitted_outside_the_window(tree, congress, people):
    proposal = draft(congress, people["proposer"])
    services.proposal_second(proposal=proposal, actor=fresh(people["rep2"]))
    services.proposal_second(proposal=proposal, actor=fresh(people["rep3"]))
    late_rep = representative(tree, "rep4", "王代表")
    Congress.objects.filter(pk=congress.pk).update(window_closes=timezone.localdate() - datetime.timedelta(days=1))
    proposal = Proposal.objects.get(pk=proposal.pk)
    congress.refresh_from_db()
    with pytest.raises(WorkflowError, match="征集期"):
        services.proposal_second(proposal=proposal, actor=fresh(late_rep))
    with pytest.raises(IllegalTransition, match="不在提案征集期内"):
        services.proposal_submit(proposal=proposal, actor=fresh(people["proposer"]))
    with pytest.raises(WorkflowError, match="征集期"):
        draft(congress, people["rep2"])


def test_only_a_representative_drafts(congress, people):
    with pytest.raises(NotPermitted):
        draft(congress, people["committee"])
    assert not Proposal.objects.exists()


# -- the committee's decision -------------------------------------------------------------------
def test_acceptance_assigns_lead_and_co_departments_who_answer_in_parallel_first(congress, people, departments):
    proposal = submitted(congress, people)
    proposal = review(
        proposal,
        people,
        decision="accept",
        lead=departments["lead"],
        co_departments=[departments["co"]],
        answer_due=due_in(90),
    )
    assert proposal.status == S.HANDLING and proposal.lead_department == departments["lead"]
    co_task = task_of(proposal, ProposalFlow.co_answer)
    assert (
        co_task.owner == people["co"]
        and not engine.open_tasks_for(proposal).filter(flow_task=ProposalFlow.answer).exists()
    )
    with pytest.raises(NotPermitted):  # the lead department cannot answer for the co-department
        engine.task_complete(task=co_task, actor=fresh(people["lead"]), data={"text": "x"})
    engine.task_complete(task=co_task, actor=fresh(people["co"]), data={"text": "后勤部负责采购空调和饮水机。"})
    lead_task = task_of(proposal, ProposalFlow.answer)  # the join released the lead's answer
    assert lead_task.owner == people["lead"] and list(tasks_inbox(fresh(people["lead"]))) == [lead_task]
    assert proposal.co_answers.get().department == departments["co"]


def test_two_co_departments_each_answer_before_the_lead(congress, people, departments, tree):
    from proposals.models import Department
    from tests.factories import grant, make_user
    from workflows.roles import Role

    third = grant(
        make_user("safety", name="安环部联络人", unit=tree.a, employer=tree.employer_a), Role.DEPARTMENT, tree.a
    )
    safety = Department.objects.create(org_unit=tree.a, name="安全环保部", contact=third)
    proposal = submitted(congress, people)
    review(
        proposal,
        people,
        decision="accept",
        lead=departments["lead"],
        co_departments=[departments["co"], safety],
        answer_due=due_in(90),
    )
    co_tasks = engine.open_tasks_for(proposal).filter(flow_task=ProposalFlow.co_answer)
    assert {t.owner for t in co_tasks} == {people["co"], third}
    first = co_tasks.get(owner=third)
    engine.task_complete(task=first, actor=fresh(third), data={"text": "安环部意见"})
    assert not engine.open_tasks_for(proposal).filter(flow_task=ProposalFlow.answer).exists()  # still waiting
    engine.task_complete(task=co_tasks.get(owner=people["co"]), actor=fresh(people["co"]), data={"text": "后勤意见"})
    assert task_of(proposal, ProposalFlow.answer).owner == people["lead"]


def test_a_suggestion_still_goes_to_a_department(congress, people, departments):
    proposal = review(
        submitted(congress, people), people, decision="suggestion", lead=departments["lead"], answer_due=due_in(30)
    )
    assert proposal.status == S.HANDLING and proposal.is_suggestion
    assert task_of(proposal, ProposalFlow.answer).owner == people["lead"]  # no co-departments: straight to the lead


def test_merging_links_and_ends_the_merged_one(congress, people, departments):
    main = submitted(congress, people)
    other = submitted(congress, people, title="关于夜班休息场所的建议")
    merged = review(other, people, decision="merge", merge_into=main)
    assert merged.status == S.MERGED and merged.merged_into == main
    assert not engine.open_tasks_for(merged).exists()
    assert list(main.merged.all()) == [merged]


def test_rejection_needs_a_reason(congress, people):
    proposal = submitted(congress, people)
    task = task_of(proposal, ProposalFlow.review)
    form = ProposalFlow.review.make_form({"decision": "reject", "note": ""}, task=task)
    assert not form.is_valid() and "note" in form.errors
    proposal = review(proposal, people, decision="reject", note="属于个人诉求，不属于提案范围")
    assert proposal.status == S.REJECTED and not engine.open_tasks_for(proposal).exists()


def test_only_the_committee_reviews(congress, people):
    proposal = submitted(congress, people)
    task = task_of(proposal, ProposalFlow.review)
    with pytest.raises(NotPermitted):
        engine.task_claim(task=task, actor=fresh(people["lead"]))


# -- answers, feedback, re-handling ------------------------------------------------------------
def handled(congress, people, departments):
    return review(
        submitted(congress, people), people, decision="accept", lead=departments["lead"], answer_due=due_in(90)
    )


def test_answer_then_satisfied_feedback_archives(congress, people, departments):
    proposal = answer(handled(congress, people, departments), people["lead"])
    assert proposal.status == S.ANSWERED and not proposal.answered_late
    feedback = task_of(proposal, ProposalFlow.feedback)
    assert feedback.owner == people["proposer"]
    with pytest.raises(NotPermitted):  # feedback by anyone but the proposer
        engine.task_complete(task=feedback, actor=fresh(people["rep2"]), data={"satisfaction": "satisfied"})
    proposal = rate(proposal, people["proposer"], "satisfied")
    assert (proposal.status, proposal.satisfaction) == (S.ARCHIVED, "satisfied")
    with pytest.raises(AlreadyHandled):  # feedback twice
        engine.task_complete(
            task=feedback, actor=fresh(people["proposer"]), data={"satisfaction": "unsatisfied", "note": "x"}
        )


def test_only_the_assigned_department_answers(congress, people, departments):
    proposal = handled(congress, people, departments)
    task = task_of(proposal, ProposalFlow.answer)
    with pytest.raises(NotPermitted):
        engine.task_complete(task=task, actor=fresh(people["co"]), data={"answer_status": "resolved", "answer": "x"})


def test_unsatisfied_once_sends_it_back_and_the_second_answer_is_final(congress, people, departments):
    proposal = answer(
        handled(congress, people, departments),
        people["lead"],
        status="not_possible",
        text="暂无场地",
        reason="厂房不足",
    )
    proposal = rate(proposal, people["proposer"], "unsatisfied", note="可以利用二楼空置会议室")
    assert proposal.status == S.HANDLING and proposal.rehandled and proposal.first_satisfaction == "unsatisfied"
    assert task_of(proposal, ProposalFlow.answer).owner == people["lead"]  # 再办
    proposal = answer(proposal, people["lead"], status="in_progress", text="已列入下季度改造计划")
    proposal = rate(proposal, people["proposer"], "unsatisfied", note="仍不满意")
    assert proposal.status == S.ARCHIVED and proposal.satisfaction == "unsatisfied"  # final, no third round
    assert AuditEvent.objects.for_record(proposal).filter(action="rehandle").count() == 1


def test_silence_past_15_working_days_is_no_feedback(congress, people, departments):
    proposal = answer(handled(congress, people, departments), people["lead"])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=24)):
        assert fire_due_timers() == 1
    proposal.refresh_from_db()
    assert (proposal.status, proposal.satisfaction) == (S.ARCHIVED, "none")


def test_an_overdue_answer_is_escalated_to_the_chair(congress, people, departments, tree):
    proposal = review(
        submitted(congress, people), people, decision="accept", lead=departments["lead"], answer_due=due_in(5)
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
        send_deadline_reminders()
        late = answer(proposal, people["lead"])
    assert set(Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True)) == {
        "chair",
        "chair_a",
    }
    assert late.answered_late


def test_nothing_moves_on_an_archived_proposal(congress, people, departments):
    proposal = rate(answer(handled(congress, people, departments), people["lead"]), people["proposer"], "fairly")
    from workflows.transitions import run_transition

    with pytest.raises(IllegalTransition):
        run_transition(
            proposal, "rate", actor=fresh(people["proposer"]), on_date=timezone.localdate(), satisfaction="satisfied"
        )
    with pytest.raises(IllegalTransition):
        services.proposal_second(proposal=proposal, actor=fresh(people["rep2"]))
