"""The queue pages: 待办, 可认领, 已办, their filters, pagination, actions and query counts."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from viewflow.workflow.status import STATUS

from tests.factories import fresh
from workflows import consultations, engine, services
from workflows.models import Member, MembershipApplication

pytestmark = pytest.mark.django_db


def make_review_tasks(tree, count, unit=None):
    """``count`` open review tasks in ``unit`` (default 甲公司一车间分会), created by the real flow."""
    unit = unit or tree.a_branch
    employer = tree.employer_a if unit.path.startswith(tree.a.path) else tree.employer_b
    start = get_user_model().objects.count()
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bulk{start + i}", first_name=f"职工{start + i}") for i in range(count)]
    )
    Member.objects.bulk_create(
        [
            Member(
                user=u,
                employee_no=f"B{u.pk}",
                employer_unit=employer,
                org_unit=unit,
                membership=Member.Membership.NON_MEMBER,
            )
            for u in users
        ]
    )
    for user in users:
        services.membership_apply(actor=user, statement="本人自愿加入工会，遵守章程。")
    return users


@pytest.mark.parametrize("box", ["inbox", "queue", "archive"])
def test_queue_pages_use_a_constant_number_of_queries(client, tree, box, django_assert_max_num_queries):
    """≤ 10 queries with 10 tasks and with 1,000 (the note reports the exact counts)."""
    committee = tree.committee_a
    client.force_login(committee)
    url = reverse("task_list", args=[box])
    counts = []
    for total in (10, 1000):
        make_review_tasks(tree, total - MembershipApplication.objects.count())
        # put some in the inbox and some in the archive, so every box has rows
        for task in engine.open_tasks_for_all(status=STATUS.NEW)[:5]:
            engine.task_claim(task=task, actor=fresh(committee))
        for task in engine.open_tasks_for_all(status=STATUS.ASSIGNED)[:2]:
            engine.task_complete(task=task, actor=fresh(committee), data={"decision": "approve", "note": ""})
        # 11: the page's records are read once per record type, to title each task for its viewer (pii)
        with django_assert_max_num_queries(11) as captured:
            response = client.get(url, {"due": "", "flow": ""})
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_claimable_page_lists_only_tasks_in_scope(client, tree):
    make_review_tasks(tree, 3)
    make_review_tasks(tree, 2, unit=tree.b)
    client.force_login(tree.committee_b)
    response = client.get(reverse("task_list", args=["queue"]))
    assert response.content.decode().count('data-testid="task-row"') == 2
    client.force_login(tree.chair)
    response = client.get(reverse("task_list", args=["queue"]))
    assert response.content.decode().count('data-testid="task-row"') == 5


def test_filters_by_unit_and_due_and_pagination(client, tree, settings):
    settings.UNIONFLOW = {**settings.UNIONFLOW, "QUEUE_PAGE_SIZE": 2}
    make_review_tasks(tree, 3)
    make_review_tasks(tree, 2, unit=tree.b)
    client.force_login(tree.chair)
    page = client.get(reverse("task_list", args=["queue"]), {"unit": tree.b.pk}).content.decode()
    assert page.count('data-testid="task-row"') == 2 and "乙公司工会" in page
    page = client.get(reverse("task_list", args=["queue"]), {"due": "overdue"}).content.decode()
    assert "没有符合筛选条件的任务" in page
    seen, url = [], reverse("task_list", args=["queue"])
    for _ in range(3):
        page = client.get(url).content.decode()
        assert "共 5 项" in page
        seen += re.findall(r'href="/tasks/(\d+)/"', page)
        next_link = re.search(r'href="(\?[^"]*after=[^"]*)"', page)
        url = reverse("task_list", args=["queue"]) + html.unescape(next_link.group(1)) if next_link else None
    assert url is None and len(seen) == len(set(seen)) == 5  # three pages, 2 + 2 + 1, none twice


def test_task_page_claim_then_complete(client, tree):
    make_review_tasks(tree, 1)
    task = engine.open_tasks_for_all(status=STATUS.NEW).get()
    client.force_login(tree.committee_a)
    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "认领" in page and "职工" in page
    client.post(reverse("task_action", args=[task.pk, "claim"]))
    response = client.post(reverse("task_detail", args=[task.pk]), {"decision": "reject", "note": ""})
    assert "请填写原因" in response.content.decode()  # the form refuses, nothing changes
    assert MembershipApplication.objects.get().status == "submitted"
    response = client.post(reverse("task_detail", args=[task.pk]), {"decision": "approve", "note": "同意"}, follow=True)
    assert "已办结" in response.content.decode()
    assert MembershipApplication.objects.get().status == "approved"


def test_task_page_of_another_union_is_not_found(client, tree):
    make_review_tasks(tree, 1)
    task = engine.open_tasks_for_all(status=STATUS.NEW).get()
    client.force_login(tree.committee_b)
    assert client.get(reverse("task_detail", args=[task.pk])).status_code == 404
    assert client.post(reverse("task_action", args=[task.pk, "claim"])).status_code == 404


def test_bulk_approve_from_the_queue(client, tree):
    make_review_tasks(tree, 3)
    ids = [t.pk for t in engine.open_tasks_for_all(status=STATUS.NEW)]
    client.force_login(tree.committee_a)
    response = client.post(reverse("task_bulk"), {"task": ids, "box": "queue"}, follow=True)
    assert "已批量办结3项任务" in response.content.decode()
    assert set(MembershipApplication.objects.values_list("status", flat=True)) == {"approved"}


def test_bulk_with_a_task_out_of_scope_changes_nothing(client, tree):
    make_review_tasks(tree, 1)
    make_review_tasks(tree, 1, unit=tree.b)
    ids = [t.pk for t in engine.open_tasks_for_all(status=STATUS.NEW)]
    client.force_login(tree.committee_a)
    response = client.post(reverse("task_bulk"), {"task": ids, "box": "queue"}, follow=True)
    assert "部分任务已被他人处理或不在您的范围内" in response.content.decode()
    assert set(MembershipApplication.objects.values_list("status", flat=True)) == {"submitted"}


def test_bulk_does_each_task_it_can_and_reports_each_it_cannot(client, tree):
    from workflows.models import AuditEvent

    make_review_tasks(tree, 3)
    tasks = list(engine.open_tasks_for_all(status=STATUS.NEW))
    blocked = tasks[1]
    engine.task_claim(task=blocked, actor=fresh(tree.committee_a))
    blocked.refresh_from_db()
    consultations.consult(  # 加签: this one waits for the chair's opinion
        task=blocked, actor=fresh(tree.committee_a), consultant=fresh(tree.chair_a), question="是否属实？"
    )
    client.force_login(tree.committee_a)
    ids = [t.pk for t in tasks]
    events = AuditEvent.objects.count()
    page = client.post(reverse("task_bulk"), {"task": ids, "box": "queue"}, follow=True).content.decode()
    assert "已批量办结2项任务" in page and "以下1项未办理，保持原状" in page and "正在等待甲主席的意见" in page
    statuses = dict(MembershipApplication.objects.values_list("pk", "status"))
    assert sorted(statuses.values()) == ["approved", "approved", "submitted"]
    blocked.refresh_from_db()
    assert blocked.status == STATUS.ASSIGNED and AuditEvent.objects.count() == events + 2  # two approvals


def test_empty_queue_says_so(client, tree):
    client.force_login(tree.committee_a)
    assert "暂无待办任务" in client.get(reverse("task_list", args=["inbox"])).content.decode()


def test_the_chair_oversees_every_open_task_in_scope(client, tree, django_assert_max_num_queries):
    make_review_tasks(tree, 2)
    make_review_tasks(tree, 1, unit=tree.b)
    engine.task_claim(task=engine.open_tasks_for_all(status=STATUS.NEW).first(), actor=fresh(tree.committee_a))
    client.force_login(tree.chair_a)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("task_list", args=["overseen"])).content.decode()
    assert page.count('data-testid="task-row"') == 2 and "李委员" in page  # 甲's two, with who holds them
    client.force_login(tree.chair)
    assert client.get(reverse("task_list", args=["overseen"])).content.decode().count('data-testid="task-row"') == 3
    client.force_login(tree.committee_a)
    assert client.get(reverse("task_list", args=["overseen"])).status_code == 404


def test_the_unit_filter_offers_two_levels_but_accepts_any_unit_in_scope(client, tree):
    """A federation's chair gets their unit and the level below, not every 分会 of the province."""
    make_review_tasks(tree, 2)
    make_review_tasks(tree, 1, unit=tree.b)
    client.force_login(tree.chair)
    page = client.get(reverse("task_list", args=["queue"])).content.decode()
    assert f'value="{tree.b.pk}"' in page and f'value="{tree.a_branch.pk}"' not in page  # 分会 is level 2
    page = client.get(reverse("task_list", args=["queue"]), {"unit": tree.a_branch.pk}).content.decode()
    assert page.count('data-testid="task-row"') == 2 and f'value="{tree.a_branch.pk}" selected' in page


def test_search_finds_a_matter_by_its_number_or_its_title_and_no_one_by_name(client, tree):
    from viewflow.workflow.models import Task

    from workflows.models import MembershipApplication

    make_review_tasks(tree, 3)
    wanted = MembershipApplication.objects.order_by("pk")[1]
    client.force_login(tree.chair)
    url = reverse("task_list", args=["queue"])

    def found(q):
        page = client.get(url, {"q": q}).content.decode()
        return page.count('data-testid="task-row"'), page

    for q in (str(wanted.pk), f"第{wanted.pk}号"):
        count, page = found(q)
        [task_id] = set(re.findall(r'href="/tasks/(\d+)/"', page))
        assert count == 1 and Task.objects.get(pk=task_id).process.artifact_object_id == wanted.pk, q
    assert found("入会申请")[0] == 3  # the title's words
    count, page = found("职工")  # names are not searched: the queue's titles hold none
    assert count == 0 and "没有符合筛选条件的任务" in page
    assert found("x" * 61)[0] == 3  # too long: refused by the form, nothing filtered
