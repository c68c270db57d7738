"""Proved on the seeds (issue 15 §5): the activity a real union report describes, rebuilt through the
services, closed as a period, and read back from the generated 工作总结.

Each seed file (``/work/shared/seeds/<nnn>_*.txt``) holds one or more reports; per seed the one richest
in figures this system records (disputes and their outcomes, aid by category with amounts and
households, proposals and their handling) is rebuilt, with the union's own chapters entered by the
chair as she would (:func:`chair_writes`).

====  ===========================================  =================================================
seed  report (篇) and what it is                   what is rebuilt here, in 甲公司工会 (``tree.a``)
====  ===========================================  =================================================
000   篇2 《社区工会上半年的总结》, 2026年上半年    69 disputes, 58 settled (调解成功), 11 not (the seed
      三 "做好职工维权工作，为企业职工办实事做好事"  does not say how they ended: 调解不成); a 送温暖
                                                    batch of 35 households at 800元; 3 医疗救助 (重病)
                                                    of 3000, 2850 and 3125元; a 劳模慰问 batch of 5 at
                                                    1000元: 41975元 in all, the seed's "4万余元".
                                                    Not rebuilt: 送清凉 "2万余元" (no hardship aid, no
                                                    aid type); 签订率90%, 医疗互助3650名, 中秋送礼60家
                                                    (none recorded by the system, no chapter entered).
001   the one report (工会组织部工作总结), a year    nothing the system records: no dispute, aid or
      of 组建工会 and 发展会员                       proposal.  The chair enters its four chapters
                                                    (组建工会和发展会员 254个行政村 6923名农民工; 建家;
                                                    干部培训; 规范化建设) and its 不足, as 2026年全年.
002   第15篇 (戚家山街道总工会), a year              27 disputes, all settled: 劳动合同5, 工资10, 工伤7,
      二 "扎实推进法治工会建设" and                  其他5, 120名职工 (26 disputes of 4 and, since the
      三 "全面推进职工服务普惠化"                    seed does not say how they spread, one collective
                                                    of 16), 标的1329770元; a 送温暖 batch of 26 at
                                                    1500元 (39000元); 金秋助学 for 8 (6 大学生 at 2500,
                                                    1 中学生 2000, 1 小学生 1500: 18500元); the chair's
                                                    chapter 自身建设 (新建基层工会8家, 224家) and
                                                    the next year's 工作计划 she writes.
                                                    Not rebuilt: 信访27件 (the same 27 matters, not
                                                    filed as 信访件), 各类困难补助4.9万元 (its relation
                                                    to the 39000元 and 18500元 is not said), 企业帮困
                                                    基金17.6万元 (the enterprises' own funds), 夏季高温
                                                    慰问262094元 (送清凉), 医疗互助, 5.1服务卡.
003   篇1 (富兴社区工会), a year                     a 送温暖 batch at 年初 for 23 households at 500元
      三 "积极开展帮扶活动，发挥工会作用"            (11500元); the chair's chapters 学习教育 (80人,
                                                    30名) and 文体活动 (近200名).  Not rebuilt:
                                                    米面油 for 3 + 2 households (in kind, no value
                                                    stated: a value would be invented), 雅安地震捐款
                                                    近1000元 (a donation collected, not aid paid).
                                                    篇6 (议案三条，已解决一条) holds fewer figures.
====  ===========================================  =================================================

The checks are on figures with their measure words inside the chapter that holds them, never on
whole sentences, so the wording may change.
"""

import datetime
import inspect
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

LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
# The kinds of chapter the seeds put these figures in, by the words their headings use.
RIGHTS = ("维权", "维护职工合法权益", "合法权益", "法治")
# 000 篇2 puts its 慰问 under "做好职工维权工作，为企业职工办实事做好事": a relief chapter or a rights one.
RELIEF = ("帮扶", "慰问", "救助", "办实事", "困难职工", "服务", *RIGHTS)
# Zero clauses and chapters with nothing to say (issue 15 §1).
NOTHING_TO_SAY = re.compile(r"未收到|未发放|未受理|(?<!\d)0[件起人户名条]")
SLASH_LABEL = re.compile(r"[\u4e00-\u9fff]/[\u4e00-\u9fff]")


