"""Chain the audit events written before the chain existed, in the order they were written (id).

The events are rewritten once, here, with the append-only trigger lifted for this transaction on
PostgreSQL (on SQLite the trigger comes after, in 0010).
"""

from django.db import migrations

from workflows.models.audit import GENESIS, chain_digest

PG_TRIGGER = "workflows_auditevent_append_only"


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    record_types = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE workflows_auditevent DISABLE TRIGGER {PG_TRIGGER}")
    prev_hash, batch = GENESIS, []
    for seq, event in enumerate(AuditEvent.objects.order_by("pk").iterator(chunk_size=2000), start=1):
        event.seq, event.prev_hash = seq, prev_hash
        event.hash = chain_digest(
            seq=seq,
            prev_hash=prev_hash,
            at=event.at,
            actor_id=event.actor_id,
            record_type=record_types[event.content_type_id],
            object_id=event.object_id,
            org_unit_id=event.org_unit_id,
            action=event.action,
            action_label=event.action_label,
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            request_id=event.request_id,
            client_request_id=event.client_request_id,
        )
        prev_hash = event.hash
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
    if postgres:
        schema_editor.execute(f"ALTER TABLE workflows_auditevent ENABLE TRIGGER {PG_TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0009_audit_chain_fields"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
