"""The worker in dispute is told when the case is accepted and when an agreement is reached (in the
app, by email where an address exists), with a link to the case they may open."""

import pytest

from cases import services
from tests.cases.conftest import file_kwargs
from tests.cases.test_case_flow import AGREEMENT, accept, conclude
from workflows.models import Notification

pytestmark = pytest.mark.django_db


def test_the_worker_hears_of_acceptance_and_agreement(
    client, tree, worker, mediator, django_capture_on_commit_callbacks
):
    worker.email = "worker@example.org"
    worker.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_file(actor=worker, **file_kwargs())
        accept(case, tree.committee_a, mediator)
        conclude(case, mediator, **AGREEMENT)
    notes = list(Notification.objects.filter(recipient=worker, kind="info").order_by("pk"))
    assert [n.title.split("：")[0] for n in notes] == ["已受理", "调解成功"]
    assert "调解员张调解" in notes[0].body and "8000.00元" in notes[1].body
    assert all(n.url == case.get_absolute_url() and n.email_pending is False for n in notes)  # emailed (eager)
    client.force_login(worker)
    assert client.get(notes[0].url).status_code == 200  # the link leads to a page they may open
    # nobody else is told: not the committee member, not the mediator
    assert not Notification.objects.filter(kind="info", title__startswith="已受理").exclude(recipient=worker).exists()


def test_a_case_registered_for_someone_without_an_account_tells_no_one(
    tree, mediator, django_capture_on_commit_callbacks
):
    from tests.cases.conftest import register_kwargs

    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_register(actor=tree.committee_a, **register_kwargs(tree))
        accept(case, tree.committee_a, mediator)
    assert not Notification.objects.filter(title__startswith="已受理").exists()
