"""A submit that does not reach the server keeps what was typed (issue 16 §5), in a real browser.

Offline, the submit is held with a message and the page stays; back online, a reload puts the kept
text back with a note; once the submit goes through, nothing is restored any more.
"""

import pytest
from django.conf import global_settings

from cases import services as case_services
from tests.cases.conftest import file_kwargs, worker  # noqa: F401  (fixture)
from tests.e2e.test_browser_defences import log_in
from tests.e2e.test_smoke import ARGS, CHROMIUM, server_url  # noqa: F401  (fixture)
from tests.factories import fresh
from workflows.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TEXT = "已与用人单位人事部电话沟通，对方同意下周面谈。"
PASSWORD = "offline-2026"


@pytest.fixture
def case(tree, worker, settings):  # noqa: F811
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server process checks the password
    tree.committee_a.set_password(PASSWORD)
    tree.committee_a.save()
    return case_services.case_file(actor=fresh(worker), **file_kwargs())


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_a_comment_typed_offline_is_kept_and_sent_once_back_online(case, tree, server_url, viewport, monkeypatch):  # noqa: F811
    from playwright.sync_api import sync_playwright

    # the checks read the database between the browser's steps, inside Playwright's event loop
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=viewport, locale="zh-CN")
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        log_in(page, server_url, "committee_a", PASSWORD)
        url = f"{server_url}{case.get_absolute_url()}"
        page.goto(url)
        box = page.locator("textarea[name=body]")
        box.fill(TEXT)

        page.context.set_offline(True)
        page.click("button:has-text('发表意见')")
        page.wait_for_selector("[data-testid=offline]")
        assert "网络未连接，未提交" in page.inner_text("[data-testid=offline]")
        assert page.url == url and box.input_value() == TEXT
        assert not Comment.objects.exists()

        page.context.set_offline(False)
        page.reload()  # as after the browser's own error page: the kept text comes back
        page.wait_for_selector("[data-testid=draft-restored]")
        assert page.locator("textarea[name=body]").input_value() == TEXT

        page.click("button:has-text('发表意见')")
        page.wait_for_selector(".messages .success")
        assert list(Comment.objects.values_list("body", flat=True)) == [TEXT]
        page.reload()
        assert page.locator("textarea[name=body]").input_value() == ""  # sent: nothing to restore
        assert not page.locator("[data-testid=draft-restored]").count()
        assert not errors, errors
        browser.close()
