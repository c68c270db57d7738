"""A paper application handed in earlier is entered on the member's behalf with ``occurred_on``:
it counts in that day's open period and its filing audit says so."""

import datetime

import pytest
from django.utils import timezone

from aid.models import AidApplication
from aid.services import OCCURRED_ON_BEHALF_ONLY
from workflows.models import AuditEvent, Member, Period
from workflows.transitions import OCCURRED_IN_CLOSED_PERIOD, OCCURRED_IN_FUTURE

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def half(tree):
    kind = Period.Kind.FIRST_HALF if YESTERDAY.month <= 6 else Period.Kind.SECOND_HALF
    return Period.objects.get_or_create(org_unit=tree.top, year=YESTERDAY.year, kind=kind)[0]


def apply(client, user, member, **fields):
    client.force_login(user)
    body = {"member": member.pk, "aid_type": "living", "amount_requested": "2000", "reasons": "家庭困难。", **fields}
    response = client.post("/api/v1/aid/applications/", body, content_type="application/json")
    return response.status_code, response.json()


def test_a_paper_application_of_yesterday_counts_yesterday(client, tree, aid_people, half):
    needy = Member.objects.get(user=aid_people["needy"])
    status, body = apply(client, tree.committee_a, needy, occurred_on=YESTERDAY.isoformat())
    assert status == 201, body
    application = AidApplication.objects.get()
    assert application.filed_on == YESTERDAY and application.period == half
    event = AuditEvent.objects.for_record(application).get(action="submit")
    assert event.actor == tree.committee_a and timezone.localdate(event.at) == TODAY
    assert event.reason == f"补录：事项发生于{YESTERDAY.isoformat()}"


def test_an_applicant_does_not_backdate_their_own_application(client, tree, aid_people, half):
    needy = Member.objects.get(user=aid_people["needy"])
    status, body = apply(client, aid_people["needy"], needy, occurred_on=YESTERDAY.isoformat())
    assert status == 400 and body["message"] == str(OCCURRED_ON_BEHALF_ONLY)
    assert not AidApplication.objects.exists()


def test_a_day_in_the_future_or_a_closed_period_is_refused(client, tree, aid_people, half):
    needy = Member.objects.get(user=aid_people["needy"])
    status, body = apply(client, tree.committee_a, needy, occurred_on=(TODAY + datetime.timedelta(days=1)).isoformat())
    assert status == 400 and body["message"] == str(OCCURRED_IN_FUTURE)
    Period.objects.filter(pk=half.pk).update(status=Period.Status.CLOSED)
    status, body = apply(client, tree.committee_a, needy, occurred_on=YESTERDAY.isoformat())
    assert status == 409
    assert body["message"] == str(OCCURRED_IN_CLOSED_PERIOD % {"date": YESTERDAY.isoformat(), "period": half.label})
    assert not AidApplication.objects.exists()


@pytest.mark.parametrize("day", ["2026-02-30", "yesterday", 1, [], {}, None])
def test_a_malformed_day_is_refused(client, tree, aid_people, half, day):
    needy = Member.objects.get(user=aid_people["needy"])
    status, body = apply(client, tree.committee_a, needy, occurred_on=day)
    assert status == 400 and "occurred_on" in body["fields"]
    assert not AidApplication.objects.exists()


def test_another_union_does_not_enter_an_application(client, tree, aid_people, half):
    needy = Member.objects.get(user=aid_people["needy"])
    status, body = apply(client, tree.committee_b, needy, occurred_on=YESTERDAY.isoformat())
    assert status == 403 and not AidApplication.objects.exists()
