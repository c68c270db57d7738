"""The admin is a door like any other: every write it makes is audited (who, what, when), and it
cannot delete a closed period, an audit row, or a budget of a closed period."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import fresh, make_user
from workflows import services
from workflows.admin_site import AuditedAdmin
from workflows.errors import PeriodClosed
from workflows.models import AuditEvent, EmployerUnit, MembershipApplication, Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(tree):
    return make_user("root", name="系统管理员", member=False, is_staff=True, is_superuser=True)


@pytest.fixture
def staff(client, superuser):
    client.force_login(superuser)
    return client


def admin_events(model):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False), action__startswith="admin_"
    ).order_by("pk")


def test_every_registered_admin_is_audited():
    unaudited = [m._meta.label for m, a in admin.site._registry.items() if not isinstance(a, AuditedAdmin)]
    assert unaudited == []


def test_add_change_and_delete_in_the_admin_are_audited(staff, tree, superuser):
    add = reverse("admin:workflows_employerunit_add")
    data = {"name": "丙公司", "credit_code": "", "industry": "建筑", "size": "small", "org_unit": tree.a.pk}
    assert staff.post(add, data).status_code == 302
    unit = EmployerUnit.objects.get(name="丙公司")
    change = reverse("admin:workflows_employerunit_change", args=[unit.pk])
    assert staff.post(change, {**data, "industry": "建筑安装"}).status_code == 302
    delete = reverse("admin:workflows_employerunit_delete", args=[unit.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 302
    events = list(admin_events(EmployerUnit))
    assert [(e.action, e.object_id, e.actor) for e in events] == [
        ("admin_add", unit.pk, superuser),
        ("admin_change", unit.pk, superuser),
        ("admin_delete", unit.pk, superuser),
    ]
    assert "行业" in events[1].reason and "丙公司" in events[2].reason
    assert all(e.org_unit == tree.a for e in events)


def test_a_bulk_delete_in_the_admin_is_audited_per_row(staff, tree):
    units = [
        EmployerUnit.objects.create(name=f"临时单位{n}", industry="制造", size="micro", org_unit=tree.a) for n in (1, 2)
    ]
    response = staff.post(
        reverse("admin:workflows_employerunit_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in units], "post": "yes"},
    )
    assert response.status_code == 302 and not EmployerUnit.objects.filter(name__startswith="临时单位").exists()
    assert sorted(admin_events(EmployerUnit).values_list("object_id", flat=True)) == sorted(u.pk for u in units)


@pytest.fixture
def closed_h1(tree):
    period = Period.objects.create(org_unit=tree.top, year=2026, kind=Period.Kind.FIRST_HALF)
    services.period_start_closing(period=period, actor=fresh(tree.chair))
    services.period_finish_closing(period=period)
    return period


def test_a_closed_period_is_not_deleted_by_the_admin_and_filing_into_it_stays_refused(staff, tree, closed_h1):
    assert staff.get(reverse("admin:workflows_period_delete", args=[closed_h1.pk])).status_code == 403
    assert staff.post(reverse("admin:workflows_period_delete", args=[closed_h1.pk]), {"post": "yes"}).status_code == 403
    staff.post(
        reverse("admin:workflows_period_changelist"),
        {"action": "delete_selected", "_selected_action": [closed_h1.pk], "post": "yes"},
    )
    assert Period.objects.filter(pk=closed_h1.pk).exists()
    assert not admin_events(Period).filter(action="admin_delete").exists()
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    MembershipApplication.objects.filter(pk=application.pk).update(filed_on=datetime.date(2026, 3, 2))
    with pytest.raises(PeriodClosed):
        services.comment_add(record=MembershipApplication.objects.get(), actor=fresh(tree.committee_a), body="补充")


def test_a_closed_period_is_not_deleted_through_the_orm(closed_h1):
    with pytest.raises(PeriodClosed, match="已结账，不能删除") as refused:
        closed_h1.delete()
    assert refused.value.status_code == 409
    with pytest.raises(PeriodClosed):
        Period.objects.all().delete()
    assert Period.objects.filter(pk=closed_h1.pk).exists()


def test_an_open_period_made_by_mistake_is_deleted_and_audited(staff, tree):
    period = Period.objects.create(org_unit=tree.a, year=2031, kind=Period.Kind.FULL_YEAR)
    assert staff.post(reverse("admin:workflows_period_delete", args=[period.pk]), {"post": "yes"}).status_code == 302
    assert not Period.objects.filter(pk=period.pk).exists()
    assert admin_events(Period).get().action == "admin_delete"


def test_the_audit_trail_has_no_delete_door_in_the_admin(staff, tree):
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    event = AuditEvent.objects.for_record(application).get()
    assert staff.post(reverse("admin:workflows_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    staff.post(
        reverse("admin:workflows_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_flow_state_is_read_only_in_the_admin(staff, tree):
    """A process or task deleted or edited by hand would move a record past its engine's rules."""
    from viewflow.workflow.models import Process, Task

    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    task = Task.objects.filter(process__isnull=False, flow_task_type="HUMAN").get()
    for model, pk in ((Process, task.process_id), (Task, task.pk)):
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        assert staff.post(reverse(f"admin:{label}_delete", args=[pk]), {"post": "yes"}).status_code == 403
        assert staff.get(reverse(f"admin:{label}_change", args=[pk])).status_code == 200  # still viewable
    assert Task.objects.filter(pk=task.pk).exists() and application.pk
