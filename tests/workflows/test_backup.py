"""Backup and restore: a restored copy holds every row, file and audit event of the original.

Runs on the database the suite runs on (SQLite, or PostgreSQL through pg_dump/pg_restore/psql).
The data is committed (``transaction=True``) because the backup reads the database from outside
the test's connection, as it does in production.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from viewflow.workflow.models import Process, Task

from cases import services as case_services
from summaries.models import Report
from tests.factories import fresh, make_user
from workflows import backup, engine, services
from workflows.celery import app as celery_app
from workflows.models import Attachment, AuditEvent, Period

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
MODEL_APPS = {"auth", "workflows", "cases", "aid", "proposals", "summaries", "viewflow"}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    # on PostgreSQL these tests run the real client tools (pg_dump, pg_restore, psql)
    *([pytest.mark.integration] if ON_POSTGRES else []),
]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Notifications run inline here even when the module is marked ``integration``."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _var_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def records(tree, settings):
    """A small union's half-year through the real services: filings, a review, uploads, a report."""
    applications = [
        services.membership_apply(actor=user, statement="本人自愿加入工会，遵守工会章程。")
        for user in (tree.applicant_a, tree.applicant_b)
    ]
    task = engine.open_tasks_for(applications[0]).get()
    committee = fresh(tree.committee_a)
    engine.task_claim(task=task, actor=committee)
    engine.task_complete(task=task, actor=committee, data={"decision": "approve", "note": "同意入会"})
    services.comment_add(record=applications[1], actor=tree.applicant_b, body="已补充劳动合同复印件。")
    upload = SimpleUploadedFile("劳动合同 扫描件.pdf", b"%PDF-1.4 \x00\xff contract", content_type="application/pdf")
    services.attachment_add(record=applications[1], actor=tree.applicant_b, upload=upload)
    worker = make_user("worker_a", name="孙工人", unit=tree.a_branch, employer=tree.employer_a)
    case_services.case_file(
        actor=worker,
        category="wages",
        facts="2026年9月至10月工资未按时足额发放。",
        claims="请求支付拖欠工资。",
        workers_involved=1,
        amount_claimed=Decimal("8600.00"),
    )
    period = Period.objects.create(org_unit=tree.top, year=2025, kind="H2")
    report = Report.objects.create(org_unit=tree.top, period=period, status=Report.Status.DONE)
    report.document.save("2025年下半年工作总结.docx", ContentFile(b"PK\x03\x04 docx bytes"))
    assert AuditEvent.objects.count() >= 4 and Attachment.objects.count() == 1
    return applications


# -- what "identical" means -------------------------------------------------------------------------


def raw_connect(database_name):
    """A DB-API connection of its own, so both sides are read the same way, outside Django."""
    if connection.vendor == "sqlite":
        return sqlite3.connect(database_name)
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname=database_name,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def database_snapshot(database_name):
    """Every table's full contents (rows sorted), and on PostgreSQL every sequence's position."""
    conn = raw_connect(database_name)
    try:
        cursor = conn.cursor()
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        else:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        snapshot = {}
        for (table,) in sorted(cursor.fetchall()):
            cursor.execute(f'SELECT * FROM "{table}"')
            snapshot[table] = sorted(cursor.fetchall(), key=repr)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            snapshot["<sequences>"] = sorted(cursor.fetchall(), key=repr)
        return snapshot
    finally:
        conn.close()


def media_snapshot(root):
    root = Path(root)
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def differences(original, restored):
    """Tables (or files) missing, extra, or with other contents: empty when the copy is identical."""
    found = [f"missing: {name}" for name in sorted(set(original) - set(restored))]
    found += [f"extra: {name}" for name in sorted(set(restored) - set(original))]
    found += [
        f"differs: {name} ({len(original[name]) if isinstance(original[name], list) else 1} rows/bytes)"
        for name in sorted(set(original) & set(restored))
        if original[name] != restored[name]
    ]
    return found


