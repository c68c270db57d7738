"""A closed period refuses edits to its records until the chair reopens it (audited)."""

import datetime

import pytest

from tests.factories import fresh
from workflows import services
from workflows.errors import NotPermitted, PeriodClosed, WorkflowError
from workflows.models import AuditEvent, MembershipApplication, Period
from workflows.transitions import run_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_h1(tree):
    period = Period.objects.create(org_unit=tree.top, year=2026, kind=Period.Kind.FIRST_HALF)
    services.period_start_closing(period=period, actor=fresh(tree.chair))
    services.period_finish_closing(period=period)
    return period


@pytest.fixture
def h1_application(tree):
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    MembershipApplication.objects.filter(pk=application.pk).update(filed_on=datetime.date(2026, 3, 2))
    application.refresh_from_db()
    return application


def test_period_bounds(tree):
    period = Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.SECOND_HALF)
    assert (period.starts_on, period.ends_on, period.label) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 12, 31),
        "2026年下半年",
    )


def test_a_closed_period_refuses_transitions_on_its_records(tree, h1_application, closed_h1):
    with pytest.raises(PeriodClosed) as exc:
        run_transition(h1_application, "approve", actor=fresh(tree.committee_a), on_date=datetime.date(2026, 11, 1))
    assert "2026年上半年已结账" in exc.value.message
    h1_application.refresh_from_db()
    assert h1_application.status == "submitted"


def test_a_closed_period_refuses_comments(tree, h1_application, closed_h1):
    with pytest.raises(PeriodClosed):
        services.comment_add(record=h1_application, actor=fresh(tree.committee_a), body="补充意见")


def test_records_of_an_open_period_are_untouched_by_the_close(tree, closed_h1):
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    MembershipApplication.objects.filter(pk=application.pk).update(filed_on=datetime.date(2026, 7, 2))
    application.refresh_from_db()
    run_transition(application, "approve", actor=fresh(tree.committee_a), on_date=datetime.date(2026, 11, 1))


def test_the_chair_reopens_with_a_reason_and_it_is_audited(tree, h1_application, closed_h1):
    with pytest.raises(WorkflowError):
        services.period_reopen(period=closed_h1, actor=fresh(tree.chair), reason="  ")
    with pytest.raises(NotPermitted):
        services.period_reopen(period=closed_h1, actor=fresh(tree.committee_a), reason="更正数据")
    with pytest.raises(NotPermitted):  # the chair of a 基层工会 cannot reopen the union above
        services.period_reopen(period=closed_h1, actor=fresh(tree.chair_a), reason="更正数据")
    services.period_reopen(period=closed_h1, actor=fresh(tree.chair), reason="更正一笔误录的申请")
    assert closed_h1.status == Period.Status.OPEN
    event = AuditEvent.objects.for_record(closed_h1).last()
    assert (event.action, event.reason, event.actor) == ("reopen", "更正一笔误录的申请", tree.chair)
    run_transition(h1_application, "approve", actor=fresh(tree.committee_a), on_date=datetime.date(2026, 11, 1))


def test_a_closed_period_refuses_bulk_completion_and_leaves_nothing_claimed(client, tree, h1_application, closed_h1):
    from django.urls import reverse

    from workflows import engine

    task = engine.open_tasks_for(h1_application).get()
    client.force_login(tree.chair)
    response = client.post(reverse("task_bulk"), {"task": [task.pk], "box": "queue"}, follow=True)
    assert "2026年上半年已结账" in response.content.decode()
    task.refresh_from_db()
    h1_application.refresh_from_db()
    assert (task.owner, h1_application.status) == (None, "submitted")
    result = engine.task_bulk_complete(tasks=[task], actor=fresh(tree.chair))
    assert result.done == [] and "2026年上半年已结账" in result.failed[0][1]
    task.refresh_from_db()
    assert task.owner is None
