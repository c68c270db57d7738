"""The system drafts, the chair writes: chapters of paragraphs, the chair's figures, versions."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from summaries import chapters as ch
from summaries import services
from summaries.models import Report, ReportVersion
from tests.cases.conftest import mediator  # noqa: F401  (fixtures of the hand-computed grievance half-year)
from tests.cases.test_summary import half_year  # noqa: F401
from tests.factories import fresh
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import AuditEvent, Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def h1(tree):
    return Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.FIRST_HALF)


def close(period, actor):
    report = services.report_request(period=period, actor=fresh(actor), run=lambda pk: None)
    return services.report_run(report.pk)


def regenerate(report, actor):
    services.report_regenerate(report=report, actor=fresh(actor), run=lambda pk: None)
    services.report_run(report.pk)
    report.refresh_from_db()
    return report


def paragraphs(report):
    with report.document.open("rb") as f:
        return [p.text for p in Document(io.BytesIO(f.read())).paragraphs]


def appendix(report):
    with report.document.open("rb") as f:
        table = Document(io.BytesIO(f.read())).tables[0]
    return [[c.text for c in row.cells] for row in table.rows]


def edited(report, chapter_id, text, block=0):
    chapters = [dict(c, blocks=[dict(b) for b in c["blocks"]]) for c in report.chapters]
    chapter = next(c for c in chapters if c["id"] == chapter_id)
    chapter["blocks"][block]["text"] = text
    return chapters


CASES_EDIT = "上半年，我们调解劳动争议6件，成功2件，为职工追回1.25万元。"


def test_the_first_close_drafts_the_chapters_as_version_one(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    assert [c["id"] for c in report.chapters] == ["opening", "cases", "aid", "proposals", "problems", "plans"]
    assert report.chapters[-1]["title"] == "下半年工作打算"
    assert all(b["text"] is None for c in report.chapters for b in c["blocks"])  # nothing of the chair's stored
    version = report.versions.get()
    assert version.number == 1 and version.author is None and version.chapters == report.chapters
    text = paragraphs(report)
    assert text.index("一、坚持以人为本，切实维护职工合法权益") + 1 == next(
        i for i, t in enumerate(text) if t.startswith("2026年上半年，共受理登记劳动争议6件")
    )  # the chapter's one subsection prints no lone （一）
    assert any(t.startswith("半年来，我们虽然做了一些工作") for t in text) and not any("一年来" in t for t in text)


def test_two_titled_blocks_in_a_chapter_are_numbered():
    period = Period(year=2026, kind="H2")
    chapters = [
        {
            "id": "x",
            "title": "维护权益",
            "figures": [],
            "blocks": [
                {"id": "a", "subtitle": "劳动争议调解", "source": "", "text": "甲"},
                {"id": "b", "subtitle": "法律援助", "source": "", "text": "乙"},
            ],
        },
        {"id": "y", "title": "", "figures": [], "blocks": [{"id": "c", "subtitle": "", "source": "", "text": "丙"}]},
        {
            "id": "z",
            "title": "组织建设",
            "figures": [],
            "blocks": [{"id": "d", "subtitle": "建会", "source": "", "text": "丁"}],
        },
    ]
    out = ch.render(chapters, None, period)
    assert [c["heading"] for c in out] == ["一、维护权益", None, "二、组织建设"]
    assert [b["subheading"] for b in out[0]["blocks"]] == ["（一）劳动争议调解", "（二）法律援助"]
    assert [b["subheading"] for b in out[2]["blocks"]] == [None]
    assert ch.plans_title(period) == "2027年工作计划"


def test_an_edited_paragraph_replaces_the_draft_and_survives_regeneration(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    draft = paragraphs(report)
    services.report_save_chapters(
        report=report, actor=fresh(tree.chair_a), chapters=edited(report, "cases", CASES_EDIT)
    )
    report = regenerate(report, tree.chair_a)
    text = paragraphs(report)
    assert CASES_EDIT in text and not any(t.startswith("2026年上半年，共受理登记劳动争议") for t in text)
    assert [t for t in text if t not in draft] == [CASES_EDIT]  # only that paragraph changed
    block = next(c for c in report.chapters if c["id"] == "cases")["blocks"][0]
    assert block["text"] == CASES_EDIT and block["against"]["cases.received"] == 6
    report = regenerate(report, tree.chair_a)
    assert CASES_EDIT in paragraphs(report)


def test_the_page_shows_the_draft_beside_the_chairs_text_with_its_figures(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    services.report_save_chapters(
        report=report, actor=fresh(tree.chair_a), chapters=edited(report, "cases", CASES_EDIT)
    )
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert CASES_EDIT in page  # the chair's text in the editor
    assert "2026年上半年，共受理登记劳动争议6件" in page  # the draft beside it
    assert 'data-key="cases.received"' in page and "受理登记劳动争议" in page  # with the figures it is drawn from
    assert "138,600元" in page  # 涉及标的额, exact
    assert "您的文字（已改写）" in page


def _post_data(client, report):
    """The page's form as the browser would submit it unchanged."""
    chapter_set = client.get(reverse("summaries:report", args=[report.pk])).context["chapter_set"]
    formsets = [chapter_set]
    for form in chapter_set.forms:
        if form.chapter is not None:
            formsets += [form.blocks, form.figures]
    data = {}
    for formset in formsets:
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.forms:
            for field in form:
                value = field.value()
                if isinstance(value, bool):
                    if value:
                        data[field.html_name] = "on"
                elif value is not None:
                    data[field.html_name] = str(value)
    return data


