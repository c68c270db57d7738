"""The broker down while people work: what they do is saved and the page says so — never an error
page for a change that was committed (an error page says 您的操作未被保存 and invites a second try).
What the broker should have carried waits: an email in its outbox, a ping or a notice in the outbox."""

import pytest
from django.urls import reverse

from cases import services as case_services
from tests.cases.conftest import file_kwargs, worker  # noqa: F401  (fixture)
from tests.factories import fresh, grant, make_user
from workflows.celery import app as celery_app
from workflows.models import MembershipApplication, Notification, OutboxMessage, RecordCopy
from workflows.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)  # the commit, and what runs after it, for real


@pytest.fixture
def dead_broker():
    """Publishing goes to a port where nothing listens, as with Redis stopped."""
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.broker_url

    def fresh_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    fresh_pools()
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:1/0"
    yield
    conf.task_always_eager, conf.broker_url = previous
    fresh_pools()


def test_applying_to_join_is_saved_and_the_ping_waits_in_the_outbox(client, tree, dead_broker):
    client.force_login(tree.applicant_a)
    response = client.post(reverse("membership_apply"), {"statement": "本人自愿加入工会，遵守工会章程。"})
    application = MembershipApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("membership_detail", args=[application.pk])
    assert list(OutboxMessage.objects.values_list("task", flat=True)) == ["workflows.tasks.notify_pool"]


def test_a_copy_is_saved_and_its_email_waits(client, tree, worker, dead_broker):  # noqa: F811
    case = case_services.case_file(actor=fresh(worker), **file_kwargs())
    finance = grant(make_user("finance_a", name="周财务", unit=tree.a, employer=tree.employer_a), Role.FINANCE, tree.a)
    finance.email = "zhou@example.org"
    finance.save()
    client.force_login(tree.committee_a)
    url = reverse("record_copy", args=[case._meta.label_lower, case.pk])
    response = client.post(url, {"people": [finance.pk], "note": "请知悉"})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert RecordCopy.objects.filter(recipient=finance).exists()
    note = Notification.objects.get(recipient=finance)
    assert note.email_pending and note.emailed_at is None  # send_pending_emails sends it later


def test_closing_a_period_is_saved_and_the_report_is_queued_again_later(tree, dead_broker):
    import datetime

    from summaries import services as summary_services
    from summaries.models import Report
    from workflows.models import Period

    period = Period.objects.create(org_unit=tree.top, year=datetime.date.today().year - 1, kind=Period.Kind.FULL_YEAR)
    report = summary_services.report_request(period=period, actor=fresh(tree.chair))
    period.refresh_from_db()
    assert period.status != Period.Status.OPEN  # the close is saved: figures frozen from here
    assert Report.objects.get(pk=report.pk).status == Report.Status.RUNNING  # report_requeue_lost queues it
