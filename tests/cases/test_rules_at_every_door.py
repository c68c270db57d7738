"""The case rules hold at every door: the mediation stays with the case's mediator, the mediation
limit is extended once and only while mediating."""

import pytest
from django.urls import reverse

from cases import services
from cases.flows import GrievanceFlow
from tests.cases.conftest import file_kwargs
from tests.cases.test_case_flow import accept
from tests.factories import fresh, grant, make_user
from workflows import engine
from workflows.errors import IllegalTransition, PersonBoundTask
from workflows.models import AuditEvent
from workflows.roles import Role

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
