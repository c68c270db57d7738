"""撤回: the proposer withdraws a proposal not yet decided; the review ends, the seconders are told."""

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Proposal
from tests.factories import fresh
from tests.proposals.conftest import draft, submitted
from tests.proposals.test_proposal_flow import review
from workflows import engine
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


def test_the_proposer_withdraws_a_submitted_proposal_and_its_review_ends(tree, congress, people):
    proposal = submitted(congress, people)
    assert engine.open_tasks_for(proposal).exists()
    proposal = services.proposal_withdraw(proposal=proposal, actor=fresh(people["proposer"]), reason="情况已解决")
    assert proposal.status == Proposal.Status.WITHDRAWN
    assert not engine.open_tasks_for(proposal).exists()
    event = AuditEvent.objects.for_record(proposal).get(action="withdraw")
    assert event.actor == people["proposer"] and event.reason == "情况已解决"
    told = set(Notification.objects.filter(title__contains="已由提案人撤回").values_list("recipient", flat=True))
    assert told == {people["rep2"].pk, people["rep3"].pk}


@pytest.mark.parametrize("who", ["rep2", "committee"])
def test_only_the_proposer_withdraws(tree, congress, people, who):
    proposal = submitted(congress, people)
    with pytest.raises(NotPermitted):
        services.proposal_withdraw(proposal=proposal, actor=fresh(people[who]), reason="不想要了")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED and engine.open_tasks_for(proposal).exists()


def test_no_withdrawal_without_a_reason_or_once_decided(tree, congress, people):
    proposal = draft(congress, people["proposer"])
    with pytest.raises(WorkflowError):
        services.proposal_withdraw(proposal=proposal, actor=fresh(people["proposer"]), reason="  ")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT
    decided = submitted(congress, people, title="关于调整班车线路的提案")
    decided = review(decided, people, decision="reject", note="不属于提案范围")
    assert decided.status == Proposal.Status.REJECTED
    decided.refresh_from_db()
    with pytest.raises(WorkflowError):
        services.proposal_withdraw(proposal=decided, actor=fresh(people["proposer"]), reason="不想要了")


def test_the_page_and_the_api(client, tree, congress, people):
    proposal = draft(congress, people["proposer"])
    url = reverse("proposals:action", args=[proposal.pk, "withdraw"])
    client.force_login(people["rep2"])
    assert "撤回提案" not in client.get(proposal.get_absolute_url()).content.decode()
    client.force_login(people["proposer"])
    assert "撤回提案" in client.get(proposal.get_absolute_url()).content.decode()
    page = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "请填写" in page or "原因" in page
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT
    api = f"/api/v1/proposals/{proposal.pk}/withdraw/"
    assert client.post(api, {}, content_type="application/json").status_code == 400
    response = client.post(api, {"reason": "重复了"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
