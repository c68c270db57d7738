"""Proved on the seeds (issue 15 §5): the activity a real union report describes, rebuilt through the
services, closed as a period, and read back from the generated 工作总结.

Seed ``000`` is 《社区工会上半年的总结》 (three reports in one file, ``/work/shared/seeds/000_*.txt``).
Its 篇2, chapter 三 "做好职工维权工作，为企业职工办实事做好事", holds the figures this system records:

===============================================================  =======================================
seed sentence                                                    what is rebuilt here
===============================================================  =======================================
全年共接受职工投诉案件69起，成功调解58起。                        69 disputes filed in 2026年上半年, 58 of
                                                                 them settled (调解成功); the seed does
                                                                 not say how the other 11 ended: they are
                                                                 recorded as 调解不成
走访慰问困难职工35名，重病人员3名，劳模5人，                      a 送温暖 batch for 35 households at 800元;
共发放各类慰问金4万余元。                                         3 医疗救助 applications (重病) of 3000,
                                                                 2850 and 3125元; a 劳模慰问 batch for 5
                                                                 劳模 at 1000元: 41975元 in all (4万余元)
开展送清凉活动……款项达2万余元。                                  not rebuilt: 送清凉 for workers in the
                                                                 heat is no hardship aid and has no aid
                                                                 type (the demo files it as 生活救助)
签订率在90%以上 · 3650名职工参加医疗互助 · 中秋送礼60家           not recorded by the system: the chair's
                                                                 own chapters (§2)
===============================================================  =======================================

The other engineers are rewording the narrative while this is written, so the checks are on figures
with their measure words inside the chapter that holds them, never on whole sentences.  What waits
for their work is marked ``xfail(strict=True)`` with the reason, and starts failing (XPASS) the day
it lands, so the mark is removed then.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from docx import Document
from viewflow.workflow.timers import fire_due_timers

from aid import services as aid_services
from aid.flows import AidBatchFlow, AidFlow
from aid.models import Fund, FundBudget
from cases import services as case_services
from summaries import services as summary_services
from tests.aid.conftest import aid_people, approved_batch  # noqa: F401  (fixture)
from tests.aid.test_aid_flow import after_publicity, approve, disburse, through_review, votes
from tests.cases.conftest import mediator, register_kwargs  # noqa: F401  (fixture)
from tests.factories import fresh, make_user
from workflows.models import Member, Period
from workflows.money import report_amount
from workflows.transitions import run_transition

pytestmark = pytest.mark.django_db
D = datetime.date

RECEIVED, SETTLED = 69, 58
HOUSEHOLDS, PER_HOUSEHOLD = 35, Decimal("800")
MEDICAL = [Decimal("3000"), Decimal("2850"), Decimal("3125")]
MODEL_WORKERS, PER_MODEL_WORKER = 5, Decimal("1000")
HARDSHIP_TOTAL = HOUSEHOLDS * PER_HOUSEHOLD + sum(MEDICAL)  # 36975元: 送温暖 and 医疗救助
ALL_TOTAL = HARDSHIP_TOTAL + MODEL_WORKERS * PER_MODEL_WORKER  # 41975元, the seed's "各类慰问金4万余元"

LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
# The kinds of chapter the seed puts these figures in, by the words their headings use.
RIGHTS = ("维权", "维护职工合法权益", "合法权益")
# 篇2 puts its 慰问 under "做好职工维权工作，为企业职工办实事做好事": a relief chapter or a rights one.
RELIEF = ("帮扶", "慰问", "救助", "办实事", "困难职工", *RIGHTS)


def at(day, hour=10):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return time_machine.travel(moment, tick=False)


def pay_batch(batch, finance):
    """Finance decides the payment and the worker pays each household (the Celery task's body)."""
    disburse(batch, AidBatchFlow.disburse, finance)
    aid_services.batch_pay_households(batch=batch)
    batch.refresh_from_db()
    assert batch.status == batch.Status.PAID


def build_seed_000_pian_2(tree, aid_people, mediator):  # noqa: F811
    """2026年上半年 of 甲公司工会 as 篇2 describes it (see the module's table), closed: its report."""
    h1 = Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.FIRST_HALF)
    fund = Fund.objects.create(org_unit=tree.a, name="困难职工帮扶资金")
    FundBudget.objects.create(fund=fund, period=h1, amount=Decimal("60000"))
    finance = aid_people["finance"]

    with at(D(2026, 1, 20)):  # 春节送温暖: paid by list, no home visit per household
        batch = approved_batch(
            tree, second_committee=aid_people["committee2"], fund=fund, households=HOUSEHOLDS, amount=PER_HOUSEHOLD
        )
    with at(D(2026, 2, 2)):
        pay_batch(batch, finance)

    for i, amount in enumerate(MEDICAL):  # 重病人员: each applies, is visited, reviewed, publicised
        with at(D(2026, 3, 2 + 7 * i)):
            user = make_user(name=f"重病职工{i}", unit=tree.a_branch, employer=tree.employer_a)
            application = aid_services.application_submit(
                actor=fresh(user),
                member=Member.objects.get(user=user),
                aid_type="medical",
                amount_requested=amount,
                reasons="本人患重病住院治疗，医疗费用负担重。",
            )
            application = after_publicity(through_review(tree, aid_people, application))
            approve(application, AidFlow.approve, tree.chair_a, fund)
            disburse(application, AidFlow.disburse, finance)
            assert application.status == "paid"

    with at(D(2026, 4, 27)):  # 五一 劳模慰问
        for i in range(MODEL_WORKERS):
            user = make_user(name=f"劳模{i}", unit=tree.a_branch, employer=tree.employer_a)
            Member.objects.filter(user=user).update(is_model_worker=True)
        batch, skipped = aid_services.model_worker_batch_create(
            actor=fresh(tree.chair_a), title="五一劳模慰问", amount_per_household=PER_MODEL_WORKER, fund=fund
        )
        assert not skipped
        votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "for"})
        with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):  # the 公示 ends
            assert fire_due_timers() == 1
        batch.refresh_from_db()
        approve(batch, AidBatchFlow.approve, tree.chair_a, fund)
    with at(D(2026, 5, 11)):
        pay_batch(batch, finance)

    # 69 disputes over the half-year, 58 settled, the other 11 not (the seed says only "成功调解58起").
    m = fresh(mediator)
    for n in range(RECEIVED):
        filed = D(2026, 1, 5) + datetime.timedelta(days=2 * n)
        case = case_services.case_register(
            actor=m, **register_kwargs(tree, applicant_name=f"职工{n:02d}", applicant_phone="", filed_on=filed)
        )
        accepted = filed + datetime.timedelta(days=1)
        due = accepted + datetime.timedelta(days=15)
        run_transition(case, "accept", actor=m, check_permission=False, on_date=accepted, mediator=m, mediation_due=due)
        if n < SETTLED:
            run_transition(
                case,
                "agree",
                actor=m,
                check_permission=False,
                on_date=accepted + datetime.timedelta(days=7),
                amount=Decimal("2000"),
                terms="被申请人支付拖欠工资。",
                performance_due=accepted + datetime.timedelta(days=20),
            )
        else:
            run_transition(case, "fail", actor=m, check_permission=False, on_date=due, failure_reason="双方分歧较大")

    report = summary_services.report_request(period=h1, actor=fresh(tree.chair_a), run=lambda pk: None)
    return summary_services.report_run(report.pk)


