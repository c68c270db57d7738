"""流程进度: each record shows its flow's steps, the path taken and where it stands now."""

import re

import pytest
from django.urls import reverse

from tests.factories import fresh
from workflows import engine, services

pytestmark = pytest.mark.django_db


def steps(page):
    found = re.search(r'<ol class="flow-steps".*?</ol>', page, re.S).group(0)
    return re.findall(r'<li class="(\w+)".*?<span class="label">(.*?)</span>', found, re.S)


def test_the_record_page_shows_the_path_taken_and_the_current_step(client, tree):
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守工会章程。")
    url = reverse("membership_detail", args=[application.pk])
    client.force_login(tree.applicant_a)
    page = client.get(url).content.decode()
    assert steps(page) == [("done", "提交登记"), ("current", "审核入会申请"), ("todo", "办结")]
    assert 'aria-current="step"' in page and "（当前环节）" in page
    task = engine.open_tasks_for(application).get()
    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    engine.task_complete(task=task, actor=fresh(tree.committee_a), data={"decision": "approve", "note": "同意"})
    assert steps(client.get(url).content.decode()) == [("done", "提交登记"), ("done", "审核入会申请"), ("done", "办结")]
