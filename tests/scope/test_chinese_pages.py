"""No English word on any page a union user reads (viewflow's "New/Assigned/Started" once reached
task pages): every record-bearing page of every kind, the lists and the forms, read by the chair,
the committee member holding the step and the applicant."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.scope.test_idor_matrix import NO_RECORD, insiders, record_doors, urls_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

# Words a Chinese union office writes in Latin letters: file formats, the API, units.
ALLOWED = {"API", "PDF", "Excel", "Word", "docx", "xlsx", "pdf", "PNG", "ID", "MB", "KB", "UnionFlow", "OpenAPI"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Not read as prose: the admin (staff only), the API's own pages, the downloads.
NOT_PAGES = {"schema", "api_docs", "api-root", "login", "logout", "healthz"}


class VisibleText(HTMLParser):
    """The text a reader sees: not scripts, styles, attributes or the values typed into fields."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea"):
            self.skip += 1
        if tag in ("input", "option") and dict(attrs).get("type") != "hidden":
            label = dict(attrs).get("placeholder")
            if label:
                self.parts.append(label)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(html, known):
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for value in known:  # what users typed (names, titles, numbers) is theirs, whatever its letters
        text = text.replace(value, " ")
    return sorted({w for w in LATIN_WORD.findall(text) if w not in ALLOWED})


def test_no_page_shows_an_english_word(client, world):  # noqa: F811
    known = {u.username for u in [world.employee, world.sibling, *world.role_holders.values()]}
    pages = set()
    for door, model in record_doors():
        if door.api or model is None or door.name in NOT_PAGES:
            continue
        models = model if isinstance(model, tuple) else (model,)
        for instance in (r for m in models for r in world.records.get(m, [])):
            for url in urls_for(door, instance):
                for user in insiders(world, instance):
                    pages.add((url, user))
    lists = [
        reverse(name)
        for name in ("dashboard", "notification_list", "notification_settings", "delegation", "mine", "membership_list")
    ]
    lists += [reverse(name) for name in ("cases:list", "proposals:list", "aid:list", "aid:publicity", "aid:funds")]
    lists += [reverse("task_list", args=[box]) for box in ("inbox", "queue", "archive", "overseen")]
    lists += [
        reverse(name) for name in ("cases:file", "proposals:new", "aid:apply", "summaries:live", "summaries:close")
    ]
    pages |= {(url, world.tree.chair_a) for url in lists}
    assert {name for name in NO_RECORD} >= {"dashboard", "delegation"}
    found, read = {}, 0
    for url, user in sorted(pages, key=lambda p: (p[0], p[1].pk)):
        client.force_login(user)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        words = english_words(response.content.decode(), known | {user.username})
        if words:
            found[f"{url} as {user.username}"] = words
    assert read > 40, read  # it read pages, not refusals
    assert not found, "English on the pages:\n" + "\n".join(f"{k}: {v}" for k, v in found.items())
