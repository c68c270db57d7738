"""The case rules hold at every door: the mediation stays with the case's mediator, the mediation
limit is extended once and only while mediating."""

import pytest

from cases import services
from cases.flows import GrievanceFlow
from tests.cases.conftest import file_kwargs
from tests.cases.test_case_flow import accept
from tests.factories import fresh, grant, make_user
from workflows import engine
from workflows.errors import PersonBoundTask
from workflows.roles import Role

pytestmark = pytest.mark.django_db


def test_the_mediation_stays_with_the_cases_mediator(tree, worker, mediator):
    """调解成功/调解不成 accept only the case's mediator: given to another, the case was stuck."""
    other = grant(make_user("mediator_a2", name="何调解", unit=tree.a, employer=tree.employer_a), Role.MEDIATOR, tree.a)
    case = accept(services.case_file(actor=worker, **file_kwargs()), mediator, mediator)
    mediation = engine.open_tasks_for(case).get(flow_task=GrievanceFlow.mediate)
    with pytest.raises(PersonBoundTask, match="张调解本人办理"):
        engine.task_reassign(task=mediation, actor=fresh(tree.chair_a), to_user=fresh(other))
    assert not engine.task_reassign_candidates(mediation).exists()
    mediation.refresh_from_db()
    assert mediation.owner == mediator
