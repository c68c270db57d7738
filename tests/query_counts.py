"""One helper for the "no N+1" tests: a page's statements with a few records and with many."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def statements_of(client, url, *, body=False):
    client.get(url)  # warm what is cached per process (content types, the badges)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(captured.captured_queries)
    return (count, response.content.decode()) if body else count


def assert_no_n_plus_one(client, url, grow, *, shown, few=3, many=30, most):
    """``grow(n)`` brings the records to ``n``; the page shows more of them (``shown(html)`` counts
    the rows; ``None`` for a page of figures) yet costs the same with ``few`` and ``many``, and at
    most ``most`` statements."""
    grow(few)
    before, page = statements_of(client, url, body=True)
    assert shown is None or shown(page) == few, (url, shown(page))
    grow(many)
    after, page = statements_of(client, url, body=True)
    assert shown is None or shown(page) > few, (url, shown(page))
    assert before == after <= most, (url, before, after)
