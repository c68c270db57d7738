"""Backup and restore: one ``.tar.gz`` holds the database, the uploaded files and a manifest.

An archive holds::

    database.sqlite3 | database.pgdump   SQLite online backup API / pg_dump --format=custom
    media/<path>                          every file under MEDIA_ROOT (attachments, generated reports)
    manifest.json                         engine, migrations, versions, a sha256 per member; written last

One file because an operator copies it off the machine, and ``tar tzf`` lists it with no UnionFlow
installed.  A backup is written as ``<name>.partial`` and renamed when complete, so a file with
the final name is always whole.

Restore stages and verifies everything before it touches the live data, then replaces the
database in one transaction (SQLite: the backup API into the live file; PostgreSQL: the
pg_restore script run by ``psql --single-transaction``) and the media folder by a rename.  A
failure at any step leaves the database and the files as they were, and says so.
"""

import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "unionflow-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Tables that ``migrate`` fills by itself: rows there do not make a database "in use".
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
PG_LOCK_TIMEOUT = "30s"

NOT_FOUND = "找不到备份文件 / backup file not found: {path}"
NOT_AN_ARCHIVE = "不是 UnionFlow 备份或文件已损坏 / not a UnionFlow backup or the file is damaged: {path} ({error})"
BAD_MANIFEST = "备份清单缺失或无法识别 / manifest.json missing or not understood: {error}"
CHECKSUM_MISMATCH = (
    "校验失败，备份已损坏，未做任何恢复 / checksum mismatch, the backup is damaged, nothing restored: {names}"
)
MEMBERS_MISMATCH = "备份内容与清单不符，未做任何恢复 / archive does not match its manifest, nothing restored: {detail}"
WRONG_ENGINE = (
    "这是 {backup} 数据库的备份，当前配置的是 {target}，不能跨数据库恢复；请把 DATABASE_URL 指向 {backup} 数据库。"
    " / This is a {backup} backup but the configured database is {target}; cross-engine restore is not"
    " supported. Point DATABASE_URL at a {backup} database."
)
NEWER_MIGRATIONS = (
    "备份来自更新版本的 UnionFlow（含本版本没有的迁移：{names}），请先升级代码。"
    " / The backup comes from a newer UnionFlow (migrations unknown to this code: {names}); upgrade first."
)
NOT_EMPTY = (
    "目标不是空的（{what}），恢复会覆盖现有数据；确认请加 --force（恢复前会自动另存一份当前数据）。"
    " / The target is not empty ({what}); restoring overwrites it. Pass --force to confirm"
    " (the current data is saved to a backup first)."
)
TOOL_MISSING = "找不到 {tool}（PostgreSQL 客户端），请安装 postgresql-client / {tool} not found"
PG_VERSION_MISMATCH = (
    "{tool} 版本 {client} 低于数据库服务器版本 {server}，无法备份；请安装 {server} 版本的 PostgreSQL 客户端。"
    " / {tool} {client} is older than the server {server}; install the PostgreSQL {server} client."
)
TOOL_FAILED = "{tool} 失败（退出码 {code}）/ {tool} failed (exit {code}):\n{stderr}"
SQLITE_MEMORY = "内存中的 SQLite 数据库无法备份 / an in-memory SQLite database cannot be backed up"
SQLITE_MISSING = "SQLite 数据库文件不存在 / the SQLite database file does not exist: {path}"
SQLITE_CORRUPT = "备份中的 SQLite 数据库未通过完整性检查 / the backed-up SQLite file fails integrity_check: {result}"
MEDIA_NOT_SWAPPED = (
    "无法替换上传文件目录 {media_root}（它须是可改名的普通目录，不能是挂载点），未做任何恢复。"
    " / Could not swap the media folder {media_root} (it must be a plain folder that can be renamed, not a"
    " mount point); nothing restored: {error}"
)
DB_UNCHANGED = "数据库恢复失败，事务已回滚，数据库和上传文件均保持恢复前的状态。 / Restore failed and was rolled back: the database and the uploaded files are as they were before.\n{error}"  # noqa: E501


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and in what state it left things."""


# -- writing a backup ---------------------------------------------------------------------------


def default_backup_path(prefix="unionflow"):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"{prefix}-{stamp}.tar.gz"


def backup_create(*, output=None, using="default"):
    """Write one archive of the database ``using`` and MEDIA_ROOT; return its path and manifest."""
    conn = connections[using]
    engine = _engine(conn)
    output = Path(output) if output else default_backup_path()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    files = {}
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
            dump = Path(work) / DUMP_NAMES[engine]
            database = _sqlite_dump(conn, dump) if engine == "sqlite" else _pg_dump(conn, dump)
            with tarfile.open(partial, "w:gz") as tar:
                files[dump.name] = _add(tar, dump, dump.name)
                media_root = Path(settings.MEDIA_ROOT)
                for path in _media_files(media_root):
                    if path == partial or Path(work) in path.parents:
                        continue  # --output inside MEDIA_ROOT: never archive the archive
                    name = "media/" + path.relative_to(media_root).as_posix()
                    files[name] = _add(tar, path, name)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "engine": engine,
                    "database": database,
                    "migrations": _applied_migrations(conn),
                    "versions": _versions(),
                    "file_count": len(files),
                    "media_file_count": sum(name.startswith("media/") for name in files),
                    "files": files,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o644
                tar.addfile(info, _BytesReader(data))
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return output, manifest


def _engine(conn):
    if conn.vendor not in DUMP_NAMES:
        raise BackupError(f"不支持的数据库 / unsupported database engine: {conn.vendor}")
    return conn.vendor


def _sqlite_path(conn):
    name = str(conn.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(SQLITE_MEMORY)
    return Path(name)


def _sqlite_dump(conn, dump):
    """Copy with SQLite's online backup API: a consistent snapshot even while web and worker write."""
    path = _sqlite_path(conn)
    if not path.exists():
        raise BackupError(SQLITE_MISSING.format(path=path))
    source = sqlite3.connect(path, timeout=30)
    target = sqlite3.connect(dump)
    try:
        source.backup(target)  # pages=-1: one step under one read lock, so one snapshot
    finally:
        target.close()
        source.close()
    return {"name": path.name, "file": dump.name, "sqlite_version": sqlite3.sqlite_version}


