# ruff: noqa: F811  (the fixtures imported are used here)
"""加签 and 抄送 through the API: the same rules and refusals as the pages, nothing moved when refused."""

import pytest

from tests.cases.conftest import worker  # noqa: F401  (fixture)
from tests.factories import fresh
from tests.workflows.test_copy import case, finance  # noqa: F401  (fixtures)
from workflows import services
from workflows.models import AuditEvent, Consultation, Notification, RecordCopy

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, url, data=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, data=data, content_type="application/json")
        return response.status_code, response.json() if response.content else None

    return call


def actions(record):
    return list(AuditEvent.objects.for_record(record).values_list("action", flat=True))


# -- 加签 ---------------------------------------------------------------------------------------------
def test_ask_answer_and_complete_through_the_api(api, tree, held, colleague):
    application, task = held
    status, body = api(
        tree.committee_a,
        "post",
        "/api/v1/consultations/",
        {"task": task.pk, "consultant": colleague.pk, "question": "是否属实？"},
    )
    assert status == 201, body
    assert body["state"] == "pending" and body["consultant_name"] == "钱委员" and body["task_title"] == task.title
    consultation_id = body["id"]

    status, body = api(
        tree.committee_a, "post", f"/api/v1/tasks/{task.pk}/complete/", {"data": {"decision": "approve", "note": ""}}
    )
    assert status == 409 and "正在等待钱委员的意见" in body["message"]  # the step waits for the opinion

    status, body = api(colleague, "get", "/api/v1/consultations/?pending=true")
    assert status == 200 and [row["id"] for row in body["results"]] == [consultation_id]
    status, body = api(colleague, "post", f"/api/v1/consultations/{consultation_id}/answer/", {"answer": "情况属实。"})
    assert status == 200 and body["state"] == "answered" and body["answer"] == "情况属实。"
    assert Notification.objects.filter(recipient=tree.committee_a, title__contains="已就").exists()
    status, body = api(colleague, "post", f"/api/v1/consultations/{consultation_id}/answer/", {"answer": "再说一次"})
    assert status == 409 and body["message"] == "该征求意见已答复或已撤回。"

    status, body = api(tree.committee_a, "get", f"/api/v1/consultations/?task={task.pk}")
    assert status == 200 and body["results"][0]["answer"] == "情况属实。"
    status, _body = api(
        tree.committee_a, "post", f"/api/v1/tasks/{task.pk}/complete/", {"data": {"decision": "approve", "note": ""}}
    )
    assert status == 200
    assert actions(application) == ["submit", "consult", "consult_answer", "approve"]


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("colleague", {"consultant": "chair_a", "question": "是否属实？"}, 403, None),  # not the holder
        ("committee_b", {"consultant": "chair_a", "question": "是否属实？"}, 404, None),  # another union: unseen
        ("committee_a", {"consultant": "committee_b", "question": "是否属实？"}, 400, "consultant"),  # other union
        ("committee_a", {"consultant": "applicant_a", "question": "是否属实？"}, 400, "consultant"),  # no reader
        ("committee_a", {"consultant": "committee_a", "question": "是否属实？"}, 400, "consultant"),  # oneself
        ("committee_a", {"consultant": "colleague", "question": ""}, 400, "question"),
        ("committee_a", {"consultant": "colleague", "question": "问" * 501}, 400, "question"),
        ("committee_a", {"consultant": "colleague"}, 400, "question"),
        ("committee_a", {"consultant": 10**12, "question": "是否属实？"}, 400, "consultant"),
        ("committee_a", {"consultant": "1e400", "question": "是否属实？"}, 400, "consultant"),
        ("committee_a", {"consultant": [], "question": {}}, 400, "consultant"),
        ("committee_a", {"task": None, "consultant": "colleague", "question": "是否属实？"}, 400, "task"),
        ("committee_a", {"task": 10**9, "consultant": "colleague", "question": "是否属实？"}, 404, None),
    ],
)
def test_a_request_for_an_opinion_is_refused_and_nothing_moves(api, tree, held, colleague, who, body, status, field):
    application, task = held
    people = {"colleague": colleague}
    user = people.get(who) or getattr(tree, who)
    if isinstance(body.get("consultant"), str) and (body["consultant"] in people or hasattr(tree, body["consultant"])):
        body = {**body, "consultant": (people.get(body["consultant"]) or getattr(tree, body["consultant"])).pk}
    body = {"task": task.pk, **body}
    got, answer = api(user, "post", "/api/v1/consultations/", body)
    assert got == status, answer
    if field:
        assert field in answer["fields"]
    task.refresh_from_db()
    assert not Consultation.objects.exists() and "consulting" not in (task.data or {})
    assert actions(application) == ["submit"]