# --- building a seed's period through the services -------------------------------------------------


def at(day, hour=10):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return time_machine.travel(moment, tick=False)


def period_with_fund(tree, *, year, kind, budget):
    """The period to close, and a fund with ``budget`` for each half-year the records fall in (records
    and budgets belong to a half-year; a year's report reads both halves)."""
    fund = Fund.objects.create(org_unit=tree.a, name="困难职工帮扶资金")
    halves = [kind] if kind != Period.Kind.FULL_YEAR else [Period.Kind.FIRST_HALF, Period.Kind.SECOND_HALF]
    for half in halves:
        period = Period.objects.create(org_unit=tree.a, year=year, kind=half)
        FundBudget.objects.create(fund=fund, period=period, amount=budget)
    if kind == Period.Kind.FULL_YEAR:
        period = Period.objects.create(org_unit=tree.a, year=year, kind=kind)
    return period, fund


def pay_batch(batch, finance):
    """Finance decides the payment and the worker pays each household (the Celery task's body)."""
    disburse(batch, AidBatchFlow.disburse, finance)
    aid_services.batch_pay_households(batch=batch)
    batch.refresh_from_db()
    assert batch.status == batch.Status.PAID


def festival_batch(tree, aid_people, fund, *, households, amount, approved_on, paid_on):  # noqa: F811
    """送温暖: a batch paid by list, with no home visit per household."""
    with at(approved_on):
        batch = approved_batch(
            tree, second_committee=aid_people["committee2"], fund=fund, households=households, amount=amount
        )
    with at(paid_on):
        pay_batch(batch, aid_people["finance"])
    return batch


def paid_application(tree, aid_people, fund, *, name, aid_type, amount, reasons, day):  # noqa: F811
    """One worker applies and is visited, reviewed, publicised, approved and paid."""
    with at(day):
        user = make_user(name=name, unit=tree.a_branch, employer=tree.employer_a)
        application = aid_services.application_submit(
            actor=fresh(user),
            member=Member.objects.get(user=user),
            aid_type=aid_type,
            amount_requested=amount,
            reasons=reasons,
        )
        application = after_publicity(through_review(tree, aid_people, application))
        approve(application, AidFlow.approve, tree.chair_a, fund)
        disburse(application, AidFlow.disburse, aid_people["finance"])
        assert application.status == "paid"
    return application


def disputes(tree, mediator, *, first_filed, cases):  # noqa: F811
    """Register, accept and conclude one dispute per ``(category, workers, amount, settled)``, filed
    two days apart from ``first_filed``; a dispute not settled ends 调解不成 at its legal deadline."""
    m = fresh(mediator)
    for n, (category, workers, amount, settled) in enumerate(cases):
        filed = first_filed + datetime.timedelta(days=2 * n)
        case = case_services.case_register(
            actor=m,
            **register_kwargs(
                tree,
                applicant_name=f"职工{n:02d}",
                applicant_phone="",
                filed_on=filed,
                category=category,
                workers_involved=workers,
                amount_claimed=amount,
            ),
        )
        accepted = filed + datetime.timedelta(days=1)
        due = accepted + datetime.timedelta(days=15)
        run_transition(case, "accept", actor=m, check_permission=False, on_date=accepted, mediator=m, mediation_due=due)
        if settled:
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


def close(period, chair, *, on):
    """The chair closes the period the day after ``on`` and the report is written."""
    with at(on):
        report = summary_services.report_request(period=period, actor=fresh(chair), run=lambda pk: None)
        return summary_services.report_run(report.pk)