# -- a fresh database for the restore --------------------------------------------------------------


@pytest.fixture
def fresh_database(tmp_path):
    """(DATABASE_URL, name) of an empty database of the suite's engine; a PostgreSQL one is dropped after."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", str(path)
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    admin = raw_connect("postgres")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    try:
        yield url, name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(*args, database_url, media_root, var_dir):
    """Run manage.py in its own process, as an operator on another machine would."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "UNIONFLOW_VAR_DIR": str(var_dir),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )


# -- the round trip -----------------------------------------------------------------------------------


def test_a_backup_restored_into_a_fresh_database_is_identical_row_for_row_and_file_for_file(
    records, fresh_database, settings, tmp_path
):
    archive = tmp_path / "unionflow.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    original_db = database_snapshot(connection.settings_dict["NAME"])
    original_media = media_snapshot(settings.MEDIA_ROOT)

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["engine"] == connection.vendor
    assert manifest["media_file_count"] == len(original_media) == 2
    assert "0002_audit_append_only_trigger" in manifest["migrations"]["workflows"]

    url, name = fresh_database
    restored_media_root = tmp_path / "restored-media"
    result = manage(
        "restore",
        str(archive),
        "--noinput",
        database_url=url,
        media_root=restored_media_root,
        var_dir=tmp_path / "var2",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "恢复完成" in result.stdout

    restored_db = database_snapshot(name)
    assert differences(original_db, restored_db) == []
    assert differences(original_media, media_snapshot(restored_media_root)) == []

    # The comparison covers every model table of the project, viewflow and auth, and the rows that
    # matter most are really there (an empty table on both sides would also compare equal).
    model_tables = {m._meta.db_table for m in apps.get_models() if m._meta.app_label in MODEL_APPS}
    assert model_tables <= set(restored_db)
    for model in (AuditEvent, Attachment, Report, apps.get_model("auth", "User"), Process, Task):
        assert len(restored_db[model._meta.db_table]) == model.objects.count() > 0

    if connection.vendor == "postgresql":
        restored = raw_connect(name)
        try:
            trigger = restored.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = 'workflows_auditevent_append_only' AND NOT tgisinternal"
            ).fetchone()
            assert trigger, "the audit trail's append-only trigger must survive the restore"
            with pytest.raises(Exception, match="append-only"):
                restored.execute("UPDATE workflows_auditevent SET reason = 'changed'")
        finally:
            restored.close()

    # The comparison is not blind: a lost row, table or file shows up.
    changed = raw_connect(name)
    try:
        changed.execute("DELETE FROM django_session")  # may be empty: then drop it to lose a table
        changed.execute("DROP TABLE workflows_comment")
        if connection.vendor == "sqlite":
            changed.commit()
    finally:
        changed.close()
    assert "missing: workflows_comment" in differences(original_db, database_snapshot(name))
    next(restored_media_root.rglob("*.pdf")).unlink()
    assert any(
        d.startswith("missing: attachments/") for d in differences(original_media, media_snapshot(restored_media_root))
    )


# -- refusals change nothing -------------------------------------------------------------------------


def rewrite_archive(source, target, *, manifest=None, members=None):
    """Copy an archive, changing its manifest and/or members' bytes (checksums left as they were)."""
    with tarfile.open(source) as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    data = json.loads(contents["manifest.json"])
    if manifest:
        manifest(data)
    contents["manifest.json"] = json.dumps(data).encode()
    for name, change in (members or {}).items():
        contents[name] = change(contents[name])
    with tarfile.open(target, "w:gz") as tar:
        for name, content in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return target


def other_engine(data):
    data["engine"] = "sqlite" if data["engine"] == "postgresql" else "postgresql"


def from_the_future(data):
    data["migrations"]["workflows"].append("9999_not_written_yet")


def not_a_tar(path):
    path.write_bytes(b"not a tar archive")
    return path


