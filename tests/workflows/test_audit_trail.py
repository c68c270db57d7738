"""The audit trail has no update or delete path: not in the ORM, the admin, the API or (PostgreSQL) SQL."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from tests.factories import fresh
from workflows import services
from workflows.models import AuditEvent
from workflows.models.audit import AppendOnlyError

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


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL (runs in the PostgreSQL pass)"
)
def test_the_database_itself_refuses_update_and_delete(event):
    for sql in ("UPDATE workflows_auditevent SET reason = 'x'", "DELETE FROM workflows_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
