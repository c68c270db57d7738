"""Proposal figures against a hand-computed congress; the pages and the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Proposal
from proposals.summary import section
from tests.factories import fresh
from tests.proposals.conftest import draft, submitted
from tests.proposals.test_proposal_flow import answer, due_in, rate, review
from workflows import engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def congress_outcomes(congress, people, departments):
    """Seven proposals; expectations below are counted by hand."""
    lead = departments["lead"]
    p1 = rate(
        answer(
            review(
                submitted(congress, people, title="一"), people, decision="accept", lead=lead, answer_due=due_in(90)
            ),
            people["lead"],
        ),
        people["proposer"],
        "satisfied",
    )
    p2 = rate(
        answer(
            review(
                submitted(congress, people, title="二"), people, decision="accept", lead=lead, answer_due=due_in(90)
            ),
            people["lead"],
            status="in_progress",
        ),
        people["proposer"],
        "fairly",
    )
    p3 = review(
        submitted(congress, people, title="三"), people, decision="suggestion", lead=lead, answer_due=due_in(60)
    )
    p3 = answer(p3, people["lead"], status="not_possible", reason="预算不足")
    p3 = rate(p3, people["proposer"], "unsatisfied", note="可分期实施")  # → re-handling
    p3 = rate(
        answer(p3, people["lead"], status="in_progress", text="列入明年计划"),
        people["proposer"],
        "unsatisfied",
        note="仍不满意",
    )
    p4 = review(submitted(congress, people, title="四"), people, decision="merge", merge_into=p1)
    p5 = review(submitted(congress, people, title="五"), people, decision="reject", note="个人诉求")
    p6 = review(
        submitted(congress, people, title="六"), people, decision="accept", lead=lead, answer_due=due_in(90)
    )  # awaiting answer
    p7 = answer(
        review(submitted(congress, people, title="七"), people, decision="accept", lead=lead, answer_due=due_in(90)),
        people["lead"],
    )
    from workflows.transitions import run_transition

    run_transition(
        p7, "archive", actor=None, check_permission=False, on_date=timezone.localdate()
    )  # silence: no feedback
    p7.refresh_from_db()
    draft(congress, people["proposer"], title="草稿不计")
    return [p1, p2, p3, p4, p5, p6, p7]


def ids(*items):
    return tuple(sorted(p.pk for p in items))


def test_figures_match_the_hand_computed_congress(tree, congress_outcomes):
    p1, p2, p3, p4, p5, p6, p7 = congress_outcomes
    today = timezone.localdate()
    s = section(tree.a, today - datetime.timedelta(days=30), today)
    value = {k: f.value for k, f in s.figures.items()}
    assert value["received"] == 7  # the draft is not counted
    assert (value["accepted"], value["suggestions"], value["merged"], value["rejected"]) == (4, 1, 1, 1)
    assert (value["answered"], value["answered_on_time"], value["answered_late"], value["awaiting_answer"]) == (
        4,
        4,
        0,
        1,
    )
    assert (value["answer_resolved"], value["answer_in_progress"], value["answer_not_possible"]) == (2, 2, 0)
    assert (
        value["satisfaction_satisfied"],
        value["satisfaction_fairly"],
        value["satisfaction_unsatisfied"],
        value["satisfaction_none"],
    ) == (1, 1, 1, 1)
    assert str(value["satisfaction_rate"]) == "66.7"  # (1 + 1) / 3 rated; silence is not in the denominator
    assert value["rehandled"] == 1 and s.records("rehandled") == ids(p3)
    assert s.records("accepted") == ids(p1, p2, p6, p7)
    assert s.records("satisfaction_rate") == ids(p1, p2, p3)
    assert s.records("merged") == ids(p4) and s.records("rejected") == ids(p5)


def test_the_union_sees_its_proposals_and_drafts_to_second_but_not_another_unions(client, tree, congress, people):
    draft(congress, people["proposer"], title="还在起草")
    submitted(congress, people, title="已提交的提案")
    client.force_login(people["rep2"])
    page = client.get(reverse("proposals:list")).content.decode()
    assert "已提交的提案" in page and "还在起草" in page and "起草中" in page
    client.force_login(tree.committee_b)  # another union
    page = client.get(reverse("proposals:list")).content.decode()
    assert "已提交的提案" not in page and "还在起草" not in page


def test_write_second_and_submit_from_the_web(client, tree, congress, people):
    client.force_login(people["proposer"])
    response = client.post(
        reverse("proposals:new"),
        {
            "title": "关于食堂延长供餐时间的提案",
            "category": "welfare",
            "cause": "夜班下班后食堂已关门。",
            "measures": "延长至21点。",
        },
        follow=True,
    )
    assert "提案已保存为草稿" in response.content.decode()
    proposal = Proposal.objects.get()
    body = client.post(reverse("proposals:action", args=[proposal.pk, "submit"]), follow=True).content.decode()
    assert "附议人数不足" in body
    for rep in ("rep2", "rep3"):
        client.force_login(people[rep])
        assert (
            "已附议"
            in client.post(reverse("proposals:action", args=[proposal.pk, "second"]), follow=True).content.decode()
        )
    client.force_login(people["proposer"])
    body = client.post(reverse("proposals:action", args=[proposal.pk, "submit"]), follow=True).content.decode()
    assert "提案已提交提案工作委员会审查" in body and "待审查" in body


def test_the_api_drafts_seconds_and_submits(client, tree, congress, people):
    def call(user, method, url, data=None):
        client.force_login(user)
        r = getattr(client, method)(url, data=data, content_type="application/json")
        return r.status_code, r.json()

    status, body = call(
        people["proposer"],
        "post",
        "/api/v1/proposals/",
        {"title": "关于增加班车的提案", "category": "welfare", "cause": "x", "measures": "y"},
    )
    assert status == 201 and body["status"] == "draft"
    pid = body["id"]
    status, body = call(people["proposer"], "post", f"/api/v1/proposals/{pid}/second/")
    assert status == 400 and "不能附议自己" in body["message"]
    status, body = call(people["proposer"], "post", f"/api/v1/proposals/{pid}/submit/")
    assert status == 409 and "附议人数不足" in body["message"]
    call(people["rep2"], "post", f"/api/v1/proposals/{pid}/second/")
    status, body = call(people["rep2"], "post", f"/api/v1/proposals/{pid}/second/")
    assert status == 400 and "已附议过" in body["message"]
    call(people["rep3"], "post", f"/api/v1/proposals/{pid}/second/")
    status, body = call(people["proposer"], "post", f"/api/v1/proposals/{pid}/submit/")
    assert status == 200 and body["status"] == "submitted" and body["seconders"] == ["吴代表", "郑代表"]
    status, body = call(people["committee"], "get", "/api/v1/tasks/?box=queue")
    assert [t["title"] for t in body["results"]] == ["提案审查"]
    assert engine.open_tasks_for(Proposal.objects.get()).count() == 1
    assert fresh(people["committee"]).has_perm("proposals.review_proposal", tree.a)
