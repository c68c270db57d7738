"""The applicant (and whoever applied for them) is told when the application is approved or not,
and when the money is paid, with a link to the application."""

import pytest

from aid.flows import AidFlow
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, disburse, through_review
from workflows.models import Notification

pytestmark = pytest.mark.django_db


def test_the_applicant_hears_of_approval_and_payment(tree, aid_people, fund, django_capture_on_commit_callbacks):
    needy = aid_people["needy"]
    hardship_file(tree, needy)
    with django_capture_on_commit_callbacks(execute=True):
        application = after_publicity(through_review(tree, aid_people, apply(tree, needy)))
        approve(application, AidFlow.approve, tree.chair_a, fund, amount="2500")
        disburse(application, AidFlow.disburse, aid_people["finance"])
    notes = list(Notification.objects.filter(recipient=needy, kind="info").order_by("pk"))
    assert [n.title.split("：")[0] for n in notes] == ["帮扶申请已批准", "帮扶资金已发放"]
    assert "2500.00元" in notes[0].body and "2500.00元已发放" in notes[1].body
    assert {n.url for n in notes} == {application.get_absolute_url()}
    assert "张小明" not in "".join(n.title for n in notes)  # the title names no one


def test_a_refusal_is_told_with_its_reason(tree, aid_people, fund, django_capture_on_commit_callbacks):
    needy = aid_people["needy"]
    hardship_file(tree, needy)
    with django_capture_on_commit_callbacks(execute=True):
        application = after_publicity(through_review(tree, aid_people, apply(tree, needy)))
        approve(application, AidFlow.approve, tree.chair_a, fund, decision="reject", note="本年度已获同类救助")
    [note] = Notification.objects.filter(recipient=needy, kind="info")
    assert note.title.startswith("帮扶申请未获批准") and "本年度已获同类救助" in note.body
