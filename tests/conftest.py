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
