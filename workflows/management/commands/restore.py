"""Restore a backup made by ``manage.py backup``: the database and the uploaded files.

    python manage.py restore var/backups/unionflow-20260301-020000.tar.gz [--force] [--noinput]

The archive is unpacked and every checksum verified before anything is touched.  A target that
already holds data is overwritten only after a typed "yes" or with ``--force``, and its current
contents are first saved by a backup of their own.  Stop web, worker and beat first.
"""

import shutil
import time

from django.core.management.base import BaseCommand, CommandError

from workflows.backup import (
    NOT_EMPTY,
    BackupError,
    backup_create,
    backup_restore,
    backup_stage,
    default_backup_path,
    pg_audit_trigger_present,
    target_contents,
)

CANCELLED = "已取消，未做任何更改。 / Cancelled, nothing changed."


class Command(BaseCommand):
    help = "从备份文件恢复数据库和上传文件。恢复前请先停止 web、worker 和 beat。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="manage.py backup 生成的 .tar.gz 文件")
        parser.add_argument("--force", action="store_true", help="目标已有数据时也覆盖（会先自动备份当前数据）")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="不提问；目标有数据时须加 --force"
        )
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, path, force, interactive, database, **options):
        started = time.monotonic()
        try:
            staged = backup_stage(path, using=database)
        except BackupError as exc:
            raise CommandError(f"未恢复 / not restored: {exc}")
        try:
            manifest = staged.manifest
            self.stdout.write(
                f"备份 / backup: {manifest['created_at']}，{manifest['engine']} {manifest['database']['name']}，"
                f"{manifest['file_count']} 个文件（含上传文件 {manifest['media_file_count']} 个），"
                "校验通过 / checksums OK"
            )
            existing = target_contents(using=database)
            if existing:
                what = "；".join(existing)
                if not force:
                    if not interactive:
                        raise CommandError(NOT_EMPTY.format(what=what))
                    self.stdout.write(self.style.WARNING(f"目标已有数据 / the target holds data: {what}"))
                    answer = input("恢复将覆盖以上数据（会先自动备份）。输入 yes 继续 / Type 'yes' to overwrite: ")
                    if answer.strip().lower() != "yes":
                        raise CommandError(CANCELLED)
                try:
                    saved, _ = backup_create(output=default_backup_path("before-restore"), using=database)
                except BackupError as exc:
                    raise CommandError(f"恢复前备份当前数据失败，未恢复 / could not save the current data first: {exc}")
                self.stdout.write(f"当前数据已另存 / current data saved to: {saved}")
            try:
                backup_restore(staged, using=database)
            except BackupError as exc:
                raise CommandError(str(exc))
        finally:
            if staged.folder.exists():
                shutil.rmtree(staged.folder, ignore_errors=True)
        if manifest["engine"] == "postgresql" and not pg_audit_trigger_present(using=database):
            raise CommandError("恢复后缺少审计记录的只追加触发器 / the audit trail's append-only trigger is missing")
        for note in staged.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(f"恢复完成 / restored in {time.monotonic() - started:.1f} s: {path}"))
