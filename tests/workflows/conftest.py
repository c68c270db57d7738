"""Fixtures of the desk's tests: a membership review held by 李委员 and a colleague to involve."""

import pytest

from tests.factories import fresh, grant, make_user
from workflows import engine, services
from workflows.roles import Role


@pytest.fixture
def colleague(tree):
    """钱委员: a second committee member of 甲's union."""
    user = make_user("committee_a2", name="钱委员", unit=tree.a, employer=tree.employer_a)
    return grant(user, Role.COMMITTEE, tree.a)


@pytest.fixture
def held(tree):
    """(application, task): a membership review that 李委员 (committee_a) has claimed."""
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守工会章程。")
    task = engine.open_tasks_for(application).get()
    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    task.refresh_from_db()
    return application, task
