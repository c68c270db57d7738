"""Partial indexes on viewflow's task table for the queue boxes (issue #14).

``viewflow_task`` belongs to viewflow, so no model of ours can declare an index on it (a proxy
model carries no ``Meta.indexes``, and editing viewflow's migrations would be lost on upgrade).
The indexes are plain SQL, written once: ``CREATE INDEX … WHERE`` is the same statement on
PostgreSQL and SQLite (both have partial indexes).  They hold only human tasks, in the order the
boxes page in (``workflows/keyset.py``):

- open tasks by (created, id): 可认领 and 督办 read the oldest open tasks in scope, page after page;
- a holder's tasks by (owner, status, created, id): 待办 and 已办 (1M finished tasks stay out of
  the open index, and the owner's own rows are one range of this one).

On PostgreSQL, extended statistics on (type, status, owner, permission) as well: the planner
otherwise multiplies the selectivities of "human", "new", "unowned" and "a permission I hold" as if
independent, expects a few hundred claimable tasks where there are tens of thousands, and hashes
the whole ``workflows_unionprocess`` table (a sequential scan) to count them.  Measured on 68k open
tasks: with the statistics the 可认领 count is index scans only.  SQLite has no such statistics.
"""

from django.db import migrations

OPEN = "flow_task_type = 'HUMAN' AND status IN ('NEW', 'ASSIGNED', 'STARTED')"

INDEXES = {
    "uf_task_open_created": f"viewflow_task (created, id) WHERE {OPEN}",
    "uf_task_owner_status_created": "viewflow_task (owner_id, status, created, id) WHERE flow_task_type = 'HUMAN'",
}


STATISTICS = "uf_task_queue_stats"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv, dependencies) "
            "ON flow_task_type, status, owner_id, owner_permission FROM viewflow_task"
        )
        schema_editor.execute("ANALYZE viewflow_task")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0011_audit_chain_required_sqlite_append_only"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        *(
            migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {body}", f"DROP INDEX IF EXISTS {name}")
            for name, body in INDEXES.items()
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