def _pg_dump(conn, dump):
    tool = _pg_tool("pg_dump")
    conn.ensure_connection()
    server_major = conn.pg_version // 10000
    client = _pg_tool_version(tool)
    if int(client.split(".")[0]) < server_major:
        raise BackupError(PG_VERSION_MISMATCH.format(tool="pg_dump", client=client, server=server_major))
    args, env = _pg_args(conn.settings_dict)
    _run([tool, "--format=custom", "--no-password", f"--file={dump}", *args], env=env, tool="pg_dump")
    return {
        "name": conn.settings_dict["NAME"],
        "file": dump.name,
        "server_version": conn.pg_version,
        "pg_dump_version": client,
    }


def _media_files(media_root):
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _add(tar, path, name):
    """Add ``path`` as ``name``, hashing the very bytes that go into the archive."""
    info = tar.gettarinfo(path, arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        tar.addfile(info, _HashingReader(handle, digest))
    return {"size": info.size, "sha256": digest.hexdigest()}


class _HashingReader:
    def __init__(self, handle, digest):
        self.handle, self.digest = handle, digest

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


class _BytesReader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def read(self, size=-1):
        end = len(self.data) if size is None or size < 0 else self.pos + size
        chunk, self.pos = self.data[self.pos : end], min(end, len(self.data))
        return chunk


def _applied_migrations(conn):
    applied = {}
    for app, name in sorted(MigrationLoader(conn, ignore_no_migrations=True).applied_migrations):
        applied.setdefault(app, []).append(name)
    return applied


def _versions():
    versions = {"python": platform.python_version()}
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    if pyproject.exists():
        versions["unionflow"] = tomllib.loads(pyproject.read_text())["project"]["version"]
    for dist in ("Django", "django-viewflow", "django-fsm-2", "celery"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return versions


# -- PostgreSQL client tools ----------------------------------------------------------------------


def _pg_tool(name):
    path = shutil.which(name)
    if not path:
        raise BackupError(TOOL_MISSING.format(tool=name))
    return path


def _pg_tool_version(tool):
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+(?:\.\d+)?)", out)
    return match.group(1) if match else "0"


def _pg_args(settings_dict, *, dbname=None):
    """Connection arguments as an argv list and an environment: no shell, the password never on argv."""
    args = []
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("passfile", "PGPASSFILE")):
        if options.get(option):
            env[variable] = str(options[option])
    args.append(f"--dbname={dbname or settings_dict['NAME']}")
    return args, env


