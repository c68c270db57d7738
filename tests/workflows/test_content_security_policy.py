"""The Content-Security-Policy (django-csp): no inline script or style runs, and no page needs one.

tests/e2e/test_browser_defences.py walks the site in chromium and fails on any violation; these
check the header and the templates' source.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client, tree):
    client.force_login(tree.committee_a)
    policy = directives(client.get("/"))
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in " ".join(sum(policy.values(), []))


def test_the_api_docs_style_carries_the_requests_nonce(client, tree):
    client.force_login(tree.committee_a)
    response = client.get("/api/docs/")
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())[1]
    assert f"'nonce-{nonce}'" in directives(response)["style-src"]
    assert "<script>" not in response.content.decode()  # its script is a file (?script)


def test_no_template_has_an_inline_script_style_or_handler():
    """A page that needed one would break under the policy; the browser test (tests/e2e) shows it
    happening, this finds it in the source."""
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern, what in [
            (r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"),
            (r"<style(?![^>]*\bnonce=)[^>]*>", "<style> without a nonce"),
            (r"\sstyle\s*=", "style attribute"),
            (r"\son[a-z]+\s*=", "on… handler"),
            (r"javascript:", "javascript: URL"),
        ]:
            offences += [f"{path.relative_to(TEMPLATES)}: {what}" for _ in re.finditer(pattern, text, re.IGNORECASE)]
    assert not offences, "\n".join(offences)
