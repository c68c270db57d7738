"""Processes store a title that names nobody; the applicant's name is composed for each viewer
(workflows.pii).  Rewrite the application titles stored before, which carried the full name."""

from django.db import migrations


def neutral_titles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    UnionProcess = apps.get_model("workflows", "UnionProcess")
    AidApplication = apps.get_model("aid", "AidApplication")
    content_type = ContentType.objects.filter(app_label="aid", model="aidapplication").first()
    if content_type is None:
        return
    labels = dict(AidApplication._meta.get_field("aid_type").choices)
    types = dict(AidApplication.objects.values_list("pk", "aid_type"))
    for process in UnionProcess.objects.filter(artifact_content_type=content_type).only("pk", "artifact_object_id"):
        pk = process.artifact_object_id
        title = f"{labels.get(types.get(pk), '帮扶')}申请（第{pk}号）"
        UnionProcess.objects.filter(pk=process.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0006_heartbeat"),
        ("aid", "0004_batch_payment_instruction"),
    ]

    operations = [migrations.RunPython(neutral_titles, migrations.RunPython.noop)]
