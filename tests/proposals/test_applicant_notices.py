"""The proposer is told of the committee's decision (立案, not, 并案, 转为意见建议) and of the archive."""

import pytest

from tests.proposals.conftest import submitted
from tests.proposals.test_proposal_flow import due_in, review
from workflows.models import Notification

pytestmark = pytest.mark.django_db


def test_the_proposer_hears_of_acceptance(congress, people, departments, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = review(
            submitted(congress, people), people, decision="accept", lead=departments["lead"], answer_due=due_in(60)
        )
    [note] = Notification.objects.filter(recipient=people["proposer"], kind="info")
    assert note.title == f"提案已立案：{proposal.title}" and note.url == proposal.get_absolute_url()


def test_the_proposer_hears_why_it_was_not_accepted(congress, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review(submitted(congress, people), people, decision="reject", note="属于个人诉求，建议通过信访渠道反映")
    [note] = Notification.objects.filter(recipient=people["proposer"], kind="info")
    assert note.title.startswith("提案不予立案") and "属于个人诉求" in note.body
