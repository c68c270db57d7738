"""抄送: a reader copies a record to colleagues, who may then read it and find it under 抄送我的."""

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs, worker  # noqa: F401  (fixture)
from tests.factories import fresh, grant, make_user
from workflows import copies
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import AuditEvent, Notification, RecordCopy
from workflows.roles import Role
from workflows.selectors import may_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(tree):
    return grant(make_user("finance_a", name="周财务", unit=tree.a, employer=tree.employer_a), Role.FINANCE, tree.a)


@pytest.fixture
def case(tree, worker):  # noqa: F811
    return case_services.case_file(actor=fresh(worker), **file_kwargs())


def actions(record):
    return list(AuditEvent.objects.for_record(record).values_list("action", flat=True))


def test_a_copy_lets_its_recipient_read_the_record_masked_by_their_role(tree, case, finance, client):
    assert not may_read(fresh(finance), case)  # finance reads no labour dispute of its own
    made = copies.copy_record(record=case, actor=fresh(tree.committee_a), people=[fresh(finance)], note="请知悉")
    assert [c.recipient for c in made] == [finance]
    assert may_read(fresh(finance), case)
    assert actions(case)[-1] == "copy"
    event = AuditEvent.objects.for_record(case).get(action="copy")
    assert event.actor == tree.committee_a and "周财务" in event.reason and "请知悉" in event.reason
    note = Notification.objects.get(recipient=finance)
    assert note.kind == Notification.Kind.COPY and "李委员抄送给您" in note.title
    assert "孙工人" not in note.title and "孙*人" in note.title  # the name as the recipient may see it

    client.force_login(finance)
    listing = client.get(reverse("copied"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "孙*人" in text and "孙工人" not in text and "未读" in text and "请知悉" in text
    opened = client.get(note.url)  # the notification's link marks the copy read and opens the record
    assert opened.status_code == 302 and opened["Location"] == case.get_absolute_url()
    assert RecordCopy.objects.get().read_at is not None
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and "孙工人" not in page.content.decode()
    assert "抄送我的" in page.content.decode()  # the sidebar link
    assert 'data-testid="copy-link"' not in page.content.decode()  # a copy is read, not passed on


def test_a_role_is_copied_to_everyone_holding_it_above_the_record(tree, case, finance):
    top_finance = grant(
        make_user("finance_top", name="吴财务", unit=tree.top, employer=tree.employer_a), Role.FINANCE, tree.top
    )
    grant(
        make_user("finance_b", name="郑财务", unit=tree.b, employer=tree.employer_b), Role.FINANCE, tree.b
    )  # another union's
    made = copies.copy_record(record=case, actor=fresh(tree.committee_a), roles=[Role.FINANCE])
    assert {c.recipient for c in made} == {finance, top_finance}


def test_copying_again_to_the_same_people_changes_nothing(tree, case, finance):
    copies.copy_record(record=case, actor=fresh(tree.committee_a), people=[fresh(finance)])
    with pytest.raises(WorkflowError, match="都已收到过"):
        copies.copy_record(record=case, actor=fresh(tree.chair_a), people=[fresh(finance)])
    assert RecordCopy.objects.count() == 1 and actions(case).count("copy") == 1


@pytest.mark.parametrize(
    ("sender", "people", "roles", "error"),
    [
        ("worker", ["finance"], [], NotPermitted),  # the filer does not copy the union's record
        ("committee_b", ["finance"], [], NotPermitted),  # another union's member reads none of it
        ("finance", ["chair_a"], [], NotPermitted),  # a recipient reads it, does not pass it on
        ("committee_a", ["committee_b"], [], WorkflowError),  # another union's staff
        ("committee_a", ["applicant_a"], [], WorkflowError),  # a worker is no colleague
        ("committee_a", [], [Role.EMPLOYEE], WorkflowError),  # nor are workers as a role
        ("committee_a", [], [Role.DEPARTMENT], WorkflowError),  # nobody holds the role here
        ("committee_a", [], [], WorkflowError),  # nobody chosen
    ],
)
def test_a_copy_is_refused_and_nothing_changes(tree, case, finance, worker, sender, people, roles, error):  # noqa: F811
    named = {"finance": finance, "worker": worker}
    if sender == "finance":
        copies.copy_record(record=case, actor=fresh(tree.committee_a), people=[fresh(finance)])
    before = RecordCopy.objects.count(), Notification.objects.count(), actions(case)
    with pytest.raises(error):
        copies.copy_record(
            record=case,
            actor=fresh(named.get(sender) or getattr(tree, sender)),
            people=[fresh(named.get(p) or getattr(tree, p)) for p in people],
            roles=roles,
        )
    assert (RecordCopy.objects.count(), Notification.objects.count(), actions(case)) == before


def test_the_copy_page_offers_the_unions_staff_and_refuses_a_malformed_body(tree, case, finance, client):
    client.force_login(tree.committee_a)
    url = reverse("record_copy", args=["cases.grievancecase", case.pk])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "周财务" in text and "甲主席" in text
    assert "王委员" not in text and "张三" not in text  # another union's staff, a worker
    for body in ({}, {"people": ["x"]}, {"people": [tree.committee_b.pk]}, {"roles": ["nobody"]}, {"note": "长" * 201}):
        refused = client.post(url, body)
        assert refused.status_code == 400, body
        assert "未抄送" in refused.content.decode()
    assert not RecordCopy.objects.exists()
    done = client.post(url, {"people": [finance.pk], "note": "供发放参考"}, follow=True)
    assert "已抄送给周财务" in done.content.decode()
    assert RecordCopy.objects.get().recipient == finance


def test_an_outsider_learns_nothing_of_the_record(tree, case, client):
    client.force_login(tree.committee_b)
    assert client.get(reverse("record_copy", args=["cases.grievancecase", case.pk])).status_code == 404
    assert client.get(reverse("record_copy", args=["cases.nothing", case.pk])).status_code == 404
    assert client.get(reverse("record_copy", args=["cases.grievancecase", 10**9])).status_code == 404


def test_a_reader_who_may_not_copy_is_told_so(tree, case, worker, client):  # noqa: F811
    client.force_login(worker)  # the filer reads the case
    url = reverse("record_copy", args=["cases.grievancecase", case.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"people": [tree.chair_a.pk]}).status_code == 403
    assert not RecordCopy.objects.exists()


def test_a_copy_opens_only_for_its_recipient(tree, case, finance, client):
    copy = copies.copy_record(record=case, actor=fresh(tree.committee_a), people=[fresh(finance)])[0]
    client.force_login(tree.chair_a)
    assert client.get(reverse("copy_open", args=[copy.pk])).status_code == 404
    assert RecordCopy.objects.get().read_at is None


def test_copied_to_me_reads_in_a_fixed_number_of_queries(tree, finance, worker, client, django_assert_max_num_queries):  # noqa: F811
    for i in range(6):
        record = case_services.case_file(actor=fresh(worker), **file_kwargs(facts=f"第{i}次：工资未按时足额发放。"))
        copies.copy_record(record=record, actor=fresh(tree.committee_a), people=[fresh(finance)])
    client.force_login(finance)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("copied"))
    assert page.content.decode().count('data-testid="copied"') == 6
    assert GrievanceCase.objects.count() == 6


def test_nothing_copied_says_so(tree, client):
    client.force_login(tree.committee_a)
    page = client.get(reverse("copied"))
    assert "还没有人抄送事项给您" in page.content.decode()
