"""数据看板's 困难帮扶发放 chart: payments counted by the month they were paid, each bar leading to
the list of those applications (发放日期 in the list's filter)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aid.flows import AidFlow
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, disburse, through_review

pytestmark = pytest.mark.django_db


def test_the_paid_chart_counts_payments_and_leads_to_the_paid_applications(client, tree, aid_people, fund):
    hardship_file(tree, aid_people["needy"])
    hardship_file(tree, aid_people["needy2"], id_number="330102198001015678")
    paid = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    approve(paid, AidFlow.approve, tree.chair_a, fund)
    disburse(paid, AidFlow.disburse, aid_people["finance"])
    approved = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy2"])))
    approve(approved, AidFlow.approve, tree.chair_a, fund)  # approved, not yet paid: not counted

    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:live"), {"unit": tree.a.pk}).content.decode()
    chart = next(c for c in page.split('data-testid="trend"')[1:] if "困难帮扶发放" in c.split("</figcaption>")[0])
    bars = re.findall(r'<a href="([^"]+)" data-testid="bar"><title>(\d+)月：(\d+)笔</title>', chart)
    month = timezone.localdate().month
    counted = {int(m): int(n) for _url, m, n in bars}
    assert counted[month] == 1 and sum(counted.values()) == 1
    url = next(url for url, m, _n in bars if int(m) == month).replace("&amp;", "&")
    listing = client.get(url).content.decode()
    assert f'href="/aid/applications/{paid.pk}/"' in listing
    assert f'href="/aid/applications/{approved.pk}/"' not in listing
    assert '<option value="paid" selected>发放日期</option>' in listing
