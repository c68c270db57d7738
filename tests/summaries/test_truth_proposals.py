"""The proposals chapter tells a rating in the order it happened, from real records: the first
rating, the re-handling, the rating of the second answer — never 不满意0件 beside 对不满意的1件."""

import pytest
from django.utils import timezone

from summaries import figures, narrative, textcheck
from tests.proposals.conftest import congress, departments, people  # noqa: F401
from tests.proposals.test_summary_and_web import congress_outcomes  # noqa: F401
from workflows.models import Period

pytestmark = pytest.mark.django_db


def test_a_congress_with_a_re_handled_proposal_reads_in_order(tree, congress_outcomes):  # noqa: F811
    today = timezone.localdate()
    period = Period.objects.create(org_unit=tree.a, year=today.year, kind="H1" if today.month <= 6 else "H2")
    snapshot = figures.collect(tree.a, period)
    lines = narrative.paragraph("proposals", narrative.context(snapshot, period))
    assert textcheck.problems(lines, period, snapshot) == []
    text = "".join(lines)
    assert "共收到职工代表提案7件，经提案工作委员会审查，立案4件，转为意见建议1件，并案1件，不予立案1件。" in text
    assert "承办部门已答复4件，均按期答复；已解决2件，正在解决或列入计划2件；尚有1件正在办理，结转下期督办。" in text
    first = text.index("提案人对首次答复表示满意1件、基本满意1件、不满意1件。另有1件提案人未反馈。")
    again = text.index("对不满意的1件提案，督促承办部门再次办理；再次答复后，提案人表示不满意1件。")
    final = text.index("按最终评价计，满意率66.7%。")
    assert first < again < final and "0件" not in text
