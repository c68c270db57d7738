"""退回 in hardship aid: 主席审批 goes back to 民主评议 or 入户核实, 民主评议 to 入户核实; the
flow resumes from there (publicised again, visited twice again); payment never goes back."""

import pytest

from aid.flows import AidFlow
from aid.models import AidApplication
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, through_review, visit, votes
from tests.factories import fresh
from workflows import engine
from workflows.errors import IllegalTransition
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def open_task(record, node):
    return engine.open_tasks_for(record).get(flow_task=node)


def events(record, action):
    return list(AuditEvent.objects.for_record(record).filter(action=action))


# -- aid: 主席审批 → 民主评议 / 入户核实, 民主评议 → 入户核实 ------------------------------------------------
@pytest.fixture
def approving(tree, aid_people, fund):
    hardship_file(tree, aid_people["needy"])
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    assert application.status == AidApplication.Status.APPROVING
    return application


def test_the_chair_sends_an_application_back_to_review_and_it_is_publicised_again(tree, aid_people, approving, fund):
    application = approving
    task = open_task(application, AidFlow.approve)
    engine.task_claim(task=task, actor=fresh(tree.chair_a))
    task.refresh_from_db()
    assert [n.name for n in engine.send_back_targets(task)] == ["review", "verify"]

    again = engine.task_send_back(task=task, actor=fresh(tree.chair_a), to="review", reason="评议人数不足三分之二")

    application.refresh_from_db()
    assert application.status == AidApplication.Status.REVIEWING
    assert again.flow_task == AidFlow.review and again.owner == tree.chair_a  # who recorded the votes
    [event] = events(application, "send_back_to_review")
    assert event.action_label == "退回民主评议" and event.reason == "评议人数不足三分之二"

    votes(
        application,
        AidFlow.review,
        tree.chair_a,
        {tree.committee_a: "for", aid_people["committee2"]: "for", tree.chair_a: "for"},
    )
    assert application.status == AidApplication.Status.PUBLICIZING
    application = after_publicity(application)
    approve(application, AidFlow.approve, tree.chair_a, fund)
    assert application.status == AidApplication.Status.APPROVED


def test_sent_back_to_verify_the_household_is_visited_twice_again(tree, aid_people, approving):
    application = approving
    task = open_task(application, AidFlow.approve)
    engine.task_claim(task=task, actor=fresh(tree.chair_a))
    task.refresh_from_db()
    engine.task_send_back(
        task=task, actor=fresh(tree.chair_a), to="verify", reason="收入证明与公示异议不符，请再次入户"
    )

    application.refresh_from_db()
    assert application.status == AidApplication.Status.VERIFYING
    visits = engine.open_tasks_for(application).filter(flow_task=AidFlow.home_visit)
    assert visits.count() == 2 and not visits.filter(owner__isnull=False).exists()  # back in the pool
    visit(application, tree.committee_a)
    visit(application, aid_people["committee2"])
    application.refresh_from_db()
    assert application.status == AidApplication.Status.REVIEWING


def test_review_goes_back_to_verify_only(tree, aid_people, fund):
    hardship_file(tree, aid_people["needy"])
    application = apply(tree, aid_people["needy"])
    visit(application, tree.committee_a)
    visit(application, aid_people["committee2"])
    task = open_task(application, AidFlow.review)
    engine.task_claim(task=task, actor=fresh(tree.chair_a))
    task.refresh_from_db()
    assert [n.name for n in engine.send_back_targets(task)] == ["verify"]
    with pytest.raises(IllegalTransition):
        engine.task_send_back(task=task, actor=fresh(tree.chair_a), to="approve", reason="x")


def test_payment_is_never_sent_back(tree, aid_people, approving, fund):
    approve(approving, AidFlow.approve, tree.chair_a, fund)
    task = open_task(approving, AidFlow.disburse)
    assert engine.send_back_targets(task) == []
