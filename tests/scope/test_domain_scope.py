"""Scope is per domain: a role reads the records of the flows that declare it a reader, within its
org scope; the person a record is about reads it whatever their roles.  Comments, attachments, the
task pages and the API follow the same rule as the lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aid import selectors as aid_selectors
from aid.flows import AidFlow
from aid.models import AidApplication
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import GrievanceCase
from proposals import selectors as proposal_selectors
from proposals.models import Proposal
from tests.aid.conftest import apply
from tests.cases.conftest import file_kwargs
from tests.factories import fresh, grant, make_user
from tests.proposals.conftest import draft
from workflows import engine, services
from workflows.errors import NotPermitted
from workflows.models import Attachment, Comment, MembershipApplication
from workflows.roles import ROLE_PERMISSIONS, Role, roles_granting

pytestmark = pytest.mark.django_db


def role_holder(tree, role, unit=None, *, member=False):
    """A user whose only standing is ``role`` in ``unit`` (no member profile unless asked)."""
    user = make_user(
        name=f"{Role(role).label}甲",
        unit=tree.a if member else None,
        employer=tree.employer_a if member else None,
        member=member,
    )
    return fresh(grant(user, role, unit or tree.a))


def upload():
    return SimpleUploadedFile("证据.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.fixture
def case(tree, worker):
    case = case_services.case_file(actor=fresh(worker), **file_kwargs())
    services.attachment_add(record=case, actor=fresh(worker), upload=upload())
    return case


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PROPOSAL_COMMITTEE, Role.DEPARTMENT])
def test_roles_outside_labour_disputes_neither_read_nor_comment_nor_attach(client, tree, case, role):
    outsider = role_holder(tree, role)
    assert not case_selectors.cases_visible_to(outsider).exists()
    client.force_login(outsider)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").json()["count"] == 0
    attachment = Attachment.objects.for_record(case).get()
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404
    with pytest.raises(NotPermitted):
        services.comment_add(record=case, actor=outsider, body="看看")
    with pytest.raises(NotPermitted):
        services.attachment_add(record=case, actor=outsider, upload=upload())
    assert client.post(reverse("cases:action", args=[case.pk, "comment"]), {"body": "看看"}).status_code == 404
    assert not Comment.objects.exists() and Attachment.objects.count() == 1


@pytest.fixture
def aid_application(tree, fund, period):
    needy = make_user("needy", name="张小明", unit=tree.a_branch, employer=tree.employer_a)
    return apply(tree, needy)


def test_a_mediator_reads_no_aid_application_nor_its_tasks_nor_the_funds(client, tree, mediator, aid_application):
    mediator = fresh(mediator)
    assert not aid_selectors.applications_visible_to(mediator).exists()
    assert not aid_selectors.fund_balances(mediator).exists()
    client.force_login(mediator)
    assert client.get(aid_application.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/aid/applications/{aid_application.pk}/").status_code == 404
    assert client.get("/api/v1/aid/applications/funds/").json() == []
    visit = engine.open_tasks_for(aid_application).filter(flow_task=AidFlow.home_visit).first()
    assert client.get(reverse("task_detail", args=[visit.pk])).status_code == 404
    assert client.get(f"/api/v1/tasks/{visit.pk}/").status_code == 404
    assert "资金余额" not in client.get(reverse("aid:list")).content.decode()


def test_finance_reads_no_membership_application(client, tree):
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    finance = role_holder(tree, Role.FINANCE)
    client.force_login(finance)
    assert client.get(reverse("membership_detail", args=[application.pk])).status_code == 404
    assert client.get(f"/api/v1/membership-applications/{application.pk}/").status_code == 404
    review = engine.open_tasks_for(application).get()
    assert client.get(f"/api/v1/tasks/{review.pk}/").status_code == 404
    with pytest.raises(NotPermitted):
        services.comment_add(record=application, actor=finance, body="看看")


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.FINANCE, Role.COMMITTEE])
def test_a_role_that_does_not_read_proposals_reads_none_through_its_scope(client, tree, congress, people, role):
    proposal = draft(congress, people["proposer"])
    outsider = role_holder(tree, role)  # no member profile: only the role could let them in
    assert not proposal_selectors.proposals_visible_to(outsider).exists()
    client.force_login(outsider)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    insider = role_holder(tree, Role.PROPOSAL_COMMITTEE)
    assert list(proposal_selectors.proposals_visible_to(insider)) == [proposal]


def test_the_person_concerned_and_the_upper_union_still_read(
    client, tree, worker, case, aid_application, congress, people
):
    from workflows.selectors import records_readable_by

    membership = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    proposal = draft(congress, people["proposer"])
    upper = role_holder(tree, Role.UPPER_UNION, tree.top)
    for user, record in [
        (worker, case),
        (aid_application.member.user, aid_application),
        (tree.applicant_a, membership),
        (people["proposer"], proposal),
        *[(upper, r) for r in (case, aid_application, membership, proposal)],
        *[(tree.chair_a, r) for r in (case, aid_application, membership, proposal)],
    ]:
        assert records_readable_by(fresh(user), type(record)).filter(pk=record.pk).exists(), (user, record)
    client.force_login(worker)
    attachment = Attachment.objects.for_record(case).get()
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200
    client.force_login(upper)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200


def test_each_domain_declares_its_readers():
    """The table in workflows/roles.py, pinned: who reads what is a decision, not an accident."""
    readers = {
        model: set(roles_granting(model.read_permission))
        for model in (GrievanceCase, AidApplication, Proposal, MembershipApplication)
    }
    overseers = {Role.CHAIR, Role.UPPER_UNION, Role.ADMIN}
    assert readers[GrievanceCase] == {Role.MEDIATOR, Role.COMMITTEE} | overseers
    assert readers[AidApplication] == {Role.COMMITTEE, Role.FINANCE} | overseers
    assert readers[Proposal] == {Role.REPRESENTATIVE, Role.PROPOSAL_COMMITTEE, Role.DEPARTMENT} | overseers
    assert readers[MembershipApplication] == {Role.COMMITTEE} | overseers
    assert not any("workflows.view_records" in perms for perms in ROLE_PERMISSIONS.values())


def test_whoever_works_a_flows_tasks_reads_its_records():
    """No role is handed a task on a record it may not open, nor oversees tasks it cannot read."""
    from django.apps import apps

    from workflows.engine import HumanTask, UnionFlow
    from workflows.views.queue import _all_subclasses

    worked = set()
    for flow_class in set(_all_subclasses(UnionFlow)):
        for node in flow_class.instance.nodes():
            perm = getattr(node, "_owner_permission", None)
            if isinstance(node, HumanTask) and perm:
                app_label, codename = perm.split(".")
                model = apps.get_model(app_label, codename.rsplit("_", 1)[1])  # review_proposal → Proposal
                worked.add(model)
                for role in roles_granting(perm):
                    assert model.read_permission in ROLE_PERMISSIONS[role], (flow_class, node, role)
    assert worked == {GrievanceCase, AidApplication, Proposal, MembershipApplication}
    for model in worked:
        for role in roles_granting("workflows.reassign_task"):
            assert model.read_permission in ROLE_PERMISSIONS[role], (model, role)


def test_an_outsider_is_told_404_before_the_body_is_read(client, tree):
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    client.force_login(role_holder(tree, Role.FINANCE))
    url = f"/api/v1/membership-applications/{application.pk}/withdraw/"
    response = client.post(url, {"reason": ["not", "text"]}, content_type="application/json")
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_the_read_rule_is_one_query_per_list_and_per_check(tree, case, congress, people, django_assert_num_queries):
    from workflows.selectors import may_read

    draft(congress, people["proposer"])
    chair, proposer = fresh(tree.chair_a), fresh(people["proposer"])
    chair.has_perm("cases.view_grievancecase")  # the role cache, once per request
    proposer.has_perm("proposals.view_proposal")  # scope is read from it, not per row in the SQL
    with django_assert_num_queries(1):
        assert len(case_selectors.cases_visible_to(chair)) == 1
    with django_assert_num_queries(1):
        assert len(proposal_selectors.proposals_visible_to(proposer)) == 1  # 提案公开, in the same SQL
    with django_assert_num_queries(1):
        assert may_read(chair, case)