def test_the_page_adds_reorders_and_removes_chapters(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    client.force_login(tree.chair_a)
    data = _post_data(client, report)
    assert data["ch-TOTAL_FORMS"] == "7"  # six chapters and a new one
    data.update({"ch-6-title": "加强组织建设，夯实工会基础", "ch-6-body": "新建工会小组3个。", "ch-6-ORDER": "45"})
    assert [data[f"ch-{i}-ORDER"] for i in range(6)] == ["10", "20", "30", "40", "50", "60"]
    data["ch-4-ORDER"] = "15"  # 存在的不足 before 劳动争议
    data["ch-3-DELETE"] = "on"  # no 提案 chapter
    response = client.post(reverse("summaries:report", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert [c["title"] for c in report.chapters] == [
        "",
        "存在的不足",
        "坚持以人为本，切实维护职工合法权益",
        "积极开展帮扶救助，用心服务困难职工",
        "加强组织建设，夯实工会基础",
        "下半年工作打算",
    ]
    version = report.versions.first()
    assert version.number == 2 and version.author == tree.chair_a
    assert (
        "新增章节“加强组织建设，夯实工会基础”" in version.summary
        and "删除章节“推进民主管理，畅通职工参与渠道”" in version.summary
    )
    assert "调整章节顺序" in version.summary
    report = Report.objects.get(pk=report.pk)
    services.report_run(report.pk)  # the save queued a regeneration
    report.refresh_from_db()
    text = paragraphs(report)
    assert text.index("一、存在的不足") < text.index("二、坚持以人为本，切实维护职工合法权益")
    # the aid chapter has no records this half-year: it is left out and the numbers close up
    assert "三、加强组织建设，夯实工会基础" in text and "新建工会小组3个。" in text
    assert not any("提案" in t for t in text if t.startswith(("一", "二", "三", "四", "五")) and "、" in t[:2])


def test_the_page_edits_a_generated_paragraph_and_leaves_the_rest_drafted(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    client.force_login(tree.chair_a)
    data = _post_data(client, report)
    data["b-aid-0-text"] = "上半年未发放帮扶资金，我们走访了困难职工家庭。"
    assert client.post(reverse("summaries:report", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    blocks = {b["id"]: b for c in report.chapters for b in c["blocks"]}
    assert blocks["aid"]["text"] == "上半年未发放帮扶资金，我们走访了困难职工家庭。"
    assert all(blocks[k]["text"] is None for k in ("opening", "cases", "proposals", "problems", "plans", "closing"))
    response = client.post(reverse("summaries:report", args=[report.pk]), data, follow=True)  # while generating
    assert "正在生成" in response.content.decode()
    services.report_run(report.pk)  # the save queued a regeneration
    data = _post_data(client, report)
    data["b-aid-0-use_draft"] = "on"  # back to the system's draft
    client.post(reverse("summaries:report", args=[report.pk]), data)
    report.refresh_from_db()
    assert next(c for c in report.chapters if c["id"] == "aid")["blocks"][0]["text"] is None


def test_a_chair_figure_is_a_number_with_its_measure_word_in_the_text_and_the_appendix(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    chapters = list(report.chapters)
    chapters.insert(
        4,
        {
            "title": "加强组织建设，夯实工会基础",
            "blocks": [{"text": "上半年新建工会{新建工会}，发展会员{发展会员}，举办培训{培训期数}{培训人次}。"}],
            "figures": [
                {"label": "新建工会", "value": "3", "measure": "家"},
                {"label": "发展会员", "value": "120", "measure": "名"},
                {"label": "培训期数", "value": "4", "measure": "期"},
                {"label": "培训人次", "value": "360", "measure": "人次"},
            ],
        },
    )
    services.report_save_chapters(report=report, actor=fresh(tree.chair_a), chapters=chapters)
    report = regenerate(report, tree.chair_a)
    assert "上半年新建工会3家，发展会员120名，举办培训4期360人次。" in paragraphs(report)
    rows = appendix(report)
    assert ["加强组织建设，夯实工会基础", "发展会员", "120名", "填报（甲主席录入）", "填报"] in rows


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ({"label": "新建工会", "value": "3", "measure": "个半"}, "量词"),
        ({"label": "新建工会", "value": "三", "measure": "家"}, "数字"),
        ({"label": "新建工会", "value": "-1", "measure": "家"}, "数字"),
        ({"label": "", "value": "1", "measure": "家"}, "名称"),
    ],
)
def test_a_figure_without_a_number_or_a_listed_measure_word_is_refused(tree, half_year, h1, figure, message):  # noqa: F811
    report = close(h1, tree.chair_a)
    chapters = [*report.chapters, {"title": "组织建设", "blocks": [{"text": "新建工会。"}], "figures": [figure]}]
    with pytest.raises(WorkflowError, match=message):
        services.report_save_chapters(report=report, actor=fresh(tree.chair_a), chapters=chapters)
    report.refresh_from_db()
    assert report.versions.count() == 1 and len(report.chapters) == 6


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "chapters",
        [{"title": "x"}],
        [{"title": "x", "blocks": ["text"]}],
        [{"title": "x" * 61, "blocks": [{"text": "正文"}]}],
        [{"title": "x", "blocks": [{"text": "见{未填报}"}]}],
        [{"id": "a", "title": "x", "blocks": [{"text": "1"}]}, {"id": "a", "title": "y", "blocks": [{"text": "2"}]}],
    ],
)
def test_a_malformed_body_is_refused_and_changes_nothing(tree, half_year, h1, body):  # noqa: F811
    report = close(h1, tree.chair_a)
    before = report.chapters
    with pytest.raises(WorkflowError) as refused:
        services.report_save_chapters(report=report, actor=fresh(tree.chair_a), chapters=body)
    assert refused.value.message
    report.refresh_from_db()
    assert report.chapters == before and report.versions.count() == 1


def test_a_malformed_form_changes_nothing(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    client.force_login(tree.chair_a)
    response = client.post(reverse("summaries:report", args=[report.pk]), {"ch-0-title": "x"}, follow=True)
    assert response.status_code == 200 and "提交的内容有误" in response.content.decode()
    assert Report.objects.get(pk=report.pk).chapters == report.chapters and report.versions.count() == 1


def test_only_the_units_chair_edits_and_not_while_generating(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    chapters = edited(report, "cases", CASES_EDIT)
    with pytest.raises(NotPermitted):
        services.report_save_chapters(report=report, actor=fresh(tree.committee_a), chapters=chapters)
    client.force_login(tree.committee_a)
    for name in ("summaries:report", "summaries:versions", "summaries:restore"):
        assert client.post(reverse(name, args=[report.pk]), {"number": "1"}).status_code == 404
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING)
    report.refresh_from_db()
    with pytest.raises(WorkflowError, match="正在生成"):
        services.report_save_chapters(report=report, actor=fresh(tree.chair_a), chapters=chapters)
    with pytest.raises(WorkflowError, match="正在生成"):
        services.report_restore(report=report, actor=fresh(tree.chair_a), number=1)
    assert report.versions.count() == 1


def test_each_save_is_a_version_compared_and_restored_and_audited(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    chair = fresh(tree.chair_a)
    v2 = services.report_save_chapters(report=report, actor=chair, chapters=edited(report, "cases", CASES_EDIT))
    report.refresh_from_db()
    v3 = services.report_save_chapters(report=report, actor=chair, chapters=edited(report, "cases", "第三稿。"))
    assert (v2.number, v3.number) == (2, 3) and "“坚持以人为本，切实维护职工合法权益”修改段落" in v3.summary
    report.refresh_from_db()
    with pytest.raises(WorkflowError, match="没有修改"):
        services.report_save_chapters(report=report, actor=chair, chapters=report.chapters)
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:versions", args=[report.pk]), {"a": 2, "b": 3}).content.decode()
    assert f"-{CASES_EDIT}" in page and "+第三稿。" in page and "甲主席" in page
    response = client.post(reverse("summaries:restore", args=[report.pk]), {"number": 2})
    assert response.status_code == 302
    report.refresh_from_db()
    v4 = report.versions.first()
    assert v4.number == 4 and v4.restored_from == 2 and v4.chapters == v2.chapters and report.chapters == v2.chapters
    events = AuditEvent.objects.filter(object_id=report.pk, action__in=["report_edit", "report_restore"])
    assert [(e.action, e.actor_id) for e in events.order_by("pk")] == [
        ("report_edit", chair.pk),
        ("report_edit", chair.pk),
        ("report_restore", chair.pk),
    ]
    assert events.order_by("pk").last().reason.startswith("第4版：恢复到第2版")
    assert ReportVersion.objects.filter(report=report).count() == 4


def test_after_a_reopen_an_edit_whose_figures_changed_is_flagged(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    services.report_save_chapters(
        report=report, actor=fresh(tree.chair_a), chapters=edited(report, "cases", CASES_EDIT)
    )
    services.report_save_chapters(
        report=Report.objects.get(pk=report.pk),
        actor=fresh(tree.chair_a),
        chapters=edited(Report.objects.get(pk=report.pk), "aid", "帮扶工作稳步推进。"),
    )
    report.refresh_from_db()
    services.report_reopen(report=report, actor=fresh(tree.chair_a), reason="补录一件6月的案件")
    from cases import services as case_services
    from tests.cases.conftest import register_kwargs

    case_services.case_register(
        actor=fresh(tree.chair_a), **register_kwargs(tree, applicant_name="补录", filed_on=datetime.date(2026, 6, 20))
    )
    report = close(h1, tree.chair_a)
    blocks = {b["id"]: b for c in report.chapters for b in c["blocks"]}
    assert CASES_EDIT in paragraphs(report)  # the chair's words are kept …
    stale = ch.stale_figures(blocks["cases"], report.snapshot)
    assert {"label": "受理登记劳动争议", "then": 6, "now": 7} in stale  # … and flagged
    assert ch.stale_figures(blocks["aid"], report.snapshot) == []  # the aid figures did not change
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert page.count('data-testid="stale"') == 1 and "受理登记劳动争议 6 → 7" in page
    data = _post_data(client, report)
    data["b-cases-0-confirmed"] = "on"  # the chair looked at it
    client.post(reverse("summaries:report", args=[report.pk]), data)
    report.refresh_from_db()
    blocks = {b["id"]: b for c in report.chapters for b in c["blocks"]}
    assert ch.stale_figures(blocks["cases"], report.snapshot) == [] and "核对数据" in report.versions.first().summary


def test_an_edit_made_while_the_period_is_reopened_is_flagged_against_the_figures_last_reported(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    services.report_reopen(report=report, actor=fresh(tree.chair_a), reason="补录一件6月的案件")
    services.report_save_chapters(
        report=report, actor=fresh(tree.chair_a), chapters=edited(report, "cases", CASES_EDIT)
    )
    from cases import services as case_services
    from tests.cases.conftest import register_kwargs

    case_services.case_register(
        actor=fresh(tree.chair_a), **register_kwargs(tree, applicant_name="补录", filed_on=datetime.date(2026, 6, 20))
    )
    report = close(h1, tree.chair_a)
    block = next(c for c in report.chapters if c["id"] == "cases")["blocks"][0]
    assert {"label": "受理登记劳动争议", "then": 6, "now": 7} in ch.stale_figures(block, report.snapshot)


def test_the_upper_union_sees_its_members_chapters(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    chapters = [
        *report.chapters,
        {
            "title": "加强组织建设",
            "blocks": [{"text": "新建工会{新建工会}。"}],
            "figures": [{"label": "新建工会", "value": "2", "measure": "家"}],
        },
    ]
    services.report_save_chapters(report=report, actor=fresh(tree.chair_a), chapters=chapters)
    top = close(Period.objects.create(org_unit=tree.top, year=2026, kind="H1"), tree.chair)
    assert top.snapshot["sections"]["cases"]["figures"]["received"]["value"] == sum(
        u["cases"]["received"] for u in top.snapshot["units"]
    )  # the figures are summed over the members
    client.force_login(tree.chair)
    page = client.get(reverse("summaries:report", args=[top.pk])).content.decode()
    assert 'data-testid="materials"' in page and "甲公司工会" in page
    assert "加强组织建设" in page and "新建工会2家。" in page and "新建工会2家" in page
    client.force_login(tree.chair_a)  # the member's chair sees no materials of others
    assert 'data-testid="materials"' not in client.get(reverse("summaries:report", args=[report.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_problems_plans_and_extra_sections_migrate_into_chapters(tree, half_year, h1):  # noqa: F811
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    report = close(h1, tree.chair_a)
    snapshot = report.snapshot
    draft = paragraphs(report)
    executor = MigrationExecutor(connection)
    executor.migrate([("summaries", "0005_chapters_and_versions")])
    old_apps = executor.loader.project_state([("summaries", "0005_chapters_and_versions")]).apps
    OldReport = old_apps.get_model("summaries", "Report")
    untouched = OldReport.objects.get(pk=report.pk)
    from django.template.loader import render_to_string

    from summaries import narrative

    ctx = narrative.context(snapshot, h1)
    untouched.chapters = []
    untouched.problems = render_to_string("summaries/report/problems.txt", ctx).strip()  # as the close stored it
    untouched.plans = "一是充实调解员队伍。\n二是加强宣传。"  # the chair's
    untouched.extra_sections = [{"title": "加强组织建设", "body": "新建工会小组3个。"}]
    untouched.save()
    old_apps.get_model("summaries", "ReportVersion").objects.filter(report_id=report.pk).delete()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    report = Report.objects.get(pk=report.pk)
    blocks = {b["id"]: b for c in report.chapters for b in c["blocks"]}
    assert blocks["problems"]["text"] is None  # the untouched draft stays the system's
    assert blocks["plans"]["text"] == "一是充实调解员队伍。\n二是加强宣传。" and blocks["plans"]["against"] == {}
    assert [c["title"] for c in report.chapters][4:6] == ["加强组织建设", "存在的不足"]
    assert report.versions.get().number == 1
    report = regenerate(report, tree.chair_a)
    text = paragraphs(report)
    # disputes only this half-year: the aid and proposals chapters are left out, numbers close up
    assert "二、加强组织建设" in text and "新建工会小组3个。" in text and "三、存在的不足" in text
    assert "一是充实调解员队伍。" in text and "二是加强宣传。" in text
    assert [t for t in draft if t not in text] == [
        t for t in draft if t.startswith("一是深化劳动争议调解") or t in ("二、存在的不足", "三、下半年工作打算")
    ]  # everything else is printed as before


def test_the_upper_chair_adopts_a_members_chapter_with_who_entered_its_figures(client, tree, half_year):  # noqa: F811
    member = close(Period.objects.create(org_unit=tree.a, year=2026, kind="H1"), tree.chair_a)
    chapters = [
        *member.chapters,
        {
            "id": "org",
            "title": "加强组织建设",
            "blocks": [{"text": "新建工会{新建工会}。"}],
            "figures": [{"label": "新建工会", "value": "2", "measure": "家"}],
        },
    ]
    services.report_save_chapters(report=member, actor=fresh(tree.chair_a), chapters=chapters)
    top = close(Period.objects.create(org_unit=tree.top, year=2026, kind="H1"), tree.chair)
    client.force_login(tree.chair)
    url = reverse("summaries:report", args=[top.pk])
    assert client.post(url, {"adopt": f"{member.pk}:org"}).status_code == 302
    top.refresh_from_db()
    adopted = top.chapters[-1]
    assert adopted["title"] == "加强组织建设" and adopted["blocks"][0]["text"] == "新建工会{新建工会}。"
    assert adopted["figures"][0]["entered_by"] == "甲主席" and adopted["figures"][0]["entered_unit"] == "甲公司工会"
    assert top.versions.first().summary == "采用甲公司工会的章节“加强组织建设”"
    services.report_run(top.pk)
    top.refresh_from_db()
    services.report_save_chapters(  # kept when the upper chair saves again
        report=top, actor=fresh(tree.chair), chapters=[*top.chapters[:-1], dict(top.chapters[-1], title="组织建设")]
    )
    top = regenerate(top, tree.chair)
    assert "新建工会2家。" in paragraphs(top)
    assert ["组织建设", "新建工会", "2家", "填报（甲公司工会甲主席录入）", "填报"] in appendix(top)
    # a chapter of a report outside this union's members is not material
    client.force_login(tree.chair_a)
    response = client.post(reverse("summaries:report", args=[member.pk]), {"adopt": f"{top.pk}:org"}, follow=True)
    assert "没有找到这一下级工会章节" in response.content.decode()
    assert Report.objects.get(pk=member.pk).versions.count() == 2
