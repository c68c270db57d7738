"""The production profile serves for real: collectstatic with the manifest storage, gunicorn, DEBUG off.

The site runs as it does behind a TLS proxy: plain HTTP on loopback with ``X-Forwarded-Proto: https``
on every request (``SECURE_PROXY_SSL_HEADER``), so the secure cookies, CSRF's origin check and the
HTTPS redirect work exactly as deployed.
"""

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie

import pytest
from django.conf import global_settings

from tests.factories import make_tree
from tests.integration.conftest import ROOT, database_url_for_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "Production-login-2026"
HASHED_CSS = re.compile(r"\.[0-9a-f]{12}\.css$")


class Assets(HTMLParser):
    """The stylesheets, scripts, icons and images a page makes the browser fetch."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and {"stylesheet", "icon"} & set((attrs.get("rel") or "").split()):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])


def assets_of(html):
    parser = Assets()
    parser.feed(html)
    return parser.urls


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Browser:
    """A browser behind the TLS proxy: keeps its cookies (``Secure`` ones too) and sends the proxy header."""

    port: int
    cookies: dict = field(default_factory=dict)

    @property
    def origin(self):
        return f"https://127.0.0.1:{self.port}"

    def request(self, method, path, *, form=None, headers=None, proxied=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept-Language": "zh-hans", **(headers or {})}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
            headers["Referer"] = self.origin + path
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return result

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, form):
        return self.request("POST", path, form=form)


@dataclass
class Site:
    port: int
    process: subprocess.Popen
    log_path: object

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def browser(self):
        return Browser(self.port)


def production_env(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url_for_worker(),
        "STATIC_ROOT": str(tmp_path / "static"),
        "UNIONFLOW_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DEBUG", None)  # production's default, not the caller's shell
    return env


@pytest.fixture
def production_site(transactional_db, tmp_path):
    """``collectstatic`` into a temporary folder, then gunicorn with two workers on a free port."""
    env = production_env(tmp_path)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert collected.returncode == 0, f"collectstatic failed:\n{collected.stdout}\n{collected.stderr}"

    log_path = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        # Port 0: the kernel picks a free port and gunicorn logs it, so no other test can take it first.
        [sys.executable, "-m", "gunicorn", "workflows.wsgi", "--bind", "127.0.0.1:0", "--workers", "2"]
        + ["--no-control-socket", "--access-logfile", "-", "--error-logfile", "-"],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        site = Site(wait_for_port(process, log_path), process, log_path)
        yield site
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # Shown by pytest only when the test failed.
        print(f"--- gunicorn log ---\n{log_path.read_text(errors='replace')[-8000:]}")


def wait_for_port(process, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        if found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log):
            return int(found[1])
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log}")
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not listen within {timeout}s:\n{log_path.read_text(errors='replace')}")


def assert_every_asset_is_served(browser, page):
    urls = assets_of(page.text)
    assert urls, "the page references no static file"
    for url in urls:
        asset = browser.get(urllib.parse.urlsplit(url).path)
        assert asset.status == 200, f"{url} → {asset.status}"
        for reference in re.findall(rb"url\(\s*['\"]?([^'\")]+)", asset.body) if url.endswith(".css") else []:
            if not reference.startswith((b"data:", b"#", b"http")):
                nested = urllib.parse.urljoin(url, reference.decode())
                assert browser.get(nested).status == 200, f"{nested} (from {url})"
    return urls


def log_in(browser, username):
    page = browser.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return browser.post("/login/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})


def test_the_production_profile_serves_the_site_with_hashed_static_and_debug_off(production_site, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with production's hashers
    chair = make_tree().chair
    chair.set_password(PASSWORD)
    chair.save()
    browser = production_site.browser()

    login = browser.get("/login/")
    assert login.status == 200
    assert "登录" in login.text and "工会事务流转平台" in login.text
    stylesheets = [url for url in assert_every_asset_is_served(browser, login) if url.endswith(".css")]
    assert stylesheets and all(HASHED_CSS.search(url) for url in stylesheets), stylesheets
    cached = browser.get(stylesheets[0])
    assert "immutable" in cached.headers["Cache-Control"]  # a new deploy gets a new name, so cache forever

    assert browser.get("/login/", proxied=False).status == 301  # plain HTTP is sent to HTTPS

    logged_in = log_in(browser, chair.username)
    assert logged_in.status == 302, logged_in.text[:2000]
    session_cookie = next(c for c in logged_in.headers.get_all("Set-Cookie") if c.startswith("sessionid="))
    assert "secure" in session_cookie.lower()  # SESSION_COOKIE_SECURE: the proxy's HTTPS made the login work
    dashboard = browser.get("/")
    assert dashboard.status == 200 and "工作台" in dashboard.text and chair.first_name in dashboard.text
    assert_every_asset_is_served(browser, dashboard)

    missing = browser.get("/no-such-page/")
    assert missing.status == 404
    assert "页面不存在" in missing.text
    assert "Using the URLconf" not in missing.text and "DEBUG = True" not in missing.text  # not Django's debug page

    admin_login = browser.get("/admin/login/")
    assert admin_login.status == 200
    assert_every_asset_is_served(browser, admin_login)

    api_docs = browser.get("/api/docs/")
    assert api_docs.status == 200
    assert any("swagger-ui-bundle" in url for url in assert_every_asset_is_served(browser, api_docs))
    assert browser.get("/api/schema/").status == 200

    browsable_api = browser.get("/api/v1/", headers={"Accept": "text/html"})
    assert browsable_api.status == 200
    assert any("rest_framework" in url for url in assert_every_asset_is_served(browser, browsable_api))
