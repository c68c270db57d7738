"""The aid rules hold at every door (service, queue, API, page, bulk): the applicant's correction
stays the applicant's, a closed period and a lifted file refuse every move."""

import pytest
from django.urls import reverse

from aid import services
from aid.flows import AidFlow
from aid.models import AidApplication, FundBudget, HardshipFile, Verification
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, task, through_review, visit
from tests.factories import fresh
from workflows import engine
from workflows import services as core_services
from workflows.errors import IllegalTransition, PeriodClosed, PersonBoundTask
from workflows.models import AuditEvent

S = AidApplication.Status

pytestmark = pytest.mark.django_db


def test_the_applicants_correction_is_not_reassigned_although_its_step_names_no_role(tree, aid_people, period):
    """补正材料 has no role (only the applicant does it): before the rule any user at all was a valid
    target, because the target's role was checked only when the step had one."""
    application = apply(tree, aid_people["needy"])
    visit(application, tree.committee_a, returned=True, findings="缺少医院诊断证明")
    visit(application, aid_people["committee2"])
    correction = engine.open_tasks_for(application).get(flow_task=AidFlow.correct)
    with pytest.raises(PersonBoundTask, match="张小明本人办理"):
        engine.task_reassign(task=correction, actor=fresh(tree.chair_a), to_user=fresh(tree.committee_b))
    correction.refresh_from_db()
    assert correction.owner == aid_people["needy"]


def close(period, chair):
    core_services.period_start_closing(period=period, actor=fresh(chair))
    core_services.period_finish_closing(period=period)


def test_a_home_visit_in_a_closed_period_is_refused_and_writes_nothing(tree, aid_people, fund, period):
    """入户核实 changes no status (the second visit does), so the runner's check never saw the first."""
    application = apply(tree, aid_people["needy"])
    close(period, tree.chair)
    with pytest.raises(PeriodClosed, match="所属的.*已结账"):
        visit(application, tree.committee_a)
    assert not Verification.objects.exists()
    assert not AuditEvent.objects.for_record(application).filter(action="visit").exists()
    assert task(application, AidFlow.home_visit).filter(owner__isnull=False).count() == 1  # claimed, not done


@pytest.fixture
def awaiting_approval(tree, aid_people, fund, period):
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    close(period, tree.chair)
    return application


def test_approval_in_a_closed_period_is_refused_through_the_api(client, tree, fund, awaiting_approval):
    t = task(awaiting_approval, AidFlow.approve).get()
    client.force_login(tree.chair_a)
    assert client.post(f"/api/v1/tasks/{t.pk}/claim/", content_type="application/json").status_code == 200
    body = {"data": {"decision": "approve", "fund": fund.pk, "note": ""}}
    response = client.post(f"/api/v1/tasks/{t.pk}/complete/", body, content_type="application/json")
    assert response.status_code == 409 and "已结账" in response.json()["message"]
    awaiting_approval.refresh_from_db()
    assert awaiting_approval.status == S.APPROVING and FundBudget.objects.get().reserved == 0


def test_approval_in_a_closed_period_is_refused_on_the_page(client, tree, fund, awaiting_approval):
    t = task(awaiting_approval, AidFlow.approve).get()
    engine.task_claim(task=t, actor=fresh(tree.chair_a))
    client.force_login(tree.chair_a)
    response = client.post(
        reverse("task_detail", args=[t.pk]), {"decision": "approve", "fund": fund.pk, "note": ""}, follow=True
    )
    assert "已结账" in response.content.decode()
    awaiting_approval.refresh_from_db()
    assert awaiting_approval.status == S.APPROVING and FundBudget.objects.get().reserved == 0


def test_a_record_whose_own_budget_period_is_closed_moves_no_further(tree, aid_people, fund, period):
    """An application names its period (the budget it is paid from): a closed one locks it too."""
    from workflows.models import Period

    earlier = Period.objects.create(org_unit=tree.top, year=period.year - 1, kind=Period.Kind.SECOND_HALF)
    close(earlier, tree.chair)
    application = apply(tree, aid_people["needy"])
    AidApplication.objects.filter(pk=application.pk).update(period=earlier)
    with pytest.raises(PeriodClosed, match=earlier.label):
        visit(application, tree.committee_a)


