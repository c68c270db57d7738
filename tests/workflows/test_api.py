"""The REST API: the same services, JSON errors with a human message and the right status."""

import pytest
from viewflow.workflow.status import STATUS

from workflows import engine
from workflows.models import MembershipApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, url, data=None):
        client.force_login(user)
        response = getattr(client, method)(url, data=data, content_type="application/json")
        return response.status_code, response.json() if response.content else None

    return call


def test_apply_claim_and_complete_through_the_api(api, tree):
    status, body = api(
        tree.applicant_a, "post", "/api/v1/membership-applications/", {"statement": "本人自愿加入工会，遵守工会章程。"}
    )
    assert status == 201 and body["status"] == "submitted" and body["applicant"] == "张三"
    status, body = api(tree.committee_a, "get", "/api/v1/tasks/?box=queue")
    assert status == 200 and body["count"] == 1
    task_id = body["results"][0]["id"]
    assert body["results"][0]["title"] == "审核入会申请" and body["results"][0]["overdue"] is False
    assert api(tree.committee_a, "post", f"/api/v1/tasks/{task_id}/claim/")[0] == 200
    status, body = api(tree.committee_a, "post", f"/api/v1/tasks/{task_id}/complete/", {"data": {"decision": "reject"}})
    assert status == 400 and "data.note" in body["fields"]  # the task form's own validation
    status, body = api(
        tree.committee_a, "post", f"/api/v1/tasks/{task_id}/complete/", {"data": {"decision": "approve", "note": ""}}
    )
    assert status == 200 and body["status"] == STATUS.DONE
    assert MembershipApplication.objects.get().status == "approved"
    status, body = api(
        tree.committee_a, "post", f"/api/v1/tasks/{task_id}/complete/", {"data": {"decision": "approve"}}
    )
    assert status == 409 and body["code"] == "already_handled" and "李委员" in body["message"]


def test_out_of_scope_is_404_and_forbidden_actions_are_403(api, tree):
    api(tree.applicant_a, "post", "/api/v1/membership-applications/", {"statement": "本人自愿加入工会，遵守工会章程。"})
    task = engine.open_tasks_for_all(status=STATUS.NEW).get()
    assert api(tree.committee_b, "post", f"/api/v1/tasks/{task.pk}/claim/")[0] == 404
    api(tree.committee_a, "post", f"/api/v1/tasks/{task.pk}/claim/")
    status, body = api(tree.committee_a, "post", f"/api/v1/tasks/{task.pk}/reassign/", {"user": tree.chair.pk})
    assert status == 403 and body["code"] == "forbidden" and "工会主席" in body["message"]
    application = MembershipApplication.objects.get()
    status, body = api(tree.committee_a, "post", f"/api/v1/membership-applications/{application.pk}/withdraw/", {})
    assert status == 403 and "没有权限" in body["message"]


def test_a_second_application_is_a_400_with_the_reason(api, tree):
    api(tree.applicant_a, "post", "/api/v1/membership-applications/", {"statement": "本人自愿加入工会，遵守工会章程。"})
    status, body = api(
        tree.applicant_a, "post", "/api/v1/membership-applications/", {"statement": "本人自愿加入工会，遵守工会章程。"}
    )
    assert status == 400 and "已有一份待审核的入会申请" in body["message"]


def test_anonymous_is_refused_and_the_schema_is_served_to_the_logged_in(client, tree):
    assert client.get("/api/v1/tasks/").status_code == 401
    assert client.get("/api/schema/").status_code == 401
    client.force_login(tree.chair)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