def chair_writes(report, chair, *, sections=(), problems=None, plans=None, entered=None, on):
    """The chair enters the chapters the system does not record (title, body) before 存在的不足,
    rewrites 存在的不足 or the 工作打算 where she has her own (the system's draft stays where she has
    not), and has the document written again.  ``entered`` maps a chapter's title to the figures she
    enters in it, ``[(label, number, measure word)]``: each is written into the body as ``{label}``
    where the body said the number with its measure word."""
    entered = entered or {}

    def chapter(title, body):
        figures = []
        for label, value, measure in entered.get(title, ()):
            assert f"{value}{measure}" in body, (value, measure, body)
            body = body.replace(f"{value}{measure}", "{" + label + "}", 1)
            figures.append({"label": label, "value": value, "measure": measure})
        return {"title": title, "blocks": [{"text": body}], "figures": figures}

    chapters = [dict(c) for c in report.chapters]
    by_id = {c.get("id"): c for c in chapters}
    for key, text in (("problems", problems), ("plans", plans)):
        if text is not None:
            blocks = by_id[key]["blocks"]
            by_id[key]["blocks"] = [{**blocks[0], "text": text}, *blocks[1:]]
    at_problems = next(i for i, c in enumerate(chapters) if c.get("id") == "problems")
    chapters[at_problems:at_problems] = [chapter(title, body) for title, body in sections]
    with at(on):
        summary_services.report_save_chapters(report=report, actor=fresh(chair), chapters=chapters)
        summary_services.report_regenerate(report=report, actor=fresh(chair), run=lambda pk: None)
        return summary_services.report_run(report.pk)


# --- reading the generated report -------------------------------------------------------------------


class Written:
    """What the checks read of a generated report: its level-1 chapters ``[(heading, [paragraph, …])]``
    (the title and 导语 first, under an empty heading) and the rows of its 附表, each as one text."""

    def __init__(self, report):
        with report.document.open("rb") as f:
            document = Document(io.BytesIO(f.read()))
        texts = [p.text.strip() for p in document.paragraphs if p.text.strip()]
        self.chapters = [("", [])]
        for text in texts:
            if LEVEL1.match(text):
                self.chapters.append((text, []))
            else:
                self.chapters[-1][1].append(text)
        self.appendix = [" ".join(cell.text for cell in row.cells) for table in document.tables for row in table.rows]

    @property
    def text(self):
        return " ".join(" ".join([heading, *body]) for heading, body in self.chapters)

    @property
    def headings(self):
        return [heading for heading, _body in self.chapters if heading]

    def chapter(self, words):
        """The body of the one chapter whose heading holds ``words``."""
        found = [" ".join(body) for heading, body in self.chapters if words in heading]
        assert len(found) == 1, f"{words!r} heads {len(found)} chapters of {self.headings}"
        return found[0]

    def chapter_with(self, pattern, kinds):
        """The text of the chapters that state ``pattern`` under a heading of one of the ``kinds`` the
        seed puts that figure in (the 导语 before the first heading may mention it too; it is no chapter)."""
        found = [(h, " ".join(body)) for h, body in self.chapters if h and re.search(pattern, " ".join(body))]
        assert found, f"no chapter states {pattern}"
        right = [body for heading, body in found if any(word in heading for word in kinds)]
        assert right, f"{pattern} is under {[h for h, _b in found]}, not a chapter of {kinds}"
        return " ".join(right)


_written = {}


def written(request, builder):
    """The :class:`Written` report of ``builder``, called with the fixtures its parameters name.
    Building takes seconds, so the first test to ask builds it and the others read the same text (its
    records are rolled back after that test; the text is all the checks read)."""
    if builder not in _written:
        names = inspect.signature(builder).parameters
        _written[builder] = Written(builder(*(request.getfixturevalue(name) for name in names)))
    return _written[builder]


def amount_pattern(amount):
    """The amount as the seeds write it (``39000元``) or as the report does (``3.9万元``)."""
    return rf"(?<![\d.]){amount:.0f}元|{re.escape(report_amount(amount))}"


# --- seed 000, 篇2 ----------------------------------------------------------------------------------

RECEIVED, SETTLED = 69, 58
HOUSEHOLDS, PER_HOUSEHOLD = 35, Decimal("800")
MEDICAL = [Decimal("3000"), Decimal("2850"), Decimal("3125")]
MODEL_WORKERS, PER_MODEL_WORKER = 5, Decimal("1000")
HARDSHIP_TOTAL = HOUSEHOLDS * PER_HOUSEHOLD + sum(MEDICAL)  # 36975元: 送温暖 and 医疗救助
ALL_TOTAL = HARDSHIP_TOTAL + MODEL_WORKERS * PER_MODEL_WORKER  # 41975元, the seed's "各类慰问金4万余元"


