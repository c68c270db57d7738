"""A dispute's applicant (name, phone) is shown to those handling it, masked to everyone else."""

import io

import pytest
from docx import Document

from cases import services
from tests.cases.conftest import register_kwargs
from tests.cases.test_case_flow import accept
from tests.factories import fresh, grant, make_user
from workflows.models import AuditEvent
from workflows.roles import Role

pytestmark = pytest.mark.django_db
PHONE = "13800000000"


@pytest.fixture
def readers(tree):
    """Roles that read union records but handle no dispute."""
    return {
        "finance": grant(make_user("fin", name="赵会计", unit=tree.a, employer=tree.employer_a), Role.FINANCE, tree.a),
        "proposals": grant(
            make_user("tiwei", name="提委会", unit=tree.a, employer=tree.employer_a), Role.PROPOSAL_COMMITTEE, tree.a
        ),
    }


def test_the_cases_api_does_not_give_the_phone_to_finance_or_the_proposal_committee(client, tree, mediator, readers):
    """Measured: /api/v1/cases/ returned the applicant's phone to 财务 and 提案工作委员会."""
    case = services.case_register(actor=fresh(tree.committee_a), **register_kwargs(tree))
    for reader in readers.values():
        client.force_login(reader)
        for url in ("/api/v1/cases/", f"/api/v1/cases/{case.pk}/", "/cases/", f"/cases/{case.pk}/"):
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code in (200, 404) and PHONE not in body and "钱某" not in body, (reader, url)
        row = client.get(f"/api/v1/cases/{case.pk}/")
        if row.status_code == 200:  # (another change may take disputes out of their scope entirely)
            assert (row.json()["applicant_phone"], row.json()["applicant_name"]) == ("138****0000", "钱*")
    assert not AuditEvent.objects.filter(action="view_pii").exists()


def test_the_mediator_sees_the_phone_and_each_sight_is_audited_once_per_request(client, tree, mediator):
    case = services.case_register(actor=fresh(tree.committee_a), **register_kwargs(tree))
    client.force_login(mediator)  # not yet theirs: masked
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["applicant_phone"] == "138****0000"
    accept(case, tree.chair_a, mediator)
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert (detail["applicant_phone"], detail["applicant_name"]) == (PHONE, "钱某")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert PHONE in page
    events = AuditEvent.objects.filter(action="view_pii", actor=mediator, object_id=case.pk)
    assert [e.reason for e in events] == ["联系电话", "联系电话"]  # one per request, the page showed it twice
    assert len({e.request_id for e in events}) == 2


def test_the_registrar_and_the_applicant_see_it_without_the_applicant_being_audited(client, tree, worker, mediator):
    from workflows.models import Member

    Member.objects.filter(user=worker).update(phone="13911112222")
    case = services.case_file(
        actor=fresh(worker), category="wages", facts="欠薪", claims="支付", workers_involved=1, amount_claimed=1
    )
    client.force_login(worker)
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["applicant_phone"] == "13911112222"
    assert not AuditEvent.objects.filter(action="view_pii").exists()  # one's own data
    client.force_login(tree.committee_a)  # may accept it, so knows whose it is; the phone waits for the task
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert (detail["applicant_name"], detail["applicant_phone"]) == ("孙工人", "139****2222")


def test_documents_are_written_for_who_downloads_them(client, tree, mediator, readers):
    from workflows.transitions import run_transition

    m = fresh(mediator)
    case = services.case_register(actor=m, **register_kwargs(tree))
    run_transition(case, "reject", actor=m, rejection_reason="no_consent", note="单位明确拒绝调解")
    client.force_login(readers["finance"])
    response = client.get(f"/cases/{case.pk}/documents/rejection.docx")
    if response.status_code == 200:
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        assert "钱*：" in text and "钱某" not in text
    client.force_login(mediator)
    text = "\n".join(
        p.text
        for p in Document(io.BytesIO(client.get(f"/cases/{case.pk}/documents/rejection.docx").content)).paragraphs
    )
    assert "钱某：" in text


def test_the_membership_api_masks_the_applicant_to_roles_that_do_not_review_it(client, tree, readers):
    from workflows import services as core

    core.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    client.force_login(readers["finance"])
    rows = client.get("/api/v1/membership-applications/").json()["results"]
    assert all(r["applicant"] == "张*" for r in rows)
    client.force_login(tree.committee_a)
    assert client.get("/api/v1/membership-applications/").json()["results"][0]["applicant"] == "张三"
