"""Processes store a title that names nobody; the applicant's name is composed for each viewer
(workflows.pii).  Rewrite the titles stored before, which carried the applicant's full name."""

from django.db import migrations


def neutral_titles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    UnionProcess = apps.get_model("workflows", "UnionProcess")
    content_type = ContentType.objects.filter(app_label="workflows", model="membershipapplication").first()
    if content_type is None:
        return
    for process in UnionProcess.objects.filter(artifact_content_type=content_type).only("pk", "artifact_object_id"):
        UnionProcess.objects.filter(pk=process.pk).update(title=f"入会申请（第{process.artifact_object_id}号）")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0006_heartbeat"),
    ]

    operations = [migrations.RunPython(neutral_titles, migrations.RunPython.noop)]
