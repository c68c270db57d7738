"""``manage.py verify_audit``: walk the audit trail's hash chain; exit 1 at the first broken link.

Finds an event changed or removed behind the application's back (its trigger dropped, the database
file edited).  Removing the newest events leaves no broken link; the last line printed ("head …")
is what to note down or send elsewhere, so a shortened trail can be recognised later.
"""

from django.core.management.base import BaseCommand, CommandError

from workflows.models import AuditEvent


class Command(BaseCommand):
    help = "校验审计记录的哈希链：完好时输出 OK N events，否则指出第一处断开并以非零状态退出。"

    def handle(self, *args, **options):
        checked, broken = AuditEvent.objects.verify_chain()
        if broken is not None:
            raise CommandError(f"审计链断开 / audit chain broken after {checked} intact events — {broken}")
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        self.stdout.write(self.style.SUCCESS(f"OK {checked} events"))
        if head:
            self.stdout.write(f"head #{head[0]} {head[1]}")
