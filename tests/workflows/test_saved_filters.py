"""我的筛选: a list's filters saved under a name appear in the sidebar, on every page, without a query."""

import pytest
from django.urls import reverse

from workflows.models import SavedFilter

pytestmark = pytest.mark.django_db


def save(client, **data):
    return client.post(reverse("saved_filter_save"), data, follow=True)


def test_a_saved_filter_appears_in_the_sidebar_and_opens_the_filtered_list(client, tree):
    client.force_login(tree.chair_a)
    page = client.get(reverse("cases:list"), {"status": "registered", "page": "2"}).content.decode()
    assert "保存此筛选" in page
    response = save(client, name="待受理案件", list="cases:list", query="status=registered&page=2&export=xlsx")
    assert response.redirect_chain[-1][0] == reverse("cases:list") + "?status=registered"  # no page, no export
    page = response.content.decode()
    assert "已保存筛选“待受理案件”" in page and 'data-testid="saved-filter"' in page and "我的筛选" in page
    assert "待受理案件" in client.get(reverse("dashboard")).content.decode()  # on every page
    save(client, name="超期任务", list="task_list", box="overseen", query="due=overdue")
    assert SavedFilter.objects.get(name="超期任务").get_absolute_url() == "/tasks/box/overseen/?due=overdue"


def test_bad_saves_are_refused_with_a_message(client, tree):
    client.force_login(tree.chair_a)
    save(client, name="甲", list="cases:list", query="status=registered")
    for data, message in [
        ({"name": "", "list": "cases:list", "query": "a=1"}, "请为筛选起个名字"),
        ({"name": "甲", "list": "cases:list", "query": "a=1"}, "已有名为“甲”的筛选"),
        ({"name": "乙", "list": "admin:index", "query": "a=1"}, "该页面不能保存筛选"),
        ({"name": "丙", "list": "task_list", "box": "nope", "query": "a=1"}, "该页面不能保存筛选"),
    ]:
        assert message in save(client, back="/cases/", **data).content.decode()
    assert SavedFilter.objects.count() == 1


def test_each_sees_and_deletes_only_their_own(client, tree):
    client.force_login(tree.chair_a)
    save(client, name="甲", list="cases:list", query="status=registered")
    saved = SavedFilter.objects.get()
    client.force_login(tree.committee_a)
    assert 'data-testid="saved-filter"' not in client.get(reverse("dashboard")).content.decode()
    assert client.post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 404
    client.force_login(tree.chair_a)  # a new login loads them into the session
    assert 'data-testid="saved-filter"' in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()
    assert 'data-testid="saved-filter"' not in client.get(reverse("dashboard")).content.decode()
