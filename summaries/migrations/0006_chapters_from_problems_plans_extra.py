"""Move 存在的不足, 下一步工作打算 and the 补充章节 into the report's chapters.

The text a chair never changed (equal to the template's draft for the report's figures) stays the
system's draft; changed text becomes the chair's edit of that paragraph, made against the figures
of the current snapshot; each 补充章节 becomes a chapter of the chair's own before 存在的不足."""

from django.db import migrations


def _drafts(report, period):
    """The template drafts of 不足 and 打算 for the report's figures, or None when they cannot be
    rendered (no snapshot): then any stored text counts as the chair's."""
    if not report.snapshot:
        return None, None
    try:
        from django.template.loader import render_to_string

        from summaries import narrative

        ctx = narrative.context(report.snapshot, period)
        return (
            render_to_string("summaries/report/problems.txt", ctx).strip(),
            render_to_string("summaries/report/plans.txt", ctx).strip(),
        )
    except Exception:
        return None, None


def forwards(apps, schema_editor):
    from summaries import chapters as ch

    Report = apps.get_model("summaries", "Report")
    ReportVersion = apps.get_model("summaries", "ReportVersion")
    for report in Report.objects.select_related("period").filter(chapters=[]).iterator():
        period = report.period
        if not (report.snapshot or report.problems or report.plans or report.extra_sections):
            continue
        chapters = ch.default_chapters(period)
        by_id = {c["id"]: c for c in chapters}
        problems_draft, plans_draft = _drafts(report, period)
        if report.problems.strip() and report.problems.strip() != problems_draft:
            block = by_id["problems"]["blocks"][0]
            block["text"] = ch.problems_opener(period) + report.problems.strip()
            block["against"] = ch.against("problems", report.snapshot or {})
        if report.plans.strip() and report.plans.strip() != plans_draft:
            block = by_id["plans"]["blocks"][0]
            block["text"] = report.plans.strip()
            block["against"] = ch.against("plans", report.snapshot or {})
        extra = [
            {
                "id": f"extra{i}",
                "title": (section.get("title") or "").strip(),
                "blocks": [{"id": f"extra{i}", "subtitle": "", "source": "", "text": section.get("body") or "", "against": {}}],
                "figures": [],
            }
            for i, section in enumerate(report.extra_sections or [])
            if (section.get("title") or "").strip() and (section.get("body") or "").strip()
        ]
        at = next(i for i, c in enumerate(chapters) if c["id"] == "problems")
        chapters[at:at] = extra
        report.chapters = chapters
        report.save(update_fields=["chapters"])
        ReportVersion.objects.create(
            report=report, number=1, chapters=chapters, summary="由原“存在的不足”“下一步工作打算”“补充章节”迁移"
        )


def backwards(apps, schema_editor):
    Report = apps.get_model("summaries", "Report")
    for report in Report.objects.exclude(chapters=[]).iterator():
        by_id = {c["id"]: c for c in report.chapters}
        problems = (by_id.get("problems") or {"blocks": [{}]})["blocks"][0].get("text") or ""
        report.problems = problems.split("主要表现在：", 1)[-1]
        report.plans = (by_id.get("plans") or {"blocks": [{}]})["blocks"][0].get("text") or ""
        report.extra_sections = [
            {"title": c["title"], "body": "\n".join(b.get("text") or "" for b in c["blocks"])}
            for c in report.chapters
            if not any(b.get("source") for b in c["blocks"])
        ]
        report.save(update_fields=["problems", "plans", "extra_sections"])


class Migration(migrations.Migration):
    dependencies = [("summaries", "0005_chapters_and_versions")]

    operations = [migrations.RunPython(forwards, backwards)]
