import pytest
from django.test import Client, RequestFactory

from tests.factories import make_tree
from workflows.celery import app as celery_app


@pytest.fixture(autouse=True)
def _eager_celery_for_unit_tests(request):
    """Unit tests run Celery tasks inline; integration tests use a real worker instead."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_pdf_by_default(settings):
    """Converting to PDF takes LibreOffice seconds; the one test that wants it turns it back on."""
    settings.UNIONFLOW = {**settings.UNIONFLOW, "REPORT_PDF": False}


class LoginClient(Client):
    """Django's test client whose ``login()`` passes a request to ``authenticate()``, as the login page does.

    django-axes counts failed logins per username and address, so it refuses an authentication
    without a request.  ``force_login`` authenticates nothing and needs no change.
    """

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/login/"))
        return super().login(**credentials)


@pytest.fixture
def client():
    return LoginClient()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The navigation badges are cached per user id; ids repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _every_generated_report_passes_the_text_check(monkeypatch):
    """Each 工作总结 any test writes is read by the text check (summaries/textcheck.py): no
    placeholder, no slash label, every count with its measure word, parts adding up, the period's
    own words, no sentence about a chapter without records."""
    from summaries import document, textcheck

    build = document.build

    def checked(report, images, **kwargs):
        content = build(report, images, **kwargs)
        found = textcheck.document_problems(content, report)
        assert not found, "the text check found: " + "; ".join(found)
        return content

    monkeypatch.setattr(document, "build", checked)


def _process_holding_port(port):
    """The local process whose TCP socket has ``port`` (from /proc), as "pid cmdline", or None."""
    import glob
    import os

    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for fd in glob.glob("/proc/[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                pid = int(fd.split("/")[2])
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
                return f"{pid}{' (this pytest process)' if pid == os.getpid() else ''} {cmdline[:200]}"
        except OSError:
            continue
    return None


@pytest.fixture(scope="session", autouse=True)
def _name_lingering_database_sessions(django_db_setup, django_db_blocker, pytestconfig):
    """PostgreSQL: the test database cannot be dropped while another session still holds it ("There is
    1 other session using the database", a warning at the end of the run).  Name those sessions and the
    processes behind them before the drop, so that their owner can be found."""
    yield
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, client_port, backend_start, state, left(query, 160) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            rows = cursor.fetchall()
    terminal = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    lines = []
    for pid, port, started, state, query in rows:
        holder = _process_holding_port(port) if port and port > 0 else None
        lines.append(
            f"lingering database session: backend {pid}, client port {port} ({holder or 'process not found'}),"
            f" since {started:%H:%M:%S}, {state}: {query!r}"
        )
    if rows:
        names = sorted(t.name for t in threading.enumerate() if t is not threading.main_thread())
        lines.append(f"threads alive in this process: {names}")
    with pytestconfig.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        for line in lines:
            terminal.write_line(line)
