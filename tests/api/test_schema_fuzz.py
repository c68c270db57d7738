"""The OpenAPI schema is the truth: schemathesis generates requests from it for two roles and runs
all its default checks on every response (status documented, body matching its schema, a valid
body accepted, an invalid one refused, no 500).

The budget is small here (``FUZZ_EXAMPLES``, default 10 per operation); ``make fuzz`` runs the same
test with a large one.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from workflows.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# make test replays the same examples every run; make fuzz explores new ones each time
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# The schema /api/schema/ serves, generated here so collection needs no database or login.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    """Calls go straight into the WSGI app, whose request signals would close the test's
    connection (and its transaction); Django's test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers(user):
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    return {"Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}", "X-CSRFToken": csrf}


@pytest.fixture(params=["chair", "committee_a"])
def caller(request, tree):
    """The two roles the API is fuzzed as: the chair (widest rights) and a committee member."""
    return _headers(getattr(tree, request.param))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not RANDOM)
def test_the_api_behaves_as_its_schema_says(case, caller):
    case.call_and_validate(headers=caller)
