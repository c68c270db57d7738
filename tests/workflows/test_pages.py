"""Every page renders in Chinese for each kind of user, and asks for a login first."""

import pytest
from django.urls import reverse

from workflows import services

pytestmark = pytest.mark.django_db

PAGES = [
    "dashboard",
    "membership_list",
    "notification_list",
    ("task_list", "inbox"),
    ("task_list", "queue"),
    ("task_list", "archive"),
]


def url_of(page):
    return reverse(page[0], args=page[1:]) if isinstance(page, tuple) else reverse(page)


@pytest.mark.parametrize("page", PAGES)
def test_pages_need_a_login(client, page):
    response = client.get(url_of(page))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["chair", "committee_a", "applicant_a", "applicant_b"])
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_for_every_role(client, tree, who, page):
    services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    client.force_login(getattr(tree, who))
    response = client.get(url_of(page))
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_login_page_is_chinese(client):
    assert "工会事务流转平台" in client.get(reverse("login")).content.decode()


def test_a_worker_applies_from_the_web(client, tree):
    client.force_login(tree.applicant_a)
    assert "申请入会" in client.get(reverse("dashboard")).content.decode()
    response = client.post(reverse("membership_apply"), {"statement": "短"})
    assert "至少" in response.content.decode() or "确保" in response.content.decode()
    response = client.post(reverse("membership_apply"), {"statement": "本人自愿加入工会，遵守工会章程。"}, follow=True)
    assert "入会申请已提交" in response.content.decode()


def test_registering_on_behalf_is_for_union_workers(client, tree):
    client.force_login(tree.applicant_a)
    assert client.get(reverse("cases:register")).status_code == 404
    client.force_login(tree.committee_a)
    page = client.get(reverse("cases:register")).content.decode()
    assert "甲公司" in page and "乙公司" not in page  # only employers in the worker's union scope


def test_the_period_page_is_for_chairs(client, tree):
    client.force_login(tree.committee_a)
    assert client.get(reverse("period_list")).status_code == 404
    client.force_login(tree.chair)
    assert client.get(reverse("period_list")).status_code == 200


def test_not_found_is_a_chinese_page_for_everyone(client, tree):
    assert "页面不存在" in client.get("/no-such-page/").content.decode()
    client.force_login(tree.committee_a)
    response = client.get("/cases/999999/")
    assert response.status_code == 404 and "返回工作台" in response.content.decode()