_chapters = {}


@pytest.fixture
def seed_000_pian_2(request):
    """The chapters of the report of :func:`build_seed_000_pian_2`.  Building takes seconds, so the
    first test to ask builds it and the others read the same text (its records are rolled back after
    that test; the text is all the checks read)."""
    if "000/2" not in _chapters:
        report = build_seed_000_pian_2(*(request.getfixturevalue(name) for name in ("tree", "aid_people", "mediator")))
        _chapters["000/2"] = chapters(report)
    return _chapters["000/2"]


def chapters(report):
    """The report's level-1 chapters: ``[(heading, [paragraph, …]), …]`` (the title and 导语 first,
    under an empty heading)."""
    with report.document.open("rb") as f:
        texts = [p.text.strip() for p in Document(io.BytesIO(f.read())).paragraphs if p.text.strip()]
    out = [("", [])]
    for text in texts:
        if LEVEL1.match(text):
            out.append((text, []))
        else:
            out[-1][1].append(text)
    return out


def chapter_with(report_chapters, pattern, kinds):
    """The text of the chapters that state ``pattern`` under a heading of one of the ``kinds`` the seed
    puts that figure in (the 导语 before the first heading may mention it too; it is no chapter)."""
    found = [
        (heading, " ".join(body)) for heading, body in report_chapters if heading and re.search(pattern, " ".join(body))
    ]
    assert found, f"no chapter states {pattern}"
    right = [body for heading, body in found if any(word in heading for word in kinds)]
    assert right, f"{pattern} is under {[h for h, _b in found]}, not a chapter of {kinds}"
    return " ".join(right)


