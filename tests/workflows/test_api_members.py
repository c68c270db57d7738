"""Member lookup for other union systems: by 工号 or full name, within scope, masked; the 劳模 flag
set only by the chair or an administrator, audited."""

import pytest

from tests.factories import grant, make_user
from workflows.models import AuditEvent, Member
from workflows.roles import MEMBERSHIP_READ, Role, roles_granting
from workflows.services import MODEL_WORKER_NOT_ALLOWED

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, url, data=None, raw=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        body = raw if raw is not None else data
        response = getattr(client, method)(url, data=body, content_type="application/json")
        return response.status_code, response.json() if response.content else None

    return call


@pytest.fixture
def zhang(tree):
    member = Member.objects.get(user=tree.applicant_a)
    member.phone = "13812345678"
    member.save()
    return member


def test_a_worker_is_found_by_employee_no_with_name_and_phone_masked(api, tree, zhang):
    status, body = api(tree.committee_a, "get", f"/api/v1/members/?employee_no={zhang.employee_no}")
    assert status == 200 and body["count"] == 1
    found = body["results"][0]
    assert found["id"] == zhang.pk and found["name"] == "张*" and found["phone"] == "138****5678"
    assert "13812345678" not in str(body) and "张三" not in str(body)


def test_a_worker_is_found_by_the_full_name_only(api, tree, zhang):
    assert api(tree.committee_a, "get", "/api/v1/members/?name=张三")[1]["count"] == 1
    assert api(tree.committee_a, "get", "/api/v1/members/?name=张")[1]["count"] == 0


def test_the_lookup_stays_within_scope(api, tree, zhang):
    status, body = api(tree.committee_b, "get", f"/api/v1/members/?employee_no={zhang.employee_no}")
    assert status == 200 and body["count"] == 0
    assert api(tree.committee_b, "get", f"/api/v1/members/{zhang.pk}/")[0] == 404
    # an employee (no role that reads records) finds nobody, not even a colleague
    employee = tree.applicant_a
    colleague = Member.objects.get(user=tree.committee_a)
    assert api(employee, "get", f"/api/v1/members/?employee_no={colleague.employee_no}")[1]["count"] == 0
    assert api(employee, "get", f"/api/v1/members/{colleague.pk}/")[0] == 404
    assert api(None, "get", f"/api/v1/members/?employee_no={zhang.employee_no}")[0] in (401, 403)


@pytest.mark.parametrize("role", [role for role in Role if role != Role.EMPLOYEE])
def test_membership_status_is_answered_only_to_who_reads_membership_applications(api, tree, zhang, role):
    """会员状态 (申请入会中 says there is a membership application, 非会员 and 已退会 who is out) is the
    入会申请 domain's: every role that may look a worker up is answered the worker, but the status only
    if it reads that domain — not a mediator, finance, a representative or a department's liaison."""
    Member.objects.filter(pk=zhang.pk).update(membership=Member.Membership.APPLYING)
    holder = grant(make_user(f"only_{role}", member=False), role, tree.a)
    reads = role in roles_granting(MEMBERSHIP_READ)
    status, body = api(holder, "get", f"/api/v1/members/?employee_no={zhang.employee_no}")
    assert status == 200 and [m["id"] for m in body["results"]] == [zhang.pk]
    for found in (body["results"][0], api(holder, "get", f"/api/v1/members/{zhang.pk}/")[1]):
        expected = ("applying", "申请入会中") if reads else (None, None)
        assert (found["membership"], found["membership_label"]) == expected
    assert ("申请入会中" in str(body)) is reads


def test_a_lookup_without_a_criterion_finds_nobody(api, tree, zhang):
    status, body = api(tree.chair_a, "get", "/api/v1/members/")
    assert status == 200 and body["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?is_model_worker=maybe", "is_model_worker"),
        ("?employee_no=" + "9" * 31, "employee_no"),
        ("?name=", "name"),
    ],
)
def test_a_lookup_with_a_malformed_criterion_is_refused(api, tree, query, field):
    status, body = api(tree.committee_a, "get", f"/api/v1/members/{query}")
    assert status == 400 and field in body["fields"]


def test_the_chair_sets_the_model_worker_flag_with_an_audited_reason(api, tree, zhang):
    status, body = api(
        tree.chair_a,
        "post",
        f"/api/v1/members/{zhang.pk}/model-worker/",
        {"is_model_worker": True, "reason": "2026年市级劳动模范"},
    )
    assert status == 200 and body["is_model_worker"] is True
    zhang.refresh_from_db()
    assert zhang.is_model_worker
    event = AuditEvent.objects.for_record(zhang).get()
    assert (event.actor, event.action_label, event.reason) == (tree.chair_a, "认定劳模", "2026年市级劳动模范")
    status, body = api(tree.committee_a, "get", "/api/v1/members/?is_model_worker=true")
    assert [m["id"] for m in body["results"]] == [zhang.pk]
    status, body = api(tree.chair_a, "get", f"/api/v1/members/{zhang.pk}/audit/")
    assert status == 200 and [e["action"] for e in body["results"]] == ["model_worker"]
    # the same flag again changes nothing and writes nothing
    api(tree.chair_a, "post", f"/api/v1/members/{zhang.pk}/model-worker/", {"is_model_worker": True, "reason": "重复"})
    assert AuditEvent.objects.for_record(zhang).count() == 1


def test_only_the_chair_or_an_administrator_in_scope_sets_the_flag(api, tree, zhang):
    url = f"/api/v1/members/{zhang.pk}/model-worker/"
    body = {"is_model_worker": True, "reason": "2026年市级劳动模范"}
    status, answer = api(tree.committee_a, "post", url, body)
    assert status == 403 and answer["message"] == str(MODEL_WORKER_NOT_ALLOWED)
    chair_b = grant(make_user("chair_b", name="乙主席", unit=tree.b, employer=tree.employer_b), Role.CHAIR, tree.b)
    assert api(chair_b, "post", url, body)[0] == 404
    admin_a = grant(make_user("admin_a", name="甲管理员", unit=tree.a, employer=tree.employer_a), Role.ADMIN, tree.a)
    assert AuditEvent.objects.for_record(zhang).count() == 0
    assert api(admin_a, "post", url, body)[0] == 200
    assert api(admin_a, "post", url, {"is_model_worker": False, "reason": "核实有误"})[0] == 200
    zhang.refresh_from_db()
    assert not zhang.is_model_worker
    events = AuditEvent.objects.for_record(zhang)
    assert [(e.actor, e.action_label) for e in events] == [(admin_a, "认定劳模"), (admin_a, "取消劳模")]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"is_model_worker": True},
        {"is_model_worker": True, "reason": "   "},
        {"is_model_worker": "perhaps", "reason": "x"},
        {"is_model_worker": True, "reason": "x" * 501},
        {"is_model_worker": [True], "reason": "x"},
    ],
)
def test_a_malformed_flag_body_is_refused_and_changes_nothing(api, tree, zhang, body):
    status, answer = api(tree.chair_a, "post", f"/api/v1/members/{zhang.pk}/model-worker/", body)
    assert status == 400
    zhang.refresh_from_db()
    assert not zhang.is_model_worker and not AuditEvent.objects.for_record(zhang).exists()


@pytest.mark.parametrize("raw", ["[]", "null", '"x"', '{"is_model_worker": '])
def test_a_body_that_is_not_an_object_is_refused(api, tree, zhang, raw):
    assert api(tree.chair_a, "post", f"/api/v1/members/{zhang.pk}/model-worker/", raw=raw)[0] == 400
