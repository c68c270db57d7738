"""Every audit event is in the chain (``seq`` required and unique), and on SQLite the database
itself refuses UPDATE and DELETE on the trail, as PostgreSQL does since 0002.

The triggers are created last: a later migration that rebuilds this table on SQLite (Django copies
it into a new one) would lose them, and ``tests/workflows/test_audit_trail.py`` checks they exist.
The test database's flush lifts them for its DELETEs (``workflows/management/commands/flush.py``).
"""

from django.db import migrations, models

TRIGGERS = {"workflows_auditevent_no_update": "UPDATE", "workflows_auditevent_no_delete": "DELETE"}


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name, op in TRIGGERS.items():
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op} ON workflows_auditevent "
                f"BEGIN SELECT RAISE(ABORT, 'workflows_auditevent is append-only: {op} refused'); END"
            )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0010_audit_chain_existing_events")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="链序号"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