def build_seed_000_pian_2(tree, aid_people, mediator):  # noqa: F811
    """2026年上半年 of 甲公司工会 as 篇2 describes it (see the module's table), closed: its report."""
    h1, fund = period_with_fund(tree, year=2026, kind=Period.Kind.FIRST_HALF, budget=Decimal("60000"))
    festival_batch(
        tree,
        aid_people,
        fund,
        households=HOUSEHOLDS,
        amount=PER_HOUSEHOLD,
        approved_on=D(2026, 1, 20),
        paid_on=D(2026, 2, 2),
    )
    for i, amount in enumerate(MEDICAL):  # 重病人员: each applies, is visited, reviewed, publicised
        paid_application(
            tree,
            aid_people,
            fund,
            name=f"重病职工{i}",
            aid_type="medical",
            amount=amount,
            reasons="本人患重病住院治疗，医疗费用负担重。",
            day=D(2026, 3, 2 + 7 * i),
        )

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
        pay_batch(batch, aid_people["finance"])

    # 69 disputes over the half-year, 58 settled, the other 11 not (the seed says only "成功调解58起").
    disputes(
        tree,
        mediator,
        first_filed=D(2026, 1, 5),
        cases=[("wages", 1, Decimal("8600"), n < SETTLED) for n in range(RECEIVED)],
    )
    return close(h1, tree.chair_a, on=D(2026, 7, 3))


@pytest.fixture
def seed_000_pian_2(request):
    return written(request, build_seed_000_pian_2)


def test_seed_000_disputes_received_and_settled(seed_000_pian_2):
    """全年共接受职工投诉案件69起，成功调解58起。"""
    body = seed_000_pian_2.chapter_with(rf"(受理|登记|接受)\D{{0,12}}{RECEIVED}[件起]", RIGHTS)
    assert re.search(rf"调解成功{SETTLED}[件起]", body)
    assert re.search(rf"调解不成{RECEIVED - SETTLED}[件起]", body)
    assert re.search(r"调解成功率84\.1%", body)  # 58 ÷ 69 concluded


def test_seed_000_relief_amounts_by_kind(seed_000_pian_2):
    """走访慰问困难职工35名，重病人员3名，劳模5人，共发放各类慰问金4万余元 — the amounts."""
    body = seed_000_pian_2.chapter_with("医疗救助", RELIEF)
    assert re.search(rf"医疗救助(\d+[人名])?{report_amount(sum(MEDICAL))}", body)  # 8975元
    assert re.search(amount_pattern(HOUSEHOLDS * PER_HOUSEHOLD), body)
    assert re.search(rf"劳动?模范?{MODEL_WORKERS}[名人][^。]*{PER_MODEL_WORKER * MODEL_WORKERS:.0f}元", body)


def test_seed_000_households_and_people_carry_their_measure_words(seed_000_pian_2):
    """走访慰问困难职工35名，重病人员3名 — the counts."""
    body = seed_000_pian_2.chapter_with("医疗救助", RELIEF)
    # relieved, not merely filed ("新建困难职工档案35户" counts the files opened)
    assert re.search(rf"(慰问|帮扶|走访)[^。；，、]*(?<!\d){HOUSEHOLDS}户", body)


def test_seed_000_the_medical_aid_recipients_are_counted(seed_000_pian_2):
    body = seed_000_pian_2.chapter_with("医疗救助", RELIEF)
    medical = len(MEDICAL)
    assert re.search(rf"医疗救助[^。；]*(?<!\d){medical}[名人]|(?<!\d){medical}[名人][^。；]*医疗救助", body)


def test_seed_000_model_workers_stand_outside_the_hardship_total(seed_000_pian_2):
    """The seed's 4万余元 is every kind of 慰问金 together; the report keeps 劳模慰问 apart."""
    body = seed_000_pian_2.chapter_with("医疗救助", RELIEF)
    assert report_amount(HARDSHIP_TOTAL) in body  # 3万余元
    assert report_amount(ALL_TOTAL) not in body
    sentences = re.split(r"[。；]", body)
    assert not any("劳模" in s and report_amount(HARDSHIP_TOTAL) in s for s in sentences)