def test_only_the_consultant_answers_and_only_the_asker_or_holder_withdraws(api, tree, held, colleague):
    _application, task = held
    status, body = api(
        tree.committee_a,
        "post",
        "/api/v1/consultations/",
        {"task": task.pk, "consultant": colleague.pk, "question": "甲"},
    )
    url = f"/api/v1/consultations/{body['id']}/"
    assert api(tree.committee_a, "post", url + "answer/", {"answer": "我自己答"})[0] == 403  # the asker may not answer
    assert api(tree.committee_b, "get", url)[0] == 404  # another union's member does not see it
    assert api(tree.chair_a, "post", url + "withdraw/")[0] == 404  # neither asked nor holds the task
    assert api(None, "get", "/api/v1/consultations/")[0] in (401, 403)
    assert api(colleague, "post", url + "answer/", [])[0] == 400  # a body that is not an object
    assert api(colleague, "post", url + "answer/", {"answer": "意" * 2001})[0] == 400
    assert Consultation.objects.get().answered_at is None
    status, body = api(colleague, "post", url + "withdraw/")
    assert status == 403 and body["message"] == "只有发起加签的人或任务的当前办理人可以撤回。"
    status, body = api(tree.committee_a, "post", url + "withdraw/")
    assert status == 200 and body["state"] == "withdrawn"
    task.refresh_from_db()
    assert "consulting" not in task.data
    assert api(tree.committee_b, "get", f"/api/v1/consultations/?task={task.pk}")[0] == 404
    assert api(tree.committee_a, "get", "/api/v1/consultations/?pending=maybe")[0] == 400


