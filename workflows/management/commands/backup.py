"""Back up the database and the uploaded files into one archive.

python manage.py backup [--output var/backups/unionflow-20260301-020000.tar.gz]
"""

import time

from django.core.management.base import BaseCommand, CommandError

from workflows.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库和上传文件（附件、工作总结）到一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份文件路径（默认 var/backups/unionflow-<时间>.tar.gz）")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, output=None, database, **options):
        started = time.monotonic()
        try:
            path, manifest = backup_create(output=output, using=database)
        except BackupError as exc:
            raise CommandError(f"备份失败 / backup failed: {exc}")
        size = path.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成 / backup written: {path}\n"
                f"  数据库 {manifest['engine']} {manifest['database']['name']}，"
                f"上传文件 {manifest['media_file_count']} 个，"
                f"{size / 1024 / 1024:.1f} MB，用时 {time.monotonic() - started:.1f} 秒"
            )
        )