def test_seed_000_makes_no_claim_the_records_do_not_support(seed_000_pian_2):
    text = seed_000_pian_2.text
    # 35 of the 38 households relieved were paid by list: no sentence says every payment had a home
    # visit, and the visits are counted (the 3 医疗救助 applications were visited)
    assert not re.search(r"每一笔[^，。；]*入户核实", text)
    assert re.search(rf"(?<!\d){len(MEDICAL)}笔经入户核实", text)
    assert "一年来" not in text
    assert not SLASH_LABEL.search(text)
    assert not NOTHING_TO_SAY.search(text)  # 篇2 has no 职代会提案: no chapter or clause says so with a zero


# --- checks shared by the seeds ----------------------------------------------------------------------


def assert_chairs_chapters(report, sections, figures):
    """Each chapter the chair entered is a level-1 chapter, in her order and before 存在的不足, and
    states her figures (``figures[title]``: patterns, each a count with its measure word)."""
    titles = [title for title, _body in sections]
    positions = [next(i for i, h in enumerate(report.headings) if title in h) for title in titles]
    assert positions == sorted(positions)
    assert positions[-1] < next(i for i, h in enumerate(report.headings) if "不足" in h)
    for title in titles:
        body = report.chapter(title)
        for pattern in figures[title]:
            assert re.search(pattern, body), f"{pattern} not in {title}: {body}"


def assert_entered_figures_in_appendix(report, figures):
    """Each of ``figures`` (a count and its measure word, ``("6923", "名")``) has a 附表 row of its own
    that says it was 填报 (entered by the chair), not counted from records."""
    for count, measure in figures:
        rows = [row for row in report.appendix if re.search(rf"(?<!\d){count}\s*{measure}", row)]
        assert any("填报" in row for row in rows), f"{count}{measure}: {rows}"


def category_counts(body):
    """The counts of the dispute-type clause (从争议类型看，劳动合同5起、…), by label."""
    clause = re.search(r"争议类型[^。]*", body)
    assert clause, body
    return {label: int(n) for label, n in re.findall(r"([\u4e00-\u9fff/]+?)(\d+)[件起]", clause.group(0))}


# --- seed 001: the one report, 工会组织部 -------------------------------------------------------------

SEED_001_SECTIONS = [
    (
        "大力开展组建工会和发展会员工作，最大限度地把职工组织到工会中来",
        "全县14个乡镇、8大系统全部成立了工会联合会，254个行政村全部组建工会，6923名农民工全部加入工会，"
        "全县工会组建率和职工入会率均达到100%。",
    ),
    ("深入开展建家活动，不断激发基层活力", "以龙头企业为重点开展强基建制活动，划分五个区域，明确职责和任务。"),
    (
        "加强工会干部教育培训，提高工会干部工作能力",
        "印制《工会法律法规汇编》分发到每位会员手中；12月底举办全县工会干部教育培训班，工会干部培训率达到100%。",
    ),
    ("以“一条例三规范”为标准，加强乡镇（系统）工会规范化建设", "在乡镇（系统）、基层工会中开展规范化建设竞赛活动。"),
]
SEED_001_ENTERED = {SEED_001_SECTIONS[0][0]: [("组建工会的行政村", "254", "个"), ("入会农民工", "6923", "名")]}
SEED_001_FIGURES = {
    SEED_001_SECTIONS[0][0]: [r"(?<!\d)14个乡镇", r"(?<!\d)8大系统", r"(?<!\d)254个行政村", r"(?<!\d)6923名", "100%"],
    SEED_001_SECTIONS[1][0]: [],
    SEED_001_SECTIONS[2][0]: [r"培训率达到100%"],
    SEED_001_SECTIONS[3][0]: [],
}
SEED_001_PROBLEMS = (
    "一是全县工会的组建面和组建率不够平衡，需要进一步加大工作力度；二是劳动关系调处和职工维权工作力度有待进一步加大；"
    "三是工会干部队伍自身建设水平还需进一步提高。"
)


def build_seed_001(tree):
    """A year in which the union did what 001 describes: nothing the system records, four chapters the
    chair writes herself."""
    fy = Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.FULL_YEAR)
    report = close(fy, tree.chair_a, on=D(2027, 1, 8))
    return chair_writes(
        report,
        tree.chair_a,
        sections=SEED_001_SECTIONS,
        problems=SEED_001_PROBLEMS,
        entered=SEED_001_ENTERED,
        on=D(2027, 1, 9),
    )


