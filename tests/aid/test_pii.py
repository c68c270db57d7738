"""Personal data of hardship aid is shown only to whom it must be (issue 13 §1), and each
unmasked sight of a sensitive field is audited."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from aid.flows import AidFlow
from aid.models import AidApplication
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, task, through_review
from tests.factories import fresh
from workflows import engine
from workflows.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


def test_task_titles_do_not_name_the_applicant_to_a_member_not_handling_it(client, tree, aid_people, fund, period):
    """Measured: "张小明的生活救助申请" in /api/v1/tasks/ and on task pages for any committee member."""
    hardship_file(tree, aid_people["needy"])
    application = apply(tree, aid_people["needy"])
    client.force_login(aid_people["committee2"])
    queue = client.get("/api/v1/tasks/", {"box": "queue"}).json()["results"]
    assert {t["subject"] for t in queue} == {"张*明的生活救助申请"}
    first = task(application, AidFlow.home_visit).first()
    for url in (f"/api/v1/tasks/{first.pk}/", f"/tasks/{first.pk}/", "/tasks/box/queue/"):
        body = client.get(url).content.decode()
        assert "张*明" in body and "张小明" not in body, url
    # the committee member who takes the home visit is told whom to visit
    engine.task_claim(task=first, actor=fresh(tree.committee_a))
    client.force_login(tree.committee_a)
    inbox = client.get("/api/v1/tasks/").json()["results"]
    assert [t["subject"] for t in inbox] == ["张小明的生活救助申请"]
    assert "张小明" in client.get(f"/tasks/{first.pk}/").content.decode()


def test_the_timeline_masks_the_applicant_where_the_list_does(client, tree, aid_people, fund, period):
    """Measured: the 办理记录 named the applicant (the actor of 提交申请) where lists masked them."""
    application = apply(tree, aid_people["needy"])
    client.force_login(aid_people["committee2"])
    page = client.get(application.get_absolute_url()).content.decode()
    assert "提交申请" in page and "张*明" in page and "张小明" not in page


def test_the_stored_titles_and_refusals_name_nobody(tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    process = task(application, AidFlow.home_visit).first().process.unionprocess
    assert process.title == f"生活救助申请（第{application.pk}号）" == str(application)


def test_reminders_to_those_who_may_claim_mask_the_name(tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    first = task(application, AidFlow.home_visit).first()
    notes = engine.task_remind(first)
    assert notes and all("张小明" not in n.body and "张*明" in n.body for n in notes)


def test_the_applicant_sees_the_vote_outcome_and_the_number_of_objections_not_who(
    client, tree, aid_people, fund, period
):
    """Measured: an aid applicant saw who objected during 公示 and how each member voted."""
    hardship_file(tree, aid_people["needy"])
    application = through_review(tree, aid_people, apply(tree, aid_people["needy"]))
    client.force_login(aid_people["needy2"])  # 李四, a colleague, objects on the board
    client.post(reverse("aid:object", args=["application", application.pk]), {"text": "他家有经营收入"})
    application.refresh_from_db()
    assert application.status == AidApplication.Status.REVIEWING
    client.force_login(aid_people["needy"])
    page = client.get(application.get_absolute_url()).content.decode()
    assert "同意2票，不同意1票，弃权0票" in page and "公示期间收到异议1件" in page
    # (the verifiers who came to the home and the member who recorded the votes are named; who
    # voted how, and who objected with what, are not)
    for secret in ("李四", "他家有经营收入", "钱委员：同意", "李委员：同意", "甲主席：不同意"):
        assert secret not in page, secret
    # the committee still sees each vote and the objection, to answer it
    client.force_login(tree.committee_a)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "他家有经营收入" in page and "钱委员：同意" in page


def _approved(tree, aid_people, fund):
    hardship_file(tree, aid_people["needy"])
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    approve(application, AidFlow.approve, tree.chair_a, fund)
    assert application.status == AidApplication.Status.APPROVED
    return application


def test_finance_sees_the_bank_account_only_on_the_payment_it_makes_and_that_is_audited(
    client, tree, aid_people, fund, period
):
    application = _approved(tree, aid_people, fund)
    pay = task(application, AidFlow.disburse).get()
    client.force_login(aid_people["finance"])
    page = client.get(f"/tasks/{pay.pk}/").content.decode()
    assert "6222020202020202" not in page and "尿毒症" not in page
    assert not AuditEvent.objects.filter(action="view_pii").exists()
    engine.task_claim(task=pay, actor=fresh(aid_people["finance"]))
    page = client.get(f"/tasks/{pay.pk}/").content.decode()
    assert "6222020202020202" in page and "尿毒症" not in page  # the account it pays to; not the illness
    event = AuditEvent.objects.get(action="view_pii")
    assert (event.actor, event.object_id, event.reason) == (aid_people["finance"], application.pk, "银行账号")
    assert event.request_id  # the request it was shown in
    # the access log is not the handling record: the timeline leaves it out
    assert "查看个人敏感信息" not in page


def test_the_household_situation_is_for_the_home_visit_and_the_chair(client, tree, aid_people, fund, period):
    hardship_file(tree, aid_people["needy"])
    application = apply(tree, aid_people["needy"])
    first = task(application, AidFlow.home_visit).first()
    client.force_login(tree.committee_a)
    assert "尿毒症" not in client.get(f"/tasks/{first.pk}/").content.decode()
    engine.task_claim(task=first, actor=fresh(tree.committee_a))
    assert "尿毒症" in client.get(f"/tasks/{first.pk}/").content.decode()
    data = {"visited_on": first.created.date(), "findings": "入户核实，情况属实。", "returned": False}
    engine.task_complete(task=first, actor=fresh(tree.committee_a), data=data)  # done: no longer needed
    assert "尿毒症" not in client.get(f"/tasks/{first.pk}/").content.decode()


def test_the_admin_masks_income_and_cause_and_audits_who_read_them(client, tree, aid_people, fund, period):
    """Measured: the admin showed income and 致困原因 to any staff user, with no audit."""
    file = hardship_file(tree, aid_people["needy"])
    url = reverse("admin:aid_hardshipfile_change", args=[file.pk])
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    client.force_login(root)  # a technical account holds no union role: everything masked
    page = client.get(url).content.decode()
    assert page.count("***") >= 4 and "330***********1234" in page and "张*明" in page
    for secret in ("800.00", "配偶患病长期治疗", "尿毒症", "6222020202020202", "330102198001011234", "张小明"):
        assert secret not in page, secret
    assert not AuditEvent.objects.filter(action="view_pii").exists()
    listing = client.get(reverse("admin:aid_hardshipfile_changelist")).content.decode()
    assert "张小明" not in listing and "张*明" in listing
    chair = tree.chair_a
    chair.is_staff = True
    chair.save()
    chair.user_permissions.add(Permission.objects.get(codename="view_hardshipfile"))
    client.force_login(chair)
    page = client.get(url).content.decode()
    assert "800.00" in page and "配偶患病长期治疗" in page
    event = AuditEvent.objects.get(action="view_pii")
    assert event.actor == chair and "致困原因" in event.reason and "家庭月人均收入" in event.reason


def test_the_api_renders_names_and_cause_for_the_viewer(client, tree, aid_people, fund, period):
    hardship_file(tree, aid_people["needy"])
    client.force_login(tree.committee_a)
    row = client.get("/api/v1/aid/files/").json()["results"][0]
    assert (row["member_name"], row["cause"]) == ("张*明", "***")
    client.force_login(tree.chair_a)
    row = client.get("/api/v1/aid/files/").json()["results"][0]
    assert (row["member_name"], row["cause"]) == ("张小明", "配偶患病长期治疗，家庭收入低。")
    assert AuditEvent.objects.filter(action="view_pii", actor=tree.chair_a, reason="致困原因").count() == 1


def test_notifications_of_a_new_task_name_the_applicant_only_to_its_holder(tree, aid_people, fund, period):
    hardship_file(tree, aid_people["needy"])
    application = apply(tree, aid_people["needy"])
    first = task(application, AidFlow.home_visit).first()
    engine.task_claim(task=first, actor=fresh(tree.committee_a))
    engine.task_reassign(task=first, actor=fresh(tree.chair_a), to_user=fresh(aid_people["committee2"]))
    note = Notification.objects.get(recipient=aid_people["committee2"], kind="task")
    assert "张小明的生活救助申请" in note.body  # the new holder visits the household


def test_the_yearly_review_reminder_names_the_household_as_each_member_may_see_it(tree, aid_people, fund, period):
    import datetime

    import time_machine
    from django.utils import timezone

    from aid.tasks import remind_file_reviews

    file = hardship_file(tree, aid_people["needy"])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=400)):
        assert remind_file_reviews() == 1
    note = Notification.objects.get(recipient=tree.committee_a, kind="reminder")
    assert "张*明" in note.title and "张小明" not in note.title and str(file.next_review_on) in note.title
