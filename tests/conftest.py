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