@pytest.fixture
def seed_001(request):
    return written(request, build_seed_001)


def test_seed_001_the_chairs_chapters_carry_their_figures(seed_001):
    assert_chairs_chapters(seed_001, SEED_001_SECTIONS, SEED_001_FIGURES)


def test_seed_001_the_chairs_problems_stand_in_the_problems_chapter(seed_001):
    assert "组建面和组建率不够平衡" in seed_001.chapter("不足")


def test_seed_001_says_nothing_of_work_the_records_do_not_hold(seed_001):
    assert not NOTHING_TO_SAY.search(seed_001.text)
    # What was done, not what is planned: the drafted plan may well propose 调解 or 帮扶 work.
    done = " ".join(" ".join([h, *body]) for h, body in seed_001.chapters if not re.search("计划|打算", h))
    assert not re.search(r"劳动争议|帮扶|提案", done)


def test_seed_001_the_chairs_figures_are_listed_as_entered(seed_001):
    assert_entered_figures_in_appendix(seed_001, [("254", "个"), ("6923", "名")])


# --- seed 002, 第15篇 (戚家山街道总工会) ---------------------------------------------------------------

SEED_002_TYPES = {"contract": 5, "wages": 10, "injury": 7, "other": 5}  # 劳动合同, 工资, 工伤, 其他
SEED_002_DISPUTES = sum(SEED_002_TYPES.values())  # 27
SEED_002_WORKERS, SEED_002_CLAIMED = 120, Decimal("1329770")
SEED_002_HOUSEHOLDS, SEED_002_PER_HOUSEHOLD = 26, Decimal("1500")  # 39000元
SEED_002_STUDENTS = [Decimal("2500")] * 6 + [Decimal("2000"), Decimal("1500")]  # 6 大学生, 1 中学生, 1 小学生
SEED_002_SECTIONS = [
    (
        "不断提升自身建设水准，提高工会工作整体实力",
        "今年完成基层单建工会8家。到年底，街道有基层工会组织224家，其中单建工会216家、社区（村）联合工会8家，"
        "覆盖企业368家。",
    ),
]
# 第15篇 is a 工作总结及工作计划: the chair writes the next year's plan herself.
SEED_002_PLANS = "\n".join(
    [
        "一是夯实工会组织基础，扩大工会组织覆盖面；",
        "二是加强基层民主政治建设，推进工资集体协商，维护职工合法权益；",
        "三是竭诚服务职工群众，完善帮困基金机制，开展各类文体活动；",
        "四是完善工会自身建设，提升整体工作水平。",
    ]
)
SEED_002_ENTERED = {SEED_002_SECTIONS[0][0]: [("新建单建工会", "8", "家"), ("基层工会组织", "224", "家")]}
SEED_002_FIGURES = {SEED_002_SECTIONS[0][0]: [r"(?<!\d)8家", r"(?<!\d)224家", r"(?<!\d)216家", r"(?<!\d)368家"]}


def build_seed_002_pian_15(tree, aid_people, mediator):  # noqa: F811
    fy, fund = period_with_fund(tree, year=2026, kind=Period.Kind.FULL_YEAR, budget=Decimal("100000"))
    festival_batch(  # 元旦春节困难职工慰问
        tree,
        aid_people,
        fund,
        households=SEED_002_HOUSEHOLDS,
        amount=SEED_002_PER_HOUSEHOLD,
        approved_on=D(2026, 1, 12),
        paid_on=D(2026, 1, 26),
    )
    for i, amount in enumerate(SEED_002_STUDENTS):  # 金秋助学
        paid_application(
            tree,
            aid_people,
            fund,
            name=f"困难职工子女{i}",
            aid_type="education",
            amount=amount,
            reasons="子女考入学校，家庭无力负担学费。",
            day=D(2026, 8, 3 + 3 * i),
        )
    # 27 disputes, all settled; 120 workers: 26 disputes of 4 and one collective of 16.
    types = [category for category, n in SEED_002_TYPES.items() for _ in range(n)]
    workers = [16] + [4] * (SEED_002_DISPUTES - 1)
    claimed = [SEED_002_CLAIMED - 48000 * (SEED_002_DISPUTES - 1)] + [Decimal("48000")] * (SEED_002_DISPUTES - 1)
    disputes(
        tree,
        mediator,
        first_filed=D(2026, 2, 2),
        cases=[(*case, True) for case in zip(types, workers, claimed, strict=True)],
    )
    report = close(fy, tree.chair_a, on=D(2027, 1, 8))
    return chair_writes(
        report,
        tree.chair_a,
        sections=SEED_002_SECTIONS,
        plans=SEED_002_PLANS,
        entered=SEED_002_ENTERED,
        on=D(2027, 1, 9),
    )


