"""The case rules hold at every door: the mediation stays with the case's mediator, the mediation
limit is extended once and only while mediating, a deadline only moves later, and 调解不成 rests on
a recorded session or a stated reason."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from cases import services
from cases.flows import GrievanceFlow
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs
from tests.cases.test_case_flow import accept, conclude
from tests.factories import fresh, grant, make_user
from workflows import engine
from workflows.errors import IllegalTransition, PersonBoundTask, WorkflowError
from workflows.models import AuditEvent, Notification, TaskDeadline
from workflows.roles import Role

S = GrievanceCase.Status

pytestmark = pytest.mark.django_db


def test_the_mediation_stays_with_the_cases_mediator(tree, worker, mediator):
    """调解成功/调解不成 accept only the case's mediator: given to another, the case was stuck."""
    other = grant(make_user("mediator_a2", name="何调解", unit=tree.a, employer=tree.employer_a), Role.MEDIATOR, tree.a)
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    mediation = engine.open_tasks_for(case).get(flow_task=GrievanceFlow.mediate)
    with pytest.raises(PersonBoundTask, match="张调解本人办理"):
        engine.task_reassign(task=mediation, actor=fresh(tree.chair_a), to_user=fresh(other))
    assert not engine.task_reassign_candidates(mediation).exists()
    mediation.refresh_from_db()
    assert mediation.owner == mediator


def test_the_mediation_limit_is_extended_once(tree, worker, mediator):
    """企业劳动争议协商调解规定 art. 26: by agreement the 15 days may be extended, once, by at most 15."""
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    case = services.case_extend(case=case, actor=fresh(mediator), days=5, reason="双方同意延期核对考勤")
    due = case.mediation_due
    with pytest.raises(IllegalTransition, match="只能延长一次") as refused:
        services.case_extend(case=case, actor=fresh(mediator), days=5, reason="再延")
    assert refused.value.status_code == 409
    case.refresh_from_db()
    assert (case.mediation_due, case.extended_days) == (due, 5)
    assert AuditEvent.objects.for_record(case).filter(action="extend").count() == 1


def test_the_api_refuses_a_second_extension_and_an_unaccepted_case_with_409(client, tree, worker, mediator):
    unaccepted = services.case_file(actor=worker, **file_kwargs())
    client.force_login(mediator)
    body = {"days": 5, "reason": "双方同意"}
    response = client.post(f"/api/v1/cases/{unaccepted.pk}/extend/", body, content_type="application/json")
    assert response.status_code == 409 and "待受理" in response.json()["message"]  # was a 500
    unaccepted.refresh_from_db()
    assert unaccepted.mediation_due is None and unaccepted.extended_days == 0
    case = accept(services.case_file(actor=worker, **file_kwargs(category="overtime")), mediator, mediator)
    assert client.post(f"/api/v1/cases/{case.pk}/extend/", body, content_type="application/json").status_code == 200
    response = client.post(f"/api/v1/cases/{case.pk}/extend/", body, content_type="application/json")
    assert response.status_code == 409 and "只能延长一次" in response.json()["message"]


def test_the_page_shows_the_refusal_and_offers_no_second_extension(client, tree, worker, mediator):
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    client.force_login(mediator)
    url = reverse("cases:action", args=[case.pk, "extend"])
    client.post(url, {"days": 5, "reason": "双方同意"})
    page = client.get(case.get_absolute_url()).content.decode()
    assert "延长调解期限</h2>" not in page
    response = client.post(url, {"days": 5, "reason": "再延"}, follow=True)
    assert "只能延长一次" in response.content.decode()
    case.refresh_from_db()
    assert case.extended_days == 5


def test_the_refused_second_extension_leaves_the_mediations_deadline_where_it_was(tree, worker, mediator):
    """The second 延长 is refused by the transition before the deadline, its reminder or its timer move."""
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    services.case_extend(case=case, actor=fresh(mediator), days=5, reason="双方同意延期核对考勤")
    mediation = engine.open_tasks_for(case).get(flow_task=GrievanceFlow.mediate)
    before = TaskDeadline.objects.values_list("due_at", "remind_at").get(task=mediation)
    with pytest.raises(IllegalTransition, match="只能延长一次"):
        services.case_extend(case=case, actor=fresh(mediator), days=15, reason="再延")
    assert TaskDeadline.objects.values_list("due_at", "remind_at").get(task=mediation) == before


