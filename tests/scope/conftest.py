"""The fixtures of every domain, for tests that try each domain's records as each kind of reader."""

from tests.aid.conftest import aid_people, fund, period  # noqa: F401
from tests.cases.conftest import mediator, mediator_b, worker  # noqa: F401
from tests.proposals.conftest import congress, departments, people  # noqa: F401