@pytest.fixture
def seed_002_pian_15(request):
    return written(request, build_seed_002_pian_15)


def test_seed_002_disputes_received_settled_and_what_they_involve(seed_002_pian_15):
    """共调处劳动纠纷27起 … 涉及职工120名，涉案金额1329770元。调出率100%，成功率100%。"""
    body = seed_002_pian_15.chapter_with(rf"(受理|登记|调处)\D{{0,12}}{SEED_002_DISPUTES}[件起]", RIGHTS)
    assert re.search(rf"调解成功{SEED_002_DISPUTES}[件起]", body)
    assert "调解成功率100%" in body
    assert re.search(rf"(?<!\d){SEED_002_WORKERS}名职工|职工{SEED_002_WORKERS}[名人]", body)
    assert re.search(amount_pattern(SEED_002_CLAIMED), body)  # 132余万元


def test_seed_002_disputes_by_type_add_up_to_the_total(seed_002_pian_15):
    """其中劳动合同5件，工资纠纷10件，工伤纠纷7件，其他5件。"""
    body = seed_002_pian_15.chapter_with(rf"(受理|登记|调处)\D{{0,12}}{SEED_002_DISPUTES}[件起]", RIGHTS)
    counts = category_counts(body)
    assert sum(counts.values()) == SEED_002_DISPUTES
    assert counts["劳动合同"] == 5 and counts["工伤"] == 7 and counts["其他"] == 5
    assert [n for label, n in counts.items() if "工资" in label or "劳动报酬" in label] == [10]


def test_seed_002_relief_amounts_by_kind(seed_002_pian_15):
    """慰问困难职工26名，发放慰问金和慰问品39000元 … 8名困难职工家庭 … 助学服务，共计18500元。"""
    body = seed_002_pian_15.chapter_with("助学", RELIEF)
    assert re.search(amount_pattern(SEED_002_HOUSEHOLDS * SEED_002_PER_HOUSEHOLD), body)
    assert re.search(amount_pattern(sum(SEED_002_STUDENTS)), body)
    assert re.search(amount_pattern(SEED_002_HOUSEHOLDS * SEED_002_PER_HOUSEHOLD + sum(SEED_002_STUDENTS)), body)


def test_seed_002_households_and_students_carry_their_measure_words(seed_002_pian_15):
    body = seed_002_pian_15.chapter_with("助学", RELIEF)
    assert re.search(rf"(慰问|帮扶|走访)[^。；，、]*(?<!\d){SEED_002_HOUSEHOLDS}户", body)


def test_seed_002_the_students_are_counted(seed_002_pian_15):
    body = seed_002_pian_15.chapter_with("助学", RELIEF)
    students = len(SEED_002_STUDENTS)
    assert re.search(rf"助学[^。；]*(?<!\d){students}名|(?<!\d){students}名[^。；]*助学", body)


def test_seed_002_the_chairs_chapter_carries_its_figures(seed_002_pian_15):
    assert_chairs_chapters(seed_002_pian_15, SEED_002_SECTIONS, SEED_002_FIGURES)


def test_seed_002_the_chairs_figures_are_listed_as_entered(seed_002_pian_15):
    assert_entered_figures_in_appendix(seed_002_pian_15, [("8", "家"), ("224", "家")])


def test_seed_002_makes_no_claim_the_records_do_not_support(seed_002_pian_15):
    text = seed_002_pian_15.text
    # 26 of the 34 people relieved were paid by list; the 8 助学 applications were visited
    assert not re.search(r"每一笔[^，。；]*入户核实", text)
    assert re.search(rf"(?<!\d){len(SEED_002_STUDENTS)}笔经入户核实", text)
    assert not SLASH_LABEL.search(text)
    assert not NOTHING_TO_SAY.search(text)  # 第15篇 has no 职代会提案, and every dispute was settled