def first_attachment(archive):
    with tarfile.open(archive) as tar:
        return next(n for n in tar.getnames() if n.startswith("media/attachments/"))


@pytest.fixture
def archive(records, tmp_path):
    path = tmp_path / "unionflow.tar.gz"
    call_command("backup", output=str(path), stdout=io.StringIO())
    return path


def assert_nothing_changed(before_db, before_media, settings):
    assert differences(before_db, database_snapshot(connection.settings_dict["NAME"])) == []
    assert differences(before_media, media_snapshot(settings.MEDIA_ROOT)) == []
    leftovers = [p.name for p in Path(settings.MEDIA_ROOT).parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], "no staging or set-aside folder is left behind"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong_engine", "不能跨数据库恢复"),
        ("corrupted_file", "校验失败"),
        ("corrupted_database", "校验失败"),
        ("not_a_backup", "不是 UnionFlow 备份"),
        ("from_newer_code", "备份来自更新版本"),
        ("target_not_empty", "目标不是空的"),
    ],
)
def test_a_refused_restore_says_why_and_changes_nothing(case, message, archive, settings, tmp_path):
    bad = {
        "wrong_engine": lambda: rewrite_archive(archive, tmp_path / "b.tar.gz", manifest=other_engine),
        "corrupted_file": lambda: rewrite_archive(
            archive, tmp_path / "b.tar.gz", members={first_attachment(archive): lambda b: b[:-1] + b"!"}
        ),
        "corrupted_database": lambda: rewrite_archive(
            archive,
            tmp_path / "b.tar.gz",
            members={backup.DUMP_NAMES[connection.vendor]: lambda b: b[:100] + b"\x00" + b[101:]},
        ),
        "not_a_backup": lambda: not_a_tar(tmp_path / "b.tar.gz"),
        "from_newer_code": lambda: rewrite_archive(archive, tmp_path / "b.tar.gz", manifest=from_the_future),
        "target_not_empty": lambda: archive,
    }[case]()
    before_db, before_media = database_snapshot(connection.settings_dict["NAME"]), media_snapshot(settings.MEDIA_ROOT)

    with pytest.raises(CommandError) as exc:
        call_command("restore", str(bad), interactive=False, stdout=io.StringIO())

    assert message in str(exc.value)
    assert_nothing_changed(before_db, before_media, settings)
    assert not (Path(settings.VAR_DIR) / "backups").exists(), "refused before even saving the current data"


def test_the_operator_who_does_not_type_yes_keeps_the_data(archive, settings, monkeypatch):
    before_db, before_media = database_snapshot(connection.settings_dict["NAME"]), media_snapshot(settings.MEDIA_ROOT)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert_nothing_changed(before_db, before_media, settings)


def test_a_restore_that_fails_midway_puts_the_database_and_files_back(archive, settings, tmp_path):
    """A dump the database tool cannot read (but whose checksum matches) fails after the media swap."""
    dump_name = backup.DUMP_NAMES[connection.vendor]

    def garbage(data):
        return b"this is not a database dump" * 100

    def matching_checksum(manifest):
        entry = manifest["files"][dump_name]
        entry["sha256"] = hashlib.sha256(garbage(b"")).hexdigest()

    bad = rewrite_archive(archive, tmp_path / "b.tar.gz", manifest=matching_checksum, members={dump_name: garbage})
    before_db, before_media = database_snapshot(connection.settings_dict["NAME"]), media_snapshot(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match="事务已回滚") as exc:
        call_command("restore", str(bad), interactive=False, force=True, stdout=io.StringIO())

    assert "保持恢复前的状态" in str(exc.value)
    assert_nothing_changed(before_db, before_media, settings)
    saved = list((Path(settings.VAR_DIR) / "backups").glob("before-restore-*.tar.gz"))
    assert len(saved) == 1, "the data about to be overwritten was saved first"
