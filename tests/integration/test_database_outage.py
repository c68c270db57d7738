"""The database goes away in the middle of a transition and comes back.

On PostgreSQL the connection the request is using is really terminated (``pg_terminate_backend``
from a second connection) at the moment the transition's UPDATE is about to run; on SQLite, which
has no server to lose, the same statement fails with the ``OperationalError`` a lost connection
raises.  Either way the user reads a Chinese 503 page (the API a 503 JSON), nothing is written,
and the very next request on the same client works.
"""

import socket
from contextlib import contextmanager

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import make_tree
from workflows import engine, services
from workflows.errors import DATABASE_UNAVAILABLE
from workflows.models import AuditEvent, Member, MembershipApplication

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STATEMENT = "本人自愿加入工会，遵守章程。"


def terminate_backend(pid):
    """Kill PostgreSQL backend ``pid`` from a separate connection and wait until it is gone."""
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as killer:
        # the second argument waits (ms) until the backend has really exited
        assert killer.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]


@contextmanager
def connection_lost_at(*fragments):
    """Lose the database connection the first time a statement containing every fragment runs."""
    fired = []

    def wrapper(execute, sql, params, many, context):
        if not fired and all(fragment in sql for fragment in fragments):
            fired.append(sql)
            if connection.vendor == "postgresql":
                terminate_backend(connection.connection.info.backend_pid)
            else:
                raise OperationalError("database connection lost (simulated)")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield fired


