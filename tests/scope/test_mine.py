"""我发起的: a filer's records across every flow, where each stands and what is theirs to do."""

import pytest
from django.urls import reverse

from aid.flows import AidFlow
from cases import services as case_services
from tests.aid.conftest import apply
from tests.aid.test_aid_flow import task, visit
from tests.cases.conftest import file_kwargs
from tests.factories import fresh, make_user
from tests.proposals.conftest import submitted
from workflows import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def filings(tree, worker, aid_people, fund, period, congress, people):
    case = case_services.case_file(actor=fresh(worker), **file_kwargs())
    membership = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    application = apply(tree, aid_people["needy"])
    proposal = submitted(congress, people)
    return {"case": case, "membership": membership, "application": application, "proposal": proposal}


def page(client, user):
    client.force_login(user)
    response = client.get(reverse("mine"))
    assert response.status_code == 200
    return response.content.decode()


def test_each_filer_finds_what_they_filed_and_nothing_else(client, tree, worker, aid_people, people, filings):
    mine = page(client, worker)
    assert filings["case"].get_absolute_url() in mine and "劳动争议" in mine
    assert filings["application"].get_absolute_url() not in mine and filings["proposal"].get_absolute_url() not in mine
    assert "待认领" in mine  # the committee has not taken it yet
    mine = page(client, aid_people["needy"])
    assert filings["application"].get_absolute_url() in mine and filings["case"].get_absolute_url() not in mine
    assert "入户核实" in mine
    mine = page(client, people["proposer"])
    assert filings["proposal"].get_absolute_url() in mine
    mine = page(client, people["rep2"])  # a seconder reads the proposal in its list, but did not file it
    assert filings["proposal"].get_absolute_url() not in mine
    mine = page(client, tree.applicant_a)
    assert reverse("membership_detail", args=[filings["membership"].pk]) in mine


def test_what_is_the_filers_to_do_comes_first_with_its_button(client, tree, aid_people, filings):
    application = filings["application"]
    visit(application, tree.committee_a, returned=True, findings="缺少医院诊断证明")
    visit(application, aid_people["committee2"])
    correction = task(application, AidFlow.correct).get()
    mine = page(client, aid_people["needy"])
    assert "需要您处理 1 件" in mine
    assert f'<a class="btn primary" href="{reverse("task_detail", args=[correction.pk])}">补正材料</a>' in mine
    assert "已超期" not in mine


def test_someone_who_filed_nothing_is_told_how_to_start(client, tree):
    mine = page(client, make_user("newcomer", name="新职工", unit=tree.a_branch, employer=tree.employer_a))
    assert "您还没有发起过任何事项" in mine and reverse("cases:file") in mine


def test_the_page_reads_in_a_fixed_number_of_queries(client, tree, worker, filings, django_assert_max_num_queries):
    for _ in range(5):
        case_services.case_file(actor=fresh(worker), **file_kwargs())
    client.force_login(worker)
    client.get(reverse("mine"))  # warm the content-type cache, as a running server has it
    with django_assert_max_num_queries(14):
        response = client.get(reverse("mine"))
    assert response.content.decode().count('data-testid="filed"') == 6
