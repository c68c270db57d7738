"""``manage.py health``: database, broker and background worker, one line each; exit 1 if one is down."""

from django.core.management.base import BaseCommand, CommandError

from workflows import health

LABELS = {"database": "数据库 database", "broker": "消息队列 broker", "worker": "后台任务 worker+beat"}


class Command(BaseCommand):
    help = "Report the status of the database, the Celery broker and the worker (exit 1 when one is down)."

    def handle(self, *args, **options):
        results = health.checks()
        for name, (ok, detail) in results.items():
            style = self.style.SUCCESS if ok else self.style.ERROR
            self.stdout.write(f"{LABELS[name]:<24} {style('OK  ' if ok else 'DOWN')} {detail}")
        down = [name for name, (ok, _detail) in results.items() if not ok]
        if down:
            raise CommandError(f"not healthy: {', '.join(down)}")