# -- 抄送 ---------------------------------------------------------------------------------------------
def test_copy_a_case_and_read_it_under_copied_to_me(api, tree, case, finance):
    assert api(finance, "get", f"/api/v1/cases/{case.pk}/")[0] == 404  # finance reads no labour dispute
    status, body = api(
        tree.committee_a,
        "post",
        "/api/v1/copies/",
        {"record_type": "case", "record_id": case.pk, "people": [finance.pk, finance.pk], "note": "请知悉"},
    )
    assert status == 201, body
    assert [row["recipient_name"] for row in body] == ["周财务"]
    assert "孙工人" in body[0]["title"]  # as the sender (the committee) reads it
    assert actions(case)[-1] == "copy"

    status, body = api(finance, "get", "/api/v1/copies/?unread=true")
    assert status == 200 and body["count"] == 1
    [row] = body["results"]
    assert row["record_type"] == "case" and row["record_id"] == case.pk and row["read"] is False
    assert "孙*人" in row["title"] and "孙工人" not in row["title"]  # masked by the recipient's role
    assert row["sent_by_name"] == "李委员" and row["note"] == "请知悉"
    status, body = api(finance, "post", f"/api/v1/copies/{row['id']}/read/")
    assert status == 200 and body["read"] is True
    assert api(finance, "get", "/api/v1/copies/?unread=true")[1]["count"] == 0
    status, body = api(finance, "get", f"/api/v1/cases/{case.pk}/")
    assert status == 200 and "孙工人" not in str(body)  # the copy lets them read it, masked


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("committee_b", {"people": ["finance"]}, 404, None),  # another union's record: unseen
        ("worker", {"people": ["finance"]}, 403, None),  # the filer reads it, does not copy it
        ("committee_a", {"people": []}, 400, "people"),  # nobody
        ("committee_a", {"people": ["committee_b"]}, 400, "people"),  # not of this union or above
        ("committee_a", {"people": ["worker"]}, 400, "people"),  # not union staff
        ("committee_a", {"people": [10**12]}, 400, "people"),
        ("committee_a", {"people": "finance"}, 400, "people"),  # not a list
        ("committee_a", {"roles": ["employee"]}, 400, "roles"),  # not a copy role
        ("committee_a", {"roles": ["finance"], "note": "注" * 201}, 400, "note"),
        ("committee_a", {"record_type": "nothing", "people": ["finance"]}, 400, "record_type"),
        ("committee_a", {"record_id": 10**9, "people": ["finance"]}, 404, None),
        ("committee_a", {"record_id": "1e400", "people": ["finance"]}, 400, "record_id"),
    ],
)
def test_a_copy_is_refused_and_nothing_is_sent(api, tree, case, finance, worker, who, body, status, field):  # noqa: F811
    people = {"finance": finance, "worker": worker}

    def user(name):
        return people.get(name) or getattr(tree, name)

    if isinstance(body.get("people"), list):
        body = {**body, "people": [user(p).pk if isinstance(p, str) else p for p in body["people"]]}
    body = {"record_type": "case", "record_id": case.pk, **body}
    got, answer = api(user(who), "post", "/api/v1/copies/", body)
    assert got == status, answer
    if field:
        assert field in {name.split(".")[0] for name in answer["fields"]}
    assert not RecordCopy.objects.exists() and not Notification.objects.filter(kind=Notification.Kind.COPY).exists()
    assert "copy" not in actions(case)


def test_a_copy_by_role_and_again_to_the_same_people(api, tree, case, finance):
    body = {"record_type": "case", "record_id": case.pk, "roles": ["finance"]}
    status, made = api(tree.committee_a, "post", "/api/v1/copies/", body)
    assert status == 201 and [row["recipient_name"] for row in made] == ["周财务"]
    status, again = api(tree.committee_a, "post", "/api/v1/copies/", body)
    assert status == 409 and again["message"] == "所选人员都已收到过此事项的抄送。"
    assert RecordCopy.objects.count() == 1
    copy_id = made[0]["id"]
    assert api(tree.committee_a, "get", f"/api/v1/copies/{copy_id}/")[0] == 404  # a copy is its recipient's
    assert api(tree.committee_a, "post", f"/api/v1/copies/{copy_id}/read/")[0] == 404
    assert RecordCopy.objects.get().read_at is None


def test_a_request_on_a_matter_withdrawn_meanwhile_is_closed_not_pending(api, tree, held, colleague, client):
    application, task = held
    ask = {"task": task.pk, "consultant": colleague.pk, "question": "甲"}
    status, body = api(tree.committee_a, "post", "/api/v1/consultations/", ask)
    url = f"/api/v1/consultations/{body['id']}/"
    services.membership_withdraw(application=application, actor=fresh(tree.applicant_a), reason="已调离")

    status, body = api(colleague, "get", url)
    assert status == 200 and body["state"] == "closed"
    assert api(colleague, "get", "/api/v1/consultations/?pending=true")[1]["count"] == 0
    status, body = api(colleague, "post", url + "answer/", {"answer": "情况属实。"})
    assert status == 409 and body["message"] == "“审核入会申请”已办结或已取消，无需再提意见。"
    assert Consultation.objects.get().answered_at is None
    assert "consult_answer" not in actions(application)
    client.force_login(colleague)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "未答复，已结束" in page and "提交意见" not in page