def test_seed_000_disputes_received_and_settled(seed_000_pian_2):
    """全年共接受职工投诉案件69起，成功调解58起。"""
    body = chapter_with(seed_000_pian_2, rf"(受理|登记|接受)\D{{0,12}}{RECEIVED}[件起]", RIGHTS)
    assert re.search(rf"调解成功{SETTLED}[件起]", body)
    assert re.search(rf"调解不成{RECEIVED - SETTLED}[件起]", body)
    assert re.search(r"调解成功率84\.1%", body)  # 58 ÷ 69 concluded


def test_seed_000_relief_amounts_by_kind(seed_000_pian_2):
    """走访慰问困难职工35名，重病人员3名，劳模5人，共发放各类慰问金4万余元 — the amounts."""
    body = chapter_with(seed_000_pian_2, "医疗救助", RELIEF)
    assert f"医疗救助{report_amount(sum(MEDICAL))}" in body  # 8975元
    assert re.search(rf"{HOUSEHOLDS * PER_HOUSEHOLD:.0f}元|{report_amount(HOUSEHOLDS * PER_HOUSEHOLD)}", body)
    assert re.search(rf"劳动?模范?{MODEL_WORKERS}[名人][^。]*{PER_MODEL_WORKER * MODEL_WORKERS:.0f}元", body)


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 §1 (narrative, other part): a batch's households are counted in 户 "
    "(走访慰问困难职工家庭35户) and the 医疗救助 recipients in 名/人",
)
def test_seed_000_households_and_people_carry_their_measure_words(seed_000_pian_2):
    """走访慰问困难职工35名，重病人员3名 — the counts."""
    body = chapter_with(seed_000_pian_2, "医疗救助", RELIEF)
    # relieved, not merely filed ("新建困难职工档案35户" counts the files opened)
    assert re.search(rf"(慰问|帮扶|走访)[^。；，、]*(?<!\d){HOUSEHOLDS}户", body)
    medical = len(MEDICAL)
    assert re.search(rf"医疗救助[^。；]*(?<!\d){medical}[名人]|(?<!\d){medical}[名人][^。；]*医疗救助", body)


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 §1 (narrative, other part): 劳模慰问 is its own sentence and never inside the 困难职工帮扶 totals",
)
def test_seed_000_model_workers_stand_outside_the_hardship_total(seed_000_pian_2):
    """The seed's 4万余元 is every kind of 慰问金 together; the report keeps 劳模慰问 apart."""
    body = chapter_with(seed_000_pian_2, "医疗救助", RELIEF)
    assert report_amount(HARDSHIP_TOTAL) in body  # 3万余元
    assert report_amount(ALL_TOTAL) not in body
    sentences = re.split(r"[。；]", body)
    assert not any("劳模" in s and report_amount(HARDSHIP_TOTAL) in s for s in sentences)


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 §1 (narrative, other part): no 入户核实 claim when a 送温暖 batch was paid by list; "
    "半年来, not 一年来, in a half-year; no slash labels; no chapter or clause with nothing to say",
)
def test_seed_000_makes_no_claim_the_records_do_not_support(seed_000_pian_2):
    text = " ".join(" ".join([heading, *body]) for heading, body in seed_000_pian_2)
    assert "入户核实" not in text  # 35 of the 38 households relieved were paid by list
    assert "一年来" not in text
    assert not re.search(r"[\u4e00-\u9fff]/[\u4e00-\u9fff]", text)
    # 篇2 has no 职代会提案: no chapter or clause says so with a zero
    assert not re.search(r"未收到|未发放|未受理|(?<!\d)0[件起人户名条]", text)