def _run(argv, *, env, tool):
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(TOOL_FAILED.format(tool=tool, code=result.returncode, stderr=result.stderr.strip()[-4000:]))
    return result


# -- reading and checking a backup ----------------------------------------------------------------


@dataclass
class Staged:
    """A backup unpacked next to MEDIA_ROOT and verified against its manifest."""

    folder: Path
    manifest: dict
    notes: list = field(default_factory=list)

    @property
    def dump(self):
        return self.folder / self.manifest["database"]["file"]

    @property
    def media(self):
        return self.folder / "media"


def backup_stage(path, *, using="default"):
    """Unpack ``path`` into a staging folder and verify it; raise BackupError (and remove the folder) if not."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(NOT_FOUND.format(path=path))
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=".unionflow-restore-"))
    try:
        try:
            with tarfile.open(path, "r:*") as tar:
                tar.extractall(folder, filter="data")  # refuses absolute paths, "..", links outside
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            raise BackupError(NOT_AN_ARCHIVE.format(path=path, error=exc))
        manifest = _read_manifest(folder)
        _verify_members(folder, manifest)
        staged = Staged(folder, manifest)
        _check_engine(manifest, connections[using])
        _check_migrations(staged, connections[using])
        return staged
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _read_manifest(folder):
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        if manifest.get("format") != FORMAT:
            raise ValueError(f"format is {manifest.get('format')!r}")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format_version {manifest.get('format_version')} (this code reads {FORMAT_VERSION})")
        manifest["files"], manifest["engine"], manifest["database"]["file"]  # noqa: B018 — must be present
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(BAD_MANIFEST.format(error=exc))
    return manifest


def _verify_members(folder, manifest):
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    listed = set(manifest["files"])
    if present != listed or manifest["database"]["file"] not in listed:
        detail = []
        if listed - present:
            detail.append("缺少 / missing: " + ", ".join(sorted(listed - present)[:10]))
        if present - listed:
            detail.append("多出 / not listed: " + ", ".join(sorted(present - listed)[:10]))
        raise BackupError(MEMBERS_MISMATCH.format(detail="; ".join(detail) or manifest["database"]["file"]))
    bad = [name for name, meta in sorted(manifest["files"].items()) if _sha256(folder / name) != meta["sha256"]]
    if bad:
        raise BackupError(CHECKSUM_MISMATCH.format(names=", ".join(bad[:10])))


def _sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_engine(manifest, conn):
    target = _engine(conn)
    if manifest["engine"] != target:
        backup = ENGINE_LABELS.get(manifest["engine"], manifest["engine"])
        raise BackupError(WRONG_ENGINE.format(backup=backup, target=ENGINE_LABELS[target]))


def _check_migrations(staged, conn):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    in_backup = {(app, name) for app, names in staged.manifest.get("migrations", {}).items() for name in names}
    unknown = sorted(in_backup - known)
    if unknown:
        raise BackupError(NEWER_MIGRATIONS.format(names=", ".join(f"{a}.{n}" for a, n in unknown[:10])))
    if known - in_backup:
        staged.notes.append(
            "备份早于当前代码，恢复后请运行 `python manage.py migrate`。"
            " / The backup predates this code: run `python manage.py migrate` after the restore."
        )


# -- what the target holds ------------------------------------------------------------------------


def target_contents(*, using="default"):
    """What would be overwritten: tables with rows and uploaded files (empty list: nothing)."""
    conn = connections[using]
    found = []
    if conn.vendor == "sqlite" and not _sqlite_path(conn).exists():
        tables = []
    else:
        with conn.cursor() as cursor:
            tables = [t for t in conn.introspection.table_names(cursor) if t not in BOOKKEEPING_TABLES]
            for table in tables:
                cursor.execute(f"SELECT 1 FROM {conn.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    found.append(table)
    described = []
    if found:
        names = ", ".join(found[:5]) + ("…" if found[5:] else "")
        described.append(f"{len(found)} 个表有数据 / tables with rows: {names}")
    media = _media_files(Path(settings.MEDIA_ROOT))
    if media:
        described.append(f"{len(media)} 个上传文件 / uploaded files in {settings.MEDIA_ROOT}")
    return described


# -- restoring --------------------------------------------------------------------------------------


def backup_restore(staged, *, using="default"):
    """Replace the database and MEDIA_ROOT with the staged backup; on failure put the media back."""
    conn = connections[using]
    media_root = Path(settings.MEDIA_ROOT)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    aside = media_root.with_name(f".{media_root.name}.before-restore-{stamp}")
    staged.media.mkdir(exist_ok=True)  # a backup with no uploads restores an empty media folder
    had_media = media_root.exists()
    try:
        if had_media:
            media_root.rename(aside)
        staged.media.rename(media_root)
    except OSError as exc:
        if had_media and not media_root.exists():
            aside.rename(media_root)
        raise BackupError(MEDIA_NOT_SWAPPED.format(media_root=media_root, error=exc)) from exc
    try:
        conn.close()  # the restore replaces the tables under any open connection
        if staged.manifest["engine"] == "sqlite":
            _sqlite_restore(conn, staged.dump)
        else:
            _pg_restore(conn, staged.dump, staged.folder)
    except BaseException as exc:
        shutil.rmtree(media_root, ignore_errors=True)
        if had_media:
            aside.rename(media_root)
        raise BackupError(DB_UNCHANGED.format(error=exc)) from exc
    finally:
        conn.close()
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(staged.folder, ignore_errors=True)


def _sqlite_restore(conn, dump):
    source = sqlite3.connect(dump)
    try:
        result = source.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(SQLITE_CORRUPT.format(result=result))
        target_path = _sqlite_path(conn)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            # One step: SQLite writes the whole copy as one transaction on the live file, so web and
            # worker (which wait on the lock) see the old database or the restored one, never a mix.
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _pg_restore(conn, dump, folder):
    """Run pg_restore's script in one transaction, after dropping tables the backup does not have.

    ``--clean --if-exists`` drops and recreates every object in the dump, so the audit trail's
    append-only trigger is dropped with its table (DROP TABLE fires no row trigger), its rows come
    back by COPY (an INSERT, which the trigger allows) and the trigger is created again at the end.
    Tables only the target has (a later migration) would survive ``--clean``; they are dropped in
    the same transaction so the result is exactly the backup.
    """
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    args, env = _pg_args(conn.settings_dict)
    listing = _run([pg_restore, "--list", str(dump)], env=env, tool="pg_restore").stdout
    in_backup = set(re.findall(r"^\d+; \d+ \d+ TABLE public (\S+) ", listing, flags=re.MULTILINE))
    conn.ensure_connection()
    with conn.cursor() as cursor:
        extra = sorted(set(conn.introspection.table_names(cursor)) - in_backup)
    conn.close()
    script = folder / "restore.sql"
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        env=env,
        tool="pg_restore",
    )
    argv = [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--single-transaction"]
    if extra:
        argv.append("--command=DROP TABLE IF EXISTS " + ", ".join(conn.ops.quote_name(t) for t in extra) + " CASCADE")
    # Web or worker sessions still open on the database would make DROP TABLE wait for ever: give up
    # (and roll back) instead, and say so.
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT}".strip()
    _run([*argv, f"--file={script}", *args], env=env, tool="psql")


def pg_audit_trigger_present(*, using="default"):
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'workflows_auditevent_append_only' AND NOT tgisinternal"
        )
        return cursor.fetchone() is not None