# -- a lifted (脱困) hardship file ------------------------------------------------------------
def test_a_file_with_an_open_application_is_not_lifted(tree, aid_people, fund, period):
    file = hardship_file(tree, aid_people["needy"])
    apply(tree, aid_people["needy"])
    with pytest.raises(IllegalTransition, match="未办结的帮扶申请") as refused:
        services.file_lift(file=file, actor=fresh(tree.committee_a), reason="子女就业")
    assert refused.value.status_code == 409
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.ACTIVE


def test_an_application_of_a_lifted_file_is_neither_reviewed_nor_approved(tree, aid_people, fund, period):
    file = hardship_file(tree, aid_people["needy"])
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    HardshipFile.objects.filter(pk=file.pk).update(status=HardshipFile.Status.LIFTED)  # lifted before the rule
    with pytest.raises(IllegalTransition, match="困难职工档案已脱困"):
        approve(application, AidFlow.approve, tree.chair_a, fund)
    application.refresh_from_db()
    assert application.status == S.APPROVING and FundBudget.objects.get().reserved == 0
    approve(application, AidFlow.approve, tree.chair_a, fund, decision="reject", note="已脱困")  # it can still end
    assert application.status == S.REJECTED


def test_a_lifted_file_is_not_reviewed_again(tree, aid_people, fund, period):
    file = hardship_file(tree, aid_people["needy"])
    services.file_lift(file=file, actor=fresh(tree.committee_a), reason="子女就业，收入提高")
    with pytest.raises(IllegalTransition, match="脱困，不再复核"):
        services.file_review(file=file, actor=fresh(tree.committee_a), note="复核")
    assert not AuditEvent.objects.for_record(file).filter(action="review").exists()


def test_a_file_of_a_closed_period_is_not_reviewed(tree, aid_people, fund, period):
    """Its lift was refused while its yearly review went through: both are refused now."""
    file = hardship_file(tree, aid_people["needy"])
    close(period, tree.chair)
    with pytest.raises(PeriodClosed):
        services.file_lift(file=file, actor=fresh(tree.committee_a), reason="子女就业")
    with pytest.raises(PeriodClosed):
        services.file_review(file=file, actor=fresh(tree.committee_a), note="复核")
    file.refresh_from_db()
    assert not AuditEvent.objects.for_record(file).filter(action="review").exists()


# -- a closed period's budget -------------------------------------------------------------------
def budget_form(fund, budget, **changes):
    data = {
        "name": fund.name,
        "org_unit": fund.org_unit_id,
        "budgets-TOTAL_FORMS": "1",
        "budgets-INITIAL_FORMS": "1",
        "budgets-MIN_NUM_FORMS": "0",
        "budgets-MAX_NUM_FORMS": "1000",
        "budgets-0-id": budget.pk,
        "budgets-0-fund": fund.pk,
        "budgets-0-period": budget.period_id,
        "budgets-0-amount": str(budget.amount),
    }
    return data | {f"budgets-0-{k}": v for k, v in changes.items()}


def test_a_closed_periods_budget_is_neither_changed_nor_deleted_in_the_admin(client, tree, fund, period):
    """The report's 帮扶资金预算 and 预算使用率 of a closed period are read from these rows."""
    from tests.factories import make_user

    client.force_login(make_user("root", member=False, is_staff=True, is_superuser=True))
    budget = FundBudget.objects.get()
    url = reverse("admin:aid_fund_change", args=[fund.pk])
    close(period, tree.chair)
    for change in ({"amount": "99999"}, {"DELETE": "on"}):
        response = client.post(url, budget_form(fund, budget, **change))
        assert response.status_code == 200 and "已结账" in response.content.decode()  # the form, with the reason
    assert client.post(url, budget_form(fund, budget) | {"name": "困难职工帮扶专项资金"}).status_code == 302
    budget.refresh_from_db()
    assert budget.amount == 20000 and FundBudget.objects.count() == 1
    with pytest.raises(PeriodClosed):
        budget.delete()
    budget.amount = 1
    with pytest.raises(PeriodClosed):
        budget.save()
