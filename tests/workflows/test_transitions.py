"""The single transition runner: permission, lock, re-check, audit — or a clear refusal and nothing written."""

import pytest
from django.db import connection

from tests.factories import fresh
from workflows import errors, services
from workflows.errors import AlreadyHandled, IllegalTransition, NotPermitted
from workflows.models import AuditEvent, MembershipApplication
from workflows.transitions import run_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(tree):
    return services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")


def test_a_transition_changes_status_and_appends_one_audit_event(tree, application):
    run_transition(
        application,
        "approve",
        actor=fresh(tree.committee_a),
        reason="材料齐全",
        request_id="req-1",
        on_date="2026-11-01",
    )
    assert application.status == "approved"  # the caller's instance follows the row
    event = AuditEvent.objects.for_record(application).last()
    assert (event.actor, event.from_state, event.to_state, event.reason, event.request_id, event.action_label) == (
        tree.committee_a,
        "submitted",
        "approved",
        "材料齐全",
        "req-1",
        "批准入会",
    )


def test_an_illegal_move_is_refused_with_a_clear_message_and_writes_nothing(tree, application):
    run_transition(application, "withdraw", actor=tree.applicant_a)
    before = AuditEvent.objects.count()
    with pytest.raises(IllegalTransition) as exc:
        run_transition(application, "approve", actor=fresh(tree.committee_a), on_date="2026-11-01")
    assert exc.value.message == errors.ILLEGAL_TRANSITION % {
        "record": application,
        "state": "已撤回",
        "action": "批准入会",
    }
    assert exc.value.status_code == 409
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert AuditEvent.objects.count() == before


def test_a_move_without_the_role_in_scope_is_refused(tree, application):
    with pytest.raises(NotPermitted) as exc:
        run_transition(application, "approve", actor=fresh(tree.committee_b), on_date="2026-11-01")
    assert "没有权限" in exc.value.message and exc.value.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_a_stale_view_gets_already_handled_by_whom(tree, application):
    stale = MembershipApplication.objects.get(pk=application.pk)
    run_transition(application, "approve", actor=fresh(tree.committee_a), on_date="2026-11-01")
    with pytest.raises(AlreadyHandled) as exc:
        run_transition(stale, "reject", actor=fresh(tree.chair_a), on_date="2026-11-01", note="x")
    assert "李委员" in exc.value.message and "批准入会" in exc.value.message
    assert AuditEvent.objects.filter(action="reject").count() == 0


def test_status_cannot_be_written_directly(application):
    with pytest.raises(AttributeError):
        application.status = "approved"


def test_transition_queries_are_few(tree, application, django_assert_max_num_queries):
    committee = fresh(tree.committee_a)
    committee.has_perm("x")  # warm the role cache as a request would
    with django_assert_max_num_queries(12):
        run_transition(application, "approve", actor=committee, on_date="2026-11-01")
    assert connection.vendor in {"sqlite", "postgresql"}