@contextmanager
def database_unreachable():
    """Every new connection fails, as while PostgreSQL restarts: a closed port, a missing file."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            connection.settings_dict["PORT"] = probe.getsockname()[1]
        connection.settings_dict["HOST"] = "127.0.0.1"
    else:
        connection.settings_dict["NAME"] = "/nonexistent/unionflow/db.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.fixture
def review_task():
    """A membership application whose review task 李委员 (committee_a) has claimed."""
    tree = make_tree()
    application = services.membership_apply(actor=tree.applicant_a, statement=STATEMENT)
    task = engine.open_tasks_for(application).get()
    engine.task_claim(task=task, actor=tree.committee_a)
    return tree, application, Task.objects.get(pk=task.pk)


def snapshot(application, task):
    """What a half-written transition would change: the record, its task, the audit trail.

    Approving also makes the applicant a member, and that UPDATE runs *before* the application's
    (the one the connection is lost at): it must be rolled back with the rest.
    """
    return (
        MembershipApplication.objects.values_list("status", "decided_on", "decision_note").get(pk=application.pk),
        Member.objects.values_list("membership", "joined_on").get(pk=application.member_id),
        Task.objects.values_list("status", "owner_id", "finished").get(pk=task.pk),
        Task.objects.filter(process_id=task.process_id).count(),
        AuditEvent.objects.count(),
    )


def test_a_transition_cut_off_by_a_lost_connection_writes_nothing_and_says_so(client, review_task, caplog):
    tree, application, task = review_task
    before = snapshot(application, task)
    client.force_login(tree.committee_a)
    url = reverse("task_detail", args=[task.pk])

    with connection_lost_at("UPDATE", MembershipApplication._meta.db_table) as fired:
        response = client.post(url, {"decision": "approve", "note": "同意"}, HTTP_X_REQUEST_ID="outage-web-1")

    assert fired, "the transition never reached its UPDATE"
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response["X-Request-ID"] == response.wsgi_request.request_id  # the server's id, not the client's
    body = response.content.decode()
    assert "数据库暂时无法连接" in body and str(DATABASE_UNAVAILABLE) in body
    assert "没有写入任何内容" in body
    logged = [r.getMessage() for r in caplog.records if r.name == "workflows.database"]
    assert any(response["X-Request-ID"] in line and "outage-web-1" in line for line in logged)
    assert snapshot(application, task) == before

    # The very next request on the same client gets a working connection and can do the transition.
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "approve", "note": "同意"}, follow=True)
    assert "已办结" in response.content.decode()
    assert MembershipApplication.objects.get(pk=application.pk).status == "approved"
    assert Member.objects.get(pk=application.member_id).membership == Member.Membership.MEMBER != before[1][0]
    assert AuditEvent.objects.filter(action="approve").count() == 1
    assert Task.objects.get(pk=task.pk).status == STATUS.DONE


def test_the_api_answers_a_lost_connection_with_a_503_in_the_error_shape(client, review_task):
    tree, application, task = review_task
    before = snapshot(application, task)
    client.force_login(tree.committee_a)
    url = f"/api/v1/tasks/{task.pk}/complete/"
    data = {"data": {"decision": "approve", "note": ""}}

    with connection_lost_at("UPDATE", MembershipApplication._meta.db_table) as fired:
        response = client.post(url, data, content_type="application/json")

    assert fired
    assert response.status_code == 503
    assert response.json() == {"code": "database_unavailable", "message": str(DATABASE_UNAVAILABLE), "fields": {}}
    assert response["Retry-After"].isdigit()
    assert snapshot(application, task) == before

    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 200, response.content
    assert MembershipApplication.objects.get(pk=application.pk).status == "approved"


def test_a_connection_lost_while_taking_the_flow_lock_is_a_503_too(client, review_task):
    """The flow lock is the first statement of a completion; a connection lost there is an outage too
    (a 503), never a half-done task."""
    tree, application, task = review_task
    before = snapshot(application, task)
    client.force_login(tree.committee_a)

    # the lock (workflows.engine.task_activation): the process read FOR UPDATE OF its UnionProcess
    # row, with its org unit (a plain SELECT on SQLite)
    with connection_lost_at(
        'FROM "workflows_unionprocess" INNER JOIN "viewflow_process"', 'INNER JOIN "workflows_orgunit"'
    ) as fired:
        response = client.post(reverse("task_detail", args=[task.pk]), {"decision": "approve", "note": ""})

    assert fired
    assert response.status_code == 503 and "数据库暂时无法连接" in response.content.decode()
    assert snapshot(application, task) == before


def test_while_the_database_is_down_every_page_says_so_and_the_next_request_works(client, review_task):
    """The 503 page itself needs nothing from the database: not the session, the user or the nav counts."""
    tree, application, task = review_task
    before = snapshot(application, task)
    client.force_login(tree.committee_a)
    url = reverse("task_detail", args=[task.pk])

    with database_unreachable():
        for response in (
            client.get(reverse("dashboard")),
            client.get(reverse("login")),
            client.post(url, {"decision": "approve", "note": ""}),
        ):
            assert response.status_code == 503, response
            assert "数据库暂时无法连接" in response.content.decode()
        response = client.post(
            f"/api/v1/tasks/{task.pk}/complete/", {"data": {"decision": "approve"}}, "application/json"
        )
        assert response.status_code == 503 and response.json()["code"] == "database_unavailable"

    assert snapshot(application, task) == before
    assert client.get(url).status_code == 200  # back: the same client, still logged in


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no server connection to lose (runs in the PostgreSQL pass)"
)
def test_a_kept_connection_that_died_between_requests_is_replaced(client, review_task):
    """CONN_HEALTH_CHECKS: a connection kept across requests (CONN_MAX_AGE) is checked before use."""
    tree, application, task = review_task
    client.force_login(tree.committee_a)
    url = reverse("task_detail", args=[task.pk])
    assert client.get(url).status_code == 200
    assert connection.health_check_enabled
    connection.close_at = None  # kept open across requests, as CONN_MAX_AGE does in production
    terminate_backend(connection.connection.info.backend_pid)  # PostgreSQL restarted meanwhile

    close_old_connections()  # what Django runs as each request starts (the test client skips it)
    response = client.post(url, {"decision": "approve", "note": ""}, follow=True)
    assert "已办结" in response.content.decode()
    assert MembershipApplication.objects.get(pk=application.pk).status == "approved"
