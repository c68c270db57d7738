"""The period close over the API: the chair closes, anyone may follow only what they may close,
and the files come once the report is written."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from summaries.api import NOT_READY
from summaries.models import Report
from summaries.services import NOT_FAILED, PERIOD_NOT_ENDED
from tests.aid.conftest import aid_people  # noqa: F401
from tests.factories import grant, make_user
from workflows.models import Period
from workflows.roles import Role

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


LAST_YEAR = datetime.date.today().year - 1


@pytest.fixture
def h1(tree):
    """A half-year that has ended, whatever today is."""
    return Period.objects.create(org_unit=tree.a, year=LAST_YEAR, kind=Period.Kind.FIRST_HALF)


@pytest.fixture
def chair_b(tree):
    return grant(make_user("chair_b", name="乙主席", unit=tree.b, employer=tree.employer_b), Role.CHAIR, tree.b)


def call(client, user, method, url, data=None, **extra):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data=data, content_type="application/json", **extra)


def test_the_chair_closes_a_period_follows_it_and_downloads_both_files(
    client, tree, h1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, tree.chair_a, "post", f"/api/v1/periods/{h1.pk}/close/")
        assert response.status_code == 202
        started = response.json()
        assert started["status"] == "running" and started["docx"] is None
    report = call(client, tree.chair_a, "get", f"/api/v1/reports/{started['id']}/").json()
    assert (report["status"], report["progress"], report["stage"]) == ("done", 100, "finished")
    assert report["title"] == f"甲公司工会{LAST_YEAR}年上半年工作总结"
    h1.refresh_from_db()
    assert h1.status == Period.Status.CLOSED
    docx = call(client, tree.chair_a, "get", report["docx"], HTTP_ACCEPT=DOCX)
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX
    assert b"".join(docx.streaming_content).startswith(b"PK")
    xlsx = call(client, tree.chair_a, "get", report["xlsx"])
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    periods = call(client, tree.chair_a, "get", "/api/v1/periods/").json()["results"]
    assert [(p["id"], p["status"], p["report"]["id"]) for p in periods] == [(h1.pk, "closed", report["id"])]
    # closing again starts nothing new and answers the report
    again = call(client, tree.chair_a, "post", f"/api/v1/periods/{h1.pk}/close/")
    assert again.status_code == 200 and again.json()["id"] == report["id"] and Report.objects.count() == 1


def test_progress_is_shown_and_a_download_waits_for_the_report(client, tree, h1):
    started = call(client, tree.chair_a, "post", f"/api/v1/periods/{h1.pk}/close/").json()  # queued, not run
    report = call(client, tree.chair_a, "get", f"/api/v1/reports/{started['id']}/").json()
    assert (report["status"], report["progress"], report["queued"]) == ("running", 0, True)
    for kind in ("docx", "xlsx"):
        response = call(client, tree.chair_a, "get", f"/api/v1/reports/{started['id']}/{kind}/", HTTP_ACCEPT=DOCX)
        assert response.status_code == 409 and response["Content-Type"] == "application/json"
        assert response.json()["message"] == str(NOT_READY % {"status": "生成中", "progress": 0})


def test_a_period_not_yet_ended_is_refused_and_nothing_is_written(client, tree):
    this_year = Period.objects.create(org_unit=tree.a, year=datetime.date.today().year, kind=Period.Kind.FULL_YEAR)
    response = call(client, tree.chair_a, "post", f"/api/v1/periods/{this_year.pk}/close/")
    assert response.status_code == 409
    assert response.json()["message"] == str(PERIOD_NOT_ENDED % {"period": this_year.label, "end": this_year.ends_on})
    this_year.refresh_from_db()
    assert this_year.status == Period.Status.OPEN and not Report.objects.exists()


def test_only_who_closes_the_units_periods_sees_or_closes_them(client, tree, h1, chair_b, aid_people):  # noqa: F811
    report = call(client, tree.chair_a, "post", f"/api/v1/periods/{h1.pk}/close/").json()
    strangers = [chair_b, tree.committee_a, aid_people["finance"], tree.applicant_a]
    for user in strangers:
        assert call(client, user, "get", "/api/v1/periods/").json()["count"] == 0, user
        assert call(client, user, "get", "/api/v1/reports/").json()["count"] == 0, user
        assert call(client, user, "post", f"/api/v1/periods/{h1.pk}/close/").status_code == 404, user
        for url in ("", "docx/", "xlsx/"):
            assert call(client, user, "get", f"/api/v1/reports/{report['id']}/{url}").status_code == 404, (user, url)
        assert call(client, user, "post", f"/api/v1/reports/{report['id']}/retry/").status_code == 404, user
    for url in (f"/api/v1/periods/{h1.pk}/", f"/api/v1/reports/{report['id']}/docx/"):
        assert call(client, None, "get", url).status_code in (401, 403)
    # the chair of the union above sees it
    assert call(client, tree.chair, "get", f"/api/v1/reports/{report['id']}/").status_code == 200


@pytest.mark.parametrize("raw", ["[]", "null", '"x"', "1", '{"a": '])
def test_a_malformed_close_is_refused_and_closes_nothing(client, tree, h1, raw):
    client.force_login(tree.chair_a)
    response = client.post(f"/api/v1/periods/{h1.pk}/close/", data=raw, content_type="application/json")
    assert response.status_code == 400
    h1.refresh_from_db()
    assert h1.status == Period.Status.OPEN and not Report.objects.exists()


def test_only_a_failed_report_is_retried(client, tree, h1):
    report = call(client, tree.chair_a, "post", f"/api/v1/periods/{h1.pk}/close/").json()
    response = call(client, tree.chair_a, "post", f"/api/v1/reports/{report['id']}/retry/")
    assert response.status_code == 409 and response.json()["message"] == str(NOT_FAILED)
    Report.objects.filter(pk=report["id"]).update(status=Report.Status.FAILED, error="MemoryError")
    response = call(client, tree.chair_a, "post", f"/api/v1/reports/{report['id']}/retry/")
    assert response.status_code == 202 and response.json()["status"] == "running"


def test_listing_periods_costs_the_same_queries_for_one_or_many(client, tree):
    client.force_login(tree.chair)
    Period.objects.create(org_unit=tree.a, year=LAST_YEAR, kind=Period.Kind.FIRST_HALF)
    client.get("/api/v1/periods/")
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/periods/")
    for unit in (tree.a, tree.b, tree.top):
        Period.objects.create(org_unit=unit, year=LAST_YEAR - 1, kind=Period.Kind.SECOND_HALF)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/periods/").json()["count"] == 4
    assert len(many) == len(one)
