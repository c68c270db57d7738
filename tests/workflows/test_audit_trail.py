"""The audit trail has no update or delete path — not in the ORM, the admin, the API or SQL — and a
change made behind the database's back breaks its hash chain, which ``verify_audit`` finds."""

import importlib
import io
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory

from tests.factories import fresh
from workflows import services
from workflows.models import AuditEvent
from workflows.models.audit import GENESIS, SQLITE_CREATE_TRIGGERS, SQLITE_DROP_TRIGGERS, AppendOnlyError
from workflows.transitions import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(tree):
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    return AuditEvent.objects.for_record(application).get()


def test_an_event_cannot_be_saved_again(event):
    event.reason = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.parametrize("call", ["update", "delete", "bulk_update", "update_or_create"])
def test_querysets_refuse_to_rewrite_history(event, call):
    qs = AuditEvent.objects.all()
    with pytest.raises(AppendOnlyError):
        if call == "update":
            qs.update(reason="x")
        elif call == "delete":
            qs.delete()
        elif call == "bulk_update":
            qs.bulk_update([event], ["reason"])
        else:
            qs.update_or_create(pk=event.pk, defaults={"reason": "x"})
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_the_admin_offers_neither_change_nor_delete(tree, event):
    request = RequestFactory().get("/admin/")
    request.user = fresh(tree.chair)
    request.user.is_superuser = True
    model_admin = site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


def test_the_api_only_reads_the_trail(client, tree, event):
    client.force_login(tree.applicant_a)
    url = f"/api/v1/membership-applications/{event.object_id}/audit/"
    assert client.get(url).status_code == 200
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url).status_code == 405


def test_the_database_itself_refuses_update_and_delete(event):
    """On SQLite too (it did not: raw SQL rewrote the trail); the triggers also survived every later
    migration of the table (a rebuild on SQLite would drop them)."""
    for sql in ("UPDATE workflows_auditevent SET reason = 'x'", "DELETE FROM workflows_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


# -- the hash chain ---------------------------------------------------------------------------
@contextmanager
def triggers_lifted():
    """What someone with the database's owner rights could do; inside the test's transaction.

    (PostgreSQL alters no table with foreign-key checks still queued: they are run first.)
    """
    pg = "SET CONSTRAINTS ALL IMMEDIATE; ALTER TABLE workflows_auditevent {} TRIGGER workflows_auditevent_append_only"
    with connection.cursor() as cursor:
        for sql in SQLITE_DROP_TRIGGERS if connection.vendor == "sqlite" else [pg.format("DISABLE")]:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in SQLITE_CREATE_TRIGGERS if connection.vendor == "sqlite" else [pg.format("ENABLE")]:
                cursor.execute(sql)


def raw(sql, params=()):
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def trail(tree):
    """Five events: an application, its withdrawal, another application, two follow-ups."""
    first = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    services.membership_withdraw(application=first, actor=tree.applicant_a, reason="另有安排")
    second = services.membership_apply(actor=tree.applicant_b, statement="本人自愿加入工会，遵守章程。")
    audit(second, actor=tree.committee_a, action="note", reason="电话核实")
    audit(second, actor=None, action="remind", reason="提醒审核")
    return list(AuditEvent.objects.order_by("seq"))


def verify():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_each_event_links_to_the_one_before(trail):
    assert [e.seq for e in trail] == [1, 2, 3, 4, 5]
    assert trail[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(trail, trail[1:], strict=False))
    assert all(e.hash == e.compute_hash() for e in trail)
    assert verify().startswith("OK 5 events")


def test_an_empty_trail_verifies(db):
    assert verify().startswith("OK 0 events")


def test_a_changed_event_is_found(trail):
    raw("UPDATE workflows_auditevent SET reason = %s WHERE id = %s", ["改写历史", trail[2].pk])
    with pytest.raises(CommandError, match=rf"after 2 intact events.*第 3 条（id={trail[2].pk}.*内容与其哈希不符"):
        verify()


def test_a_changed_event_with_a_recomputed_hash_breaks_the_next_link(trail):
    changed = AuditEvent.objects.get(pk=trail[1].pk)
    changed.reason = "改写历史"
    raw(
        "UPDATE workflows_auditevent SET reason = %s, hash = %s WHERE id = %s",
        [changed.reason, changed.compute_hash(), changed.pk],
    )
    with pytest.raises(CommandError, match=r"第 3 条.*与上一条的链接不符"):
        verify()


def test_a_removed_event_is_found(trail):
    raw("DELETE FROM workflows_auditevent WHERE id = %s", [trail[3].pk])
    with pytest.raises(CommandError, match=r"after 3 intact events.*缺少第 4 条"):
        verify()


def test_a_changed_time_or_actor_is_found(trail):
    raw("UPDATE workflows_auditevent SET actor_id = NULL WHERE id = %s", [trail[0].pk])
    with pytest.raises(CommandError, match=r"after 0 intact events.*第 1 条"):
        verify()


def test_bulk_appends_are_chained_in_order(trail):
    template = trail[-1]
    fields = {"content_type_id": template.content_type_id, "object_id": template.object_id, "actor": None}
    AuditEvent.objects.bulk_create([AuditEvent(action=f"bulk{i}", **fields) for i in range(3)])
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))[-3:] == ["bulk0", "bulk1", "bulk2"]
    assert verify().startswith("OK 8 events")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action="x", **fields)], ignore_conflicts=True)


def test_the_migration_chains_events_written_before_the_chain(trail):
    """Migration 0009 hashes the rows that existed when the chain arrived, in the order written."""
    raw("UPDATE workflows_auditevent SET seq = seq + 1000, prev_hash = '', hash = ''")
    assert AuditEvent.objects.verify_chain()[1] is not None
    migration = importlib.import_module("workflows.migrations.0010_audit_chain_existing_events")
    state = MigrationExecutor(connection).loader.project_state(("workflows", "0010_audit_chain_existing_events"))
    with triggers_lifted():
        migration.chain_existing(
            state.apps, SimpleNamespace(connection=connection, execute=connection.cursor().execute)
        )
    checked, broken = AuditEvent.objects.verify_chain()
    assert (checked, broken) == (5, None)
    assert list(AuditEvent.objects.order_by("seq").values_list("pk", flat=True)) == [e.pk for e in trail]
