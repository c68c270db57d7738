"""A hotline system records yesterday's call: ``occurred_on`` lies in an open period and not in the
future, and the filing's audit event says when it happened, who entered it and when."""

import datetime

import pytest
from django.utils import timezone

from cases.api import OCCURRED_ON_CONFLICT
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs
from workflows.models import AuditEvent, Period
from workflows.transitions import OCCURRED_IN_CLOSED_PERIOD, OCCURRED_IN_FUTURE, OCCURRED_OUTSIDE_PERIODS

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def year(tree):
    """The open year, of the union above 甲公司工会, that yesterday lies in."""
    return Period.objects.create(org_unit=tree.top, year=YESTERDAY.year, kind=Period.Kind.FULL_YEAR)


def register(client, user, tree, **fields):
    client.force_login(user)
    body = {"channel": "phone", "applicant_name": "钱某", "employer_unit": tree.employer_a.pk, **file_kwargs()}
    body["amount_claimed"] = str(body["amount_claimed"])
    response = client.post("/api/v1/cases/register/", {**body, **fields}, content_type="application/json")
    return response.status_code, response.json()


def test_yesterdays_call_is_filed_yesterday_and_audited_as_entered_today(client, tree, mediator, year):
    status, body = register(client, mediator, tree, occurred_on=YESTERDAY.isoformat())
    assert status == 201, body
    case = GrievanceCase.objects.get()
    assert case.filed_on == YESTERDAY == datetime.date.fromisoformat(body["filed_on"])
    event = AuditEvent.objects.for_record(case).get(action="submit")
    assert event.actor == mediator and timezone.localdate(event.at) == TODAY
    assert event.reason == f"补录：事项发生于{YESTERDAY.isoformat()}"


def test_a_call_of_today_needs_no_note(client, tree, mediator):
    status, body = register(client, mediator, tree, occurred_on=TODAY.isoformat())
    assert status == 201
    assert AuditEvent.objects.for_record(GrievanceCase.objects.get()).get(action="submit").reason == ""


def test_a_day_in_the_future_is_refused(client, tree, mediator, year):
    tomorrow = TODAY + datetime.timedelta(days=1)
    status, body = register(client, mediator, tree, occurred_on=tomorrow.isoformat())
    assert status == 400 and body["fields"]["occurred_on"] == [str(OCCURRED_IN_FUTURE)]
    assert not GrievanceCase.objects.exists()


def test_a_day_outside_every_period_is_refused(client, tree, mediator):
    status, body = register(client, mediator, tree, occurred_on=YESTERDAY.isoformat())
    assert status == 409
    assert body["message"] == str(OCCURRED_OUTSIDE_PERIODS % {"date": YESTERDAY.isoformat(), "unit": "甲公司工会"})
    # the old name of the field follows the same rule
    status, body = register(client, mediator, tree, filed_on=YESTERDAY.isoformat())
    assert status == 409 and not GrievanceCase.objects.exists()


def test_a_day_in_a_closed_period_is_refused(client, tree, mediator, year):
    Period.objects.filter(pk=year.pk).update(status=Period.Status.CLOSED)
    status, body = register(client, mediator, tree, occurred_on=YESTERDAY.isoformat())
    assert status == 409
    assert body["message"] == str(OCCURRED_IN_CLOSED_PERIOD % {"date": YESTERDAY.isoformat(), "period": year.label})
    assert not GrievanceCase.objects.exists() and not AuditEvent.objects.exists()


def test_two_different_days_are_refused(client, tree, mediator, year):
    status, body = register(client, mediator, tree, occurred_on=YESTERDAY.isoformat(), filed_on=TODAY.isoformat())
    assert status == 400 and body["fields"]["occurred_on"] == [str(OCCURRED_ON_CONFLICT)]


@pytest.mark.parametrize("day", ["2026-13-01", "昨天", 20261201, [], {}, None, ""])
def test_a_malformed_day_is_refused(client, tree, mediator, year, day):
    status, body = register(client, mediator, tree, occurred_on=day)
    assert status == 400 and "occurred_on" in body["fields"]
    assert not GrievanceCase.objects.exists()


def test_only_who_registers_for_the_union_enters_a_call(client, tree, mediator_b, worker, year):
    for user in (mediator_b, worker):
        status, body = register(client, user, tree, occurred_on=YESTERDAY.isoformat())
        assert status == 400 and "employer_unit" in body["fields"]
    assert not GrievanceCase.objects.exists()
