"""The append-only audit trail: who moved what from which state to which, when and why.

Append-only three times over: the model and its queryset have no update or delete path, the
database refuses UPDATE and DELETE (a trigger, on PostgreSQL and SQLite), and the trail is a hash
chain — each event carries the SHA-256 of its content and of the event before it — so a row changed
or removed behind the database's back (trigger dropped, file edited) is found by
``manage.py verify_audit``.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .org import OrgUnit

AUDIT_IS_APPEND_ONLY = _("审计记录只能追加，不能修改或删除。")

# The chain's first event links to this.
GENESIS = "0" * 64
# pg_advisory_xact_lock key that serialises appends on PostgreSQL (any constant no one else uses).
CHAIN_LOCK_KEY = 0x55465F4155444954  # "UF_AUDIT"

# SQLite's counterpart of the PostgreSQL trigger of migration 0002.  Kept here because the test
# database flush (``workflows/management/commands/flush.py``) lifts and restores them.
SQLITE_TRIGGERS = {
    "workflows_auditevent_no_update": "UPDATE",
    "workflows_auditevent_no_delete": "DELETE",
}
SQLITE_CREATE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op} ON workflows_auditevent "
    f"BEGIN SELECT RAISE(ABORT, 'workflows_auditevent is append-only: {op} refused'); END"
    for name, op in SQLITE_TRIGGERS.items()
]
SQLITE_DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]


def chain_digest(
    *,
    seq,
    prev_hash,
    at,
    actor_id,
    record_type,
    object_id,
    org_unit_id,
    action,
    action_label,
    from_state,
    to_state,
    reason,
    request_id,
    client_request_id,
):
    """SHA-256 of an event's canonical form: its content and the hash of the event before it.

    Canonical: JSON with sorted keys and ASCII escapes (any text, even a lone surrogate, encodes),
    the time in UTC to the microsecond, the record's type as ``app_label.model`` (content type ids
    differ between databases; the names do not).  The data migration that chained the events
    written before the chain existed calls this too: changing it means rehashing in a migration.
    """
    content = {
        "seq": seq,
        "prev": prev_hash,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "record": [record_type, object_id],
        "org_unit": org_unit_id,
        "action": action,
        "action_label": action_label,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "request_id": request_id,
        "client_request_id": client_request_id,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _lock_chain_head(using):
    """``(seq, hash)`` of the last event, taken so that no other transaction can append until ours ends.

    PostgreSQL: a transaction-scoped advisory lock, then the last row (read committed: the previous
    holder has committed before the lock is ours).  SQLite: transactions begin IMMEDIATE (settings),
    so the writer holding the database is the only one.  A racing append that slipped past either
    would still fail on the unique ``seq``, never fork the chain.

    Held until the commit, so the transactions that audit are serialised from their audit row on:
    an audit row is best written last in its transaction.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    head = AuditEvent.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    return head or (0, GENESIS)


class AppendOnlyError(Exception):
    pass


@dataclass
class ChainBreak:
    event: "AuditEvent"
    why: str

    def __str__(self):
        return f"第 {self.event.seq} 条（id={self.event.pk}，{self.event}）：{self.why}"


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Appends ``objs`` to the chain in the order given."""
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            seq, prev_hash = _lock_chain_head(self.db)
            for obj in objs:
                obj.link(seq=seq + 1, prev_hash=prev_hash)
                seq, prev_hash = obj.seq, obj.hash
            return super().bulk_create(objs, *args, **kwargs)

    def verify_chain(self):
        """Walk the whole chain: ``(events checked, None)`` or, at the first broken link,
        ``(events before it, ChainBreak)``."""
        expected_seq, expected_prev = 1, GENESIS
        for event in self.order_by("seq").iterator(chunk_size=2000):
            if event.seq != expected_seq:
                return expected_seq - 1, ChainBreak(event, f"缺少第 {expected_seq} 条（被删除）")
            if event.prev_hash != expected_prev:
                return expected_seq - 1, ChainBreak(event, "与上一条的链接不符（上一条被改动或替换）")
            if event.hash != event.compute_hash():
                return expected_seq - 1, ChainBreak(event, "内容与其哈希不符（本条被改动）")
            expected_seq, expected_prev = expected_seq + 1, event.hash
        return expected_seq - 1, None

    def update(self, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    def delete(self):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    _raw_delete = delete

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    def for_record(self, record):
        return self.filter(
            content_type=ContentType.objects.get_for_model(record, for_concrete_model=False), object_id=record.pk
        )


class AuditEvent(models.Model):
    """One row per transition (and per audited action such as opening a protected file).

    There is no update or delete path: the model, its queryset and the admin refuse both, and a
    trigger refuses them in the database too (PostgreSQL: migration 0002; SQLite: the chain's).
    Saving a new event links it to the chain (``seq``, ``prev_hash``, ``hash``).
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id", for_concrete_model=False)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=60)
    action_label = models.CharField(_("操作名称"), max_length=60, blank=True)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    reason = models.TextField(_("原因/说明"), blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    # What the calling system sent as X-Request-ID (sanitised), kept so it can find its call here;
    # never used as the id above, which the server makes.
    client_request_id = models.CharField(_("客户端请求编号"), max_length=64, blank=True)
    seq = models.PositiveBigIntegerField(_("链序号"), unique=True, editable=False)
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action_label or self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # No savepoint of its own: a failed append fails the change it records anyway.
        with transaction.atomic(using=using, savepoint=False):
            seq, prev_hash = _lock_chain_head(using)
            self.link(seq=seq + 1, prev_hash=prev_hash)
            super().save(*args, **kwargs)

    def link(self, *, seq, prev_hash):
        self.seq, self.prev_hash = seq, prev_hash
        self.hash = self.compute_hash()

    def compute_hash(self):
        content_type = ContentType.objects.get_for_id(self.content_type_id)
        return chain_digest(
            seq=self.seq,
            prev_hash=self.prev_hash,
            at=self.at,
            actor_id=self.actor_id,
            record_type=f"{content_type.app_label}.{content_type.model}",
            object_id=self.object_id,
            org_unit_id=self.org_unit_id,
            action=str(self.action),
            action_label=str(self.action_label),
            from_state=str(self.from_state),
            to_state=str(self.to_state),
            reason=str(self.reason),
            request_id=str(self.request_id),
            client_request_id=str(self.client_request_id),
        )

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)