def test_seed_002_the_chairs_plan_stands_in_the_plans_chapter(seed_002_pian_15):
    body = seed_002_pian_15.chapter("工作计划")
    for line in SEED_002_PLANS.splitlines():
        assert line in body


def test_seed_002_plans_are_headed_for_the_next_year(seed_002_pian_15):
    assert any(re.fullmatch(r"[一二三四五六七八九十]+、2027年工作计划", h) for h in seed_002_pian_15.headings)


# --- seed 003, 篇1 (富兴社区工会) --------------------------------------------------------------------

SEED_003_HOUSEHOLDS, SEED_003_PER_HOUSEHOLD = 23, Decimal("500")  # 共计11500元
SEED_003_SECTIONS = [
    (
        "以提高职工队伍素质为目的，重点强化学习教育",
        "组织辖区下岗职工及在岗职工80人集中学习；“七一”期间为在职的30名职工上了一堂党课。",
    ),
    (
        "以工会活动为载体，丰富职工文化生活",
        "举办迎新春文艺联欢会；6月举办“邻里一家亲 共建文明城”主题活动，近200名职工参加。",
    ),
]
SEED_003_ENTERED = {
    SEED_003_SECTIONS[0][0]: [("集中学习职工", "80", "人")],
    SEED_003_SECTIONS[1][0]: [("主题活动参加职工", "200", "名")],
}
SEED_003_FIGURES = {
    SEED_003_SECTIONS[0][0]: [r"(?<!\d)80人", r"(?<!\d)30名"],
    SEED_003_SECTIONS[1][0]: [r"近200名"],
}


def build_seed_003_pian_1(tree, aid_people):  # noqa: F811
    fy, fund = period_with_fund(tree, year=2026, kind=Period.Kind.FULL_YEAR, budget=Decimal("20000"))
    festival_batch(  # 年初, 每户500元
        tree,
        aid_people,
        fund,
        households=SEED_003_HOUSEHOLDS,
        amount=SEED_003_PER_HOUSEHOLD,
        approved_on=D(2026, 1, 12),
        paid_on=D(2026, 1, 20),
    )
    report = close(fy, tree.chair_a, on=D(2027, 1, 8))
    return chair_writes(report, tree.chair_a, sections=SEED_003_SECTIONS, entered=SEED_003_ENTERED, on=D(2027, 1, 9))


@pytest.fixture
def seed_003_pian_1(request):
    return written(request, build_seed_003_pian_1)


def test_seed_003_relief_amount(seed_003_pian_1):
    """20x年年初，对辖区23户困难职工进行的慰问，每户发放500元，共计11500元。"""
    body = seed_003_pian_1.chapter_with(amount_pattern(SEED_003_HOUSEHOLDS * SEED_003_PER_HOUSEHOLD), RELIEF)
    assert "劳模" not in body  # no 劳模慰问 was paid: none is mentioned


def test_seed_003_households_carry_their_measure_word(seed_003_pian_1):
    body = seed_003_pian_1.chapter_with(amount_pattern(SEED_003_HOUSEHOLDS * SEED_003_PER_HOUSEHOLD), RELIEF)
    assert re.search(rf"(慰问|帮扶|走访)[^。；，、]*(?<!\d){SEED_003_HOUSEHOLDS}户", body)


def test_seed_003_the_chairs_chapters_carry_their_figures(seed_003_pian_1):
    assert_chairs_chapters(seed_003_pian_1, SEED_003_SECTIONS, SEED_003_FIGURES)


def test_seed_003_the_chairs_figures_are_listed_as_entered(seed_003_pian_1):
    assert_entered_figures_in_appendix(seed_003_pian_1, [("80", "人"), ("200", "名")])


def test_seed_003_makes_no_claim_the_records_do_not_support(seed_003_pian_1):
    text = seed_003_pian_1.text
    assert "入户核实" not in text
    assert not SLASH_LABEL.search(text)
    assert not NOTHING_TO_SAY.search(text)
    assert "劳动争议" not in text and "提案" not in text
