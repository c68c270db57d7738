"""Partial indexes on viewflow's task table for the queue boxes (issue #14).

``viewflow_task`` belongs to viewflow, so no model of ours can declare an index on it (a proxy
model carries no ``Meta.indexes``, and editing viewflow's migrations would be lost on upgrade).
The indexes are plain SQL, written once: ``CREATE INDEX … WHERE`` is the same statement on
PostgreSQL and SQLite (both have partial indexes).  They hold only human tasks, in the order the
boxes page in (``workflows/keyset.py``):

- open tasks by (created, id): 可认领 and 督办 read the oldest open tasks in scope, page after page;
- a holder's tasks by (owner, status, created, id): 待办 and 已办 (1M finished tasks stay out of
  the open index, and the owner's own rows are one range of this one).
"""

from django.db import migrations

OPEN = "flow_task_type = 'HUMAN' AND status IN ('NEW', 'ASSIGNED', 'STARTED')"

INDEXES = {
    "uf_task_open_created": f"viewflow_task (created, id) WHERE {OPEN}",
    "uf_task_owner_status_created": "viewflow_task (owner_id, status, created, id) WHERE flow_task_type = 'HUMAN'",
}


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0011_audit_chain_required_sqlite_append_only"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {body}", f"DROP INDEX IF EXISTS {name}")
        for name, body in INDEXES.items()
    ]
