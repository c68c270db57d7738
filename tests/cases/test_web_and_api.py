"""The case pages and REST endpoints: scope, clear refusals (400/403/404/409 JSON), queries per transition."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from viewflow.workflow.status import STATUS

from cases import services
from cases.flows import GrievanceFlow
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs
from tests.factories import fresh
from workflows import engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, url, data=None):
        client.force_login(user)
        response = getattr(client, method)(url, data=data, content_type="application/json")
        return response.status_code, (
            response.json() if response.get("Content-Type", "").startswith("application/json") else None
        )

    return call


def test_an_employee_files_from_the_web_and_sees_the_case(client, tree, worker):
    client.force_login(worker)
    page = client.get(reverse("cases:file")).content.decode()
    assert "申请劳动争议调解" in page
    response = client.post(reverse("cases:file"), {**file_kwargs(), "amount_claimed": "-5"})
    assert "确保该值大于或等于0" in response.content.decode() or "0" in response.content.decode()
    assert not GrievanceCase.objects.exists()
    response = client.post(reverse("cases:file"), file_kwargs(), follow=True)
    body = response.content.decode()
    assert "已登记，案件编号" in body and "待受理" in body
    assert client.get(reverse("cases:list")).content.decode().count('data-testid="case-row"') == 1


def test_a_duplicate_filing_from_the_web_is_explained(client, tree, worker):
    client.force_login(worker)
    client.post(reverse("cases:file"), file_kwargs())
    body = client.post(reverse("cases:file"), file_kwargs(), follow=True).content.decode()
    assert "为同一争议，已关联到原案件，不重复计数" in body


def test_case_pages_are_scoped(client, tree, worker, mediator, mediator_b):
    case = services.case_file(actor=worker, **file_kwargs())
    client.force_login(mediator_b)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(reverse("cases:list")).content.decode().count('data-testid="case-row"') == 0
    client.force_login(tree.applicant_b)  # another worker sees nothing of it
    assert client.get(case.get_absolute_url()).status_code == 404
    client.force_login(mediator)
    assert client.get(case.get_absolute_url()).status_code == 200
    client.force_login(tree.chair)  # the upper union sees its units' cases
    assert client.get(case.get_absolute_url()).status_code == 200


def test_the_full_procedure_through_the_api(api, tree, worker, mediator):
    status, body = api(worker, "post", "/api/v1/cases/", file_kwargs(amount_claimed="8600.00"))
    assert status == 201 and body["status"] == "registered" and body["number"].startswith("调字〔")
    case_id = body["id"]
    status, queue = api(mediator, "get", "/api/v1/tasks/?box=queue")
    task_id = queue["results"][0]["id"]
    assert queue["results"][0]["title"] == "受理审查"
    api(mediator, "post", f"/api/v1/tasks/{task_id}/claim/")
    status, body = api(mediator, "post", f"/api/v1/tasks/{task_id}/complete/", {"data": {"decision": "accept"}})
    assert status == 400 and "data.mediator" in body["fields"]  # the form's own rule: accepting needs a mediator
    data = {"decision": "accept", "mediator": mediator.pk}
    assert api(mediator, "post", f"/api/v1/tasks/{task_id}/complete/", {"data": data})[0] == 200
    status, body = api(
        mediator,
        "post",
        f"/api/v1/cases/{case_id}/sessions/",
        {"held_on": str(datetime.date.today()), "attendees": "双方", "notes": "首次调解"},
    )
    assert status == 201 and len(body["sessions"]) == 1
    status, body = api(mediator, "post", f"/api/v1/cases/{case_id}/extend/", {"days": 40, "reason": "双方同意"})
    assert status == 400 and "1至15天" in body["message"]
    status, body = api(worker, "post", f"/api/v1/cases/{case_id}/extend/", {"days": 5, "reason": "我想延"})
    assert status == 403 and body["code"] == "forbidden"
    mediate = engine.open_tasks_for(GrievanceCase.objects.get()).get(flow_task=GrievanceFlow.mediate)
    outcome = {
        "outcome": "agree",
        "amount_agreed": "8000",
        "agreement_terms": "支付工资8000元",
        "performance_due": str(datetime.date.today() + datetime.timedelta(days=7)),
    }
    assert api(mediator, "post", f"/api/v1/tasks/{mediate.pk}/complete/", {"data": outcome})[0] == 200
    status, body = api(worker, "post", f"/api/v1/cases/{case_id}/withdraw/", {"reason": "反悔"})
    assert status == 409 and body["code"] == "illegal_transition" and "调解成功" in body["message"]
    status, _ = api(mediator, "get", f"/api/v1/cases/{case_id}/documents/agreement/")
    assert status == 200
    status, events = api(worker, "get", f"/api/v1/cases/{case_id}/audit/")
    assert [e["action"] for e in events] == ["submit", "accept", "session", "agree"]


def test_api_scope_and_bad_input(api, tree, worker, mediator, mediator_b):
    status, body = api(worker, "post", "/api/v1/cases/", file_kwargs(workers_involved=0))
    assert status == 400 and "workers_involved" in body["fields"]
    status, body = api(
        mediator,
        "post",
        "/api/v1/cases/register/",
        {
            "channel": "phone",
            "applicant_name": "x",
            "employer_unit": tree.employer_b.pk,
            **file_kwargs(),
            "filed_on": "2026-11-01",
        },
    )
    assert status == 400 and "employer_unit" in body["fields"]  # not a union in the mediator's scope
    status, body = api(worker, "post", "/api/v1/cases/", file_kwargs())
    assert api(mediator_b, "get", f"/api/v1/cases/{body['id']}/")[0] == 404
    assert api(mediator_b, "get", "/api/v1/cases/")[1]["count"] == 0


def test_queries_per_transition(tree, worker, mediator, django_assert_max_num_queries):
    """The counts the issue note reports; an upper bound here keeps them from creeping."""
    m = fresh(mediator)
    m.has_perm("warm-up")
    case = services.case_file(actor=worker, **file_kwargs())
    review = engine.open_tasks_for(case).get()
    with django_assert_max_num_queries(12):
        engine.task_claim(task=review, actor=m)
    review.refresh_from_db()
    with django_assert_max_num_queries(60):
        engine.task_complete(task=review, actor=m, data={"decision": "accept", "mediator": m, "note": ""})
    mediate = engine.open_tasks_for(case).filter(flow_task=GrievanceFlow.mediate).get()
    data = {"outcome": "fail", "failure_reason": "不同意", "amount_agreed": None}
    with django_assert_max_num_queries(50):
        engine.task_complete(task=mediate, actor=m, data=data)
    assert mediate.__class__.objects.get(pk=mediate.pk).status == STATUS.DONE
    assert GrievanceCase.objects.get().amount_agreed is None and Decimal("0") == Decimal("0")
