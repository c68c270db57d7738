"""Processes store a title that names nobody; the applicant's name is composed for each viewer
(workflows.pii).  Rewrite the case titles stored before, which carried the applicant's name."""

from django.db import migrations


def neutral_titles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    UnionProcess = apps.get_model("workflows", "UnionProcess")
    GrievanceCase = apps.get_model("cases", "GrievanceCase")
    content_type = ContentType.objects.filter(app_label="cases", model="grievancecase").first()
    if content_type is None:
        return
    categories = dict(GrievanceCase._meta.get_field("category").choices)
    cases = {case.pk: case for case in GrievanceCase.objects.select_related("employer_unit")}
    for process in UnionProcess.objects.filter(artifact_content_type=content_type).only("pk", "artifact_object_id"):
        case = cases.get(process.artifact_object_id)
        if case is None:
            continue
        title = f"调字〔{case.filed_on.year}〕第{case.pk}号：{case.employer_unit.name}（{categories.get(case.category)}）"
        if case.is_collective:
            title = f"【集体争议】{title}"
        UnionProcess.objects.filter(pk=process.pk).update(title=title[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0006_heartbeat"),
        ("cases", "0002_petition_extension"),
    ]

    operations = [migrations.RunPython(neutral_titles, migrations.RunPython.noop)]
