"""Aid figures against hand-computed payments; pages, masking and the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from aid.models import AidApplication, Disbursement, FundBudget
from aid.summary import section
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, disburse, through_review
from workflows.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


def paid(tree, aid_people, fund, user, amount, aid_type="living"):
    from aid.flows import AidFlow

    application = after_publicity(through_review(tree, aid_people, apply(tree, user, amount=amount, aid_type=aid_type)))
    approve(application, AidFlow.approve, tree.chair_a, fund)
    disburse(application, AidFlow.disburse, aid_people["finance"])
    return application


def test_figures_match_hand_computed_payments(tree, aid_people, fund, period):
    Member.objects.filter(user=aid_people["needy2"]).update(is_model_worker=True)
    hardship_file(tree, aid_people["needy"])  # 深度困难
    a1 = paid(tree, aid_people, fund, aid_people["needy"], "3000")
    a2 = paid(tree, aid_people, fund, aid_people["needy"], "1200", aid_type="medical")
    a3 = paid(tree, aid_people, fund, aid_people["needy2"], "800", aid_type="model_worker")
    apply(tree, tree.applicant_a, amount="500")  # still verifying: not counted
    s = section(tree.a, period.starts_on, period.ends_on)
    # 劳模慰问 is its own figure, never inside the 困难职工帮扶 totals
    assert s["people"].value == 1 and s["times"].value == 2
    assert s["amount"].value == Decimal("4200.00")
    by_type = {f.label: f.value for f in s.breakdowns["by_type"]}
    assert by_type["生活救助"] == Decimal("3000") and by_type["医疗救助"] == Decimal("1200")
    assert "劳模慰问" not in by_type
    by_category = {f.label: f.value for f in s.breakdowns["by_category"]}
    assert by_category["深度困难"] == Decimal("4200") and by_category["未建档"] == Decimal("0")
    assert sum(f.value for f in s.breakdowns["by_type"]) == s["amount"].value  # parts add up
    assert s["model_workers"].value == 1 and s["model_workers"].unit == "名"
    assert s["model_workers_amount"].value == Decimal("800")
    assert s["budget"].value == Decimal("20000.00") and s["budget_used_rate"].value == Decimal("25.0")
    assert s["files_opened"].value == 1
    assert s["average_days"].value == Decimal("0.0")  # applied and paid on the same (frozen) day
    assert set(s.records("times")) == set(Disbursement.objects.exclude(application=a3).values_list("pk", flat=True))
    assert s.records("people") == tuple(Member.objects.filter(user=aid_people["needy"]).values_list("pk", flat=True))
    assert s.records("model_workers") == tuple(
        Member.objects.filter(user=aid_people["needy2"]).values_list("pk", flat=True)
    )
    assert {a1.pk, a2.pk, a3.pk} == set(AidApplication.objects.filter(status="paid").values_list("pk", flat=True))


def test_the_publicity_board_masks_names_and_hides_personal_data(client, tree, aid_people, fund, period):
    hardship_file(tree, aid_people["needy"])
    through_review(tree, aid_people, apply(tree, aid_people["needy"]))
    client.force_login(aid_people["needy2"])
    page = client.get(reverse("aid:publicity")).content.decode()
    assert "张*明" in page and "张小明" not in page and "尿毒症" not in page and "330102" not in page
    response = client.get("/api/v1/aid/applications/publicity/")
    assert response.json()[0]["name"] == "张*明"


def test_objection_from_the_board(client, tree, aid_people, fund, period):
    application = through_review(tree, aid_people, apply(tree, aid_people["needy"]))
    client.force_login(aid_people["needy2"])
    body = client.post(
        reverse("aid:object", args=["application", application.pk]), {"text": "有经营收入"}, follow=True
    ).content.decode()
    assert "异议已提交" in body
    application.refresh_from_db()
    assert application.status == "reviewing"


def test_the_full_file_is_for_roles_that_need_it_and_opening_it_is_audited(client, tree, aid_people, fund, period):
    file = hardship_file(tree, aid_people["needy"])
    client.force_login(tree.committee_a)  # a committee member sees the file, not the personal data
    page = client.get(file.get_absolute_url()).content.decode()
    assert "330***********1234" in page and "尿毒症" not in page and "张*明" in page
    assert not AuditEvent.objects.filter(action="view_pii").exists()
    client.force_login(tree.chair_a)
    page = client.get(file.get_absolute_url()).content.decode()
    assert "330102198001011234" in page and "尿毒症" in page
    assert AuditEvent.objects.filter(action="view_pii", actor=tree.chair_a).count() == 1
    client.force_login(tree.committee_b)
    assert client.get(file.get_absolute_url()).status_code == 404


def test_the_api_masks_other_peoples_names(client, tree, aid_people, fund, period):
    apply(tree, aid_people["needy"])
    client.force_login(tree.committee_a)
    assert client.get("/api/v1/aid/applications/").json()["results"][0]["applicant"] == "张*明"
    client.force_login(tree.chair_a)
    assert client.get("/api/v1/aid/applications/").json()["results"][0]["applicant"] == "张小明"
    client.force_login(aid_people["needy"])
    assert client.get("/api/v1/aid/applications/").json()["results"][0]["applicant"] == "张小明"


def test_apply_through_the_api_and_refusals(client, tree, aid_people, fund, period):
    client.force_login(aid_people["needy"])
    r = client.post(
        "/api/v1/aid/applications/",
        {"aid_type": "living", "amount_requested": "0", "reasons": "x"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "amount_requested" in r.json()["fields"]
    r = client.post(
        "/api/v1/aid/applications/",
        {"aid_type": "living", "amount_requested": "2000", "reasons": "困难"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = client.post(
        "/api/v1/aid/applications/",
        {"aid_type": "living", "amount_requested": "2000", "reasons": "困难"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "同一期间同一类型不能重复申请" in r.json()["message"]
    client.force_login(tree.chair_a)
    assert client.get("/api/v1/aid/applications/funds/").json()[0]["remaining"] == "20000.00"


@pytest.mark.parametrize("page", ["aid:list", "aid:apply", "aid:publicity", "aid:funds"])
def test_pages_render(client, tree, aid_people, fund, period, page):
    for user in (aid_people["needy"], tree.chair_a, tree.committee_a):
        client.force_login(user)
        assert client.get(reverse(page)).status_code == 200


def test_committee_pages(client, tree, aid_people, fund, period):
    hardship_file(tree, aid_people["needy"])
    client.force_login(tree.committee_a)
    assert client.get(reverse("aid:files")).status_code == 200
    body = client.post(
        reverse("aid:file_new"), {"member": "", "income_per_head": "700", "household_size": "3"}
    ).content.decode()
    assert "深度困难" in body  # the suggested category
    client.force_login(aid_people["needy"])
    assert client.get(reverse("aid:files")).status_code == 404
    client.force_login(tree.chair_a)
    assert client.get(reverse("aid:batch_new")).status_code == 200
    assert FundBudget.objects.count() == 1


def test_files_and_batches_through_the_api(client, tree, aid_people, fund, period):
    needy = Member.objects.get(user=aid_people["needy"])
    client.force_login(tree.committee_a)
    data = {
        "member": needy.pk, "household_size": 3, "income_per_head": "800", "ill_or_disabled": 1, "sudden_loss": "0",
        "cause": "配偶患病", "category": "deep", "id_number": "330102198001011234", "illness": "", "bank_account": "",
        "consent_signed_on": "2026-01-05",
    }  # fmt: skip
    r = client.post("/api/v1/aid/files/", data, content_type="application/json")
    assert r.status_code == 201 and r.json()["member_name"] == "张*明" and "id_number" not in r.json()
    file_id = r.json()["id"]
    r = client.post("/api/v1/aid/files/", data, content_type="application/json")
    assert r.status_code == 400 and "已有在档" in r.json()["message"]
    client.force_login(tree.chair_a)
    payload = {
        "title": "送温暖",
        "aid_type": "festival",
        "amount_per_household": "500",
        "fund": fund.pk,
        "files": [file_id],
    }
    r = client.post("/api/v1/aid/batches/", payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["households"] == 1 and r.json()["skipped"] == []
    client.force_login(tree.committee_a)
    r = client.post("/api/v1/aid/batches/", payload, content_type="application/json")
    assert r.status_code == 403