def test_an_extension_never_moves_the_steps_deadline_earlier(tree, worker, mediator):
    """A task's deadline only moves later: an extension that would end before the step's present
    deadline (moved by hand, say) is refused, and the case keeps its limit and its audit trail."""
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    mediation = engine.open_tasks_for(case).get(flow_task=GrievanceFlow.mediate)
    later = timezone.now() + datetime.timedelta(days=40)
    TaskDeadline.objects.filter(task=mediation).update(due_at=later)
    with pytest.raises(WorkflowError, match="只能延后，不能提前"):
        services.case_extend(case=case, actor=fresh(mediator), days=5, reason="双方同意")
    case.refresh_from_db()
    assert (case.extended_days, case.extension_reason) == (0, "")
    assert case.mediation_due == timezone.localdate() + datetime.timedelta(days=15)
    assert TaskDeadline.objects.get(task=mediation).due_at == later
    assert not AuditEvent.objects.for_record(case).filter(action="extend").exists()


# -- 调解不成 needs a recorded session or a stated reason ---------------------------------------------
NO_REASON = {"outcome": "fail", "failure_reason": "  ", "amount_agreed": None}
NEEDS = "尚无调解记录"


@pytest.fixture
def mediating(tree, worker, mediator):
    return accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)


def mediation_task(case):
    return engine.open_tasks_for(case).get(flow_task=GrievanceFlow.mediate)


def assert_still_mediating(case, worker):
    case.refresh_from_db()
    assert (case.status, case.concluded_on, case.failure_reason) == (S.MEDIATING, None, "")
    assert not AuditEvent.objects.for_record(case).filter(action="fail").exists()
    assert mediation_task(case).status in (STATUS.NEW, STATUS.ASSIGNED)  # still open, not started
    assert not Notification.objects.filter(recipient=worker, title__startswith="调解不成").exists()


def record_session(case, mediator):
    services.case_add_session(
        case=case,
        actor=fresh(mediator),
        held_on=timezone.localdate(),
        attendees="申请人、单位人事经理",
        notes="各执己见",
    )


def test_the_service_refuses_a_failure_without_session_or_reason(mediating, worker, mediator):
    """Whoever calls the service (the flow's task, the demo, a shell) is refused, not only the form."""
    with pytest.raises(WorkflowError, match=NEEDS) as refused:
        services.case_conclude(case=mediating, actor=fresh(mediator), data=NO_REASON)
    assert refused.value.status_code == 400 and list(refused.value.fields) == ["failure_reason"]
    with pytest.raises(WorkflowError, match=NEEDS):
        engine.task_complete(task=mediation_task(mediating), actor=fresh(mediator), data=NO_REASON)
    assert_still_mediating(mediating, worker)


def test_the_task_page_refuses_a_failure_without_session_or_reason(client, mediating, worker, mediator):
    client.force_login(mediator)
    response = client.post(
        reverse("task_detail", args=[mediation_task(mediating).pk]), NO_REASON | {"amount_agreed": ""}
    )
    assert response.status_code == 200
    assert NEEDS in str(response.context["form"].errors["failure_reason"])  # on the field, beside it
    assert_still_mediating(mediating, worker)


def test_the_api_refuses_a_failure_without_session_or_reason(client, mediating, worker, mediator):
    client.force_login(mediator)
    url = f"/api/v1/tasks/{mediation_task(mediating).pk}/complete/"
    response = client.post(url, {"data": NO_REASON}, content_type="application/json")
    assert response.status_code == 400
    assert NEEDS in response.json()["fields"]["data.failure_reason"][0]
    assert_still_mediating(mediating, worker)


def test_a_stated_reason_without_a_session_ends_the_mediation(mediating, mediator):
    case = conclude(mediating, mediator, outcome="fail", failure_reason="单位拒绝到场", amount_agreed=None)
    assert case.status == S.FAILED and case.failure_reason == "单位拒绝到场"


def test_with_a_recorded_session_the_reason_may_stay_blank_at_every_door(client, tree, worker, mediator):
    """The service, the task page and the API each accept 调解不成 once a session is on record."""
    cases = [
        accept(services.case_file(actor=worker, **file_kwargs(category=category)), mediator, mediator)
        for category in ("wages", "overtime", "contract")
    ]
    for case in cases:
        record_session(case, mediator)
    by_service, by_page, by_api = cases
    services.case_conclude(case=by_service, actor=fresh(mediator), data=NO_REASON)
    client.force_login(mediator)
    response = client.post(reverse("task_detail", args=[mediation_task(by_page).pk]), {"outcome": "fail"})
    assert response.status_code == 302
    url = f"/api/v1/tasks/{mediation_task(by_api).pk}/complete/"
    assert client.post(url, {"data": {"outcome": "fail"}}, content_type="application/json").status_code == 200
    for case in cases:
        case.refresh_from_db()
        assert (case.status, case.failure_reason) == (S.FAILED, "")
        assert AuditEvent.objects.for_record(case).filter(action="fail").count() == 1


def test_an_expired_mediation_fails_by_the_clock_without_a_session(mediating, worker):
    """The clock states its own reason (期限届满): the rule asks nothing more of it."""
    case = services.case_expire(case=mediating, today=timezone.localdate())
    assert case.status == S.FAILED and case.expired and "期限届满" in case.failure_reason
