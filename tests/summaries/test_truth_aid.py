"""The aid chapter says how each payment was made only as far as the records bear it out:
households relieved by a batch are 户, 劳模慰问 is its own sentence (名 and amount) and never in
the 困难职工帮扶 totals, whether it was entered on the pages or through the API."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from aid import services as aid_services
from aid.flows import AidBatchFlow
from aid.models import AidApplication, AidBatch
from summaries import figures, narrative, textcheck
from tests.aid.conftest import aid_people, approved_batch, fund, hardship_file, period  # noqa: F401
from tests.aid.test_aid_flow import approve, disburse, votes
from tests.aid.test_summary_and_web import paid
from tests.factories import fresh, make_user
from workflows.models import Member

pytestmark = pytest.mark.django_db


def aid_text(tree, period):  # noqa: F811
    snapshot = figures.collect(tree.a, period)
    ctx = narrative.context(snapshot, period)
    text = narrative.paragraph("aid", ctx)
    assert textcheck.problems(text, period, snapshot) == []
    return "".join(text), snapshot["sections"]["aid"]["figures"]


def pay_batch(batch, finance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        disburse(batch, AidBatchFlow.disburse, finance, reference="转账批量")
    batch.refresh_from_db()
    assert batch.status == AidBatch.Status.PAID


def test_only_individual_applications_are_all_visited_reviewed_and_publicised(tree, aid_people, fund, period):  # noqa: F811
    hardship_file(tree, aid_people["needy"])
    paid(tree, aid_people, fund, aid_people["needy"], "3000")
    text, _f = aid_text(tree, period)
    assert "共救助困难职工1人、1人次，发放帮扶资金3000元。" in text
    assert "每一笔帮扶都经过入户核实、民主评议和公示。" in text


def test_a_batch_paid_by_list_is_counted_in_households_and_not_said_to_be_visited(
    tree,
    aid_people,  # noqa: F811
    fund,  # noqa: F811
    period,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    hardship_file(tree, aid_people["needy"])
    paid(tree, aid_people, fund, aid_people["needy"], "3000")
    batch = approved_batch(tree, second_committee=aid_people["committee2"], fund=fund, households=3, amount="500")
    pay_batch(batch, aid_people["finance"], django_capture_on_commit_callbacks)
    text, f = aid_text(tree, period)
    assert "共发放困难职工帮扶资金4500元" in text
    assert (
        "其中个案救助困难职工1人、1人次，发放3000元；开展批量慰问1批，走访慰问困难职工家庭3户，发放慰问金1500元。"
        in text
    )
    assert "每一笔帮扶都经过入户核实" not in text
    assert "每一笔帮扶都经过民主评议和公示，其中1笔经入户核实，批量慰问的3笔按名单发放。" in text
    assert "节日慰问1500元" in text and "/" not in text  # one prose name per type
    assert (f["visited"]["value"], f["publicised"]["value"], f["times"]["value"]) == (1, 4, 4)
    snapshot = figures.collect(tree.a, period)
    found = textcheck.problems("每一笔帮扶都经过入户核实、民主评议和公示。", period, snapshot)
    assert any("经入户核实1笔、共4笔" in x for x in found)  # the sentence the old report printed regardless


def model_worker_batch_through_the_api(tree, aid_people, fund, client):  # noqa: F811
    Member.objects.filter(user__in=[aid_people["needy"], aid_people["needy2"]]).update(is_model_worker=True)
    client.force_login(tree.chair_a)
    response = client.post(
        "/api/v1/aid/model-worker-batches/",
        {"fund": fund.pk, "amount_per_household": "1000"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return AidBatch.objects.get(pk=response.json()["id"])


def model_worker_batch_on_the_page(tree, aid_people, fund):  # noqa: F811
    files = [hardship_file(tree, aid_people["needy"])]
    files.append(hardship_file(tree, aid_people["needy2"], id_number="330102198001019999"))
    batch, _skipped = aid_services.batch_create(
        actor=fresh(tree.chair_a),
        title="劳模慰问",
        aid_type="model_worker",
        amount_per_household=Decimal("1000"),
        fund=fund,
        files=files,
    )
    return batch


@pytest.mark.parametrize("entered", ["api", "page"])
def test_model_workers_are_their_own_sentence_and_never_in_the_relief_totals(
    tree,
    aid_people,  # noqa: F811
    fund,  # noqa: F811
    period,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
    entered,
):
    if entered == "api":
        batch = model_worker_batch_through_the_api(tree, aid_people, fund, client)
    else:
        batch = model_worker_batch_on_the_page(tree, aid_people, fund)
    votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "for"})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        assert fire_due_timers() == 1
    batch.refresh_from_db()
    approve(batch, AidBatchFlow.approve, tree.chair_a, fund)
    pay_batch(batch, aid_people["finance"], django_capture_on_commit_callbacks)
    helped = make_user("needy3", name="王五", unit=tree.a_branch, employer=tree.employer_a)
    hardship_file(tree, helped, id_number="330102198001018888")
    paid(tree, aid_people, fund, helped, "2000")
    assert set(AidApplication.objects.filter(batch=batch).values_list("aid_type", flat=True)) == {"model_worker"}
    text, f = aid_text(tree, period)
    assert (Decimal(f["amount"]["value"]), f["people"]["value"], f["times"]["value"]) == (2000, 1, 1)
    assert (f["model_workers"]["value"], Decimal(f["model_workers_amount"]["value"])) == (2, 2000)
    assert "共救助困难职工1人、1人次，发放帮扶资金2000元。" in text
    assert "慰问劳动模范2名，发放慰问金2000元。" in text
    assert "劳模慰问" not in text.split("慰问劳动模范")[0]  # not among the 帮扶 types
