"""Two people completing the same task at the same moment: exactly one succeeds (real threads)."""

import threading

import pytest
from django.db import connection

from tests.factories import make_tree
from workflows import engine, services
from workflows.errors import AlreadyHandled
from workflows.models import AuditEvent, MembershipApplication

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def runner(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_concurrent_completions_of_one_task_exactly_one_succeeds():
    tree = make_tree()
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    task = engine.open_tasks_for(application).get()
    engine.task_claim(task=task, actor=tree.committee_a)

    def complete(decision):
        def call():
            from viewflow.workflow.models import Task

            fresh = Task.objects.get(pk=task.pk)  # each thread reads the task as its request would
            return engine.task_complete(task=fresh, actor=tree.committee_a, data={"decision": decision, "note": "并发"})

        return call

    results = run_together(complete("approve"), complete("reject"))
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, AlreadyHandled), error
    decided = AuditEvent.objects.filter(action__in=["approve", "reject"])
    assert decided.count() == 1
    assert (
        MembershipApplication.objects.get().status
        == {"approve": "approved", "reject": "rejected"}[decided.get().action]
    )


def test_two_concurrent_claims_exactly_one_wins():
    tree = make_tree()
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    task = engine.open_tasks_for(application).get()

    def claim(user):
        def call():
            from viewflow.workflow.models import Task

            return engine.task_claim(task=Task.objects.get(pk=task.pk), actor=user)

        return call

    results = run_together(claim(tree.committee_a), claim(tree.chair_a))
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), AlreadyHandled)
