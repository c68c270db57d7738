"""The aid rules hold at every door (service, queue, API, page, bulk): the applicant's correction
stays the applicant's, a closed period and a lifted file refuse every move."""

import pytest

from aid.flows import AidFlow
from tests.aid.conftest import apply
from tests.aid.test_aid_flow import visit
from tests.factories import fresh
from workflows import engine
from workflows.errors import PersonBoundTask

pytestmark = pytest.mark.django_db


def test_the_applicants_correction_is_not_reassigned_although_its_step_names_no_role(tree, aid_people, period):
    """补正材料 has no role (only the applicant does it): before the rule any user at all was a valid
    target, because the target's role was checked only when the step had one."""
    application = apply(tree, aid_people["needy"])
    visit(application, tree.committee_a, returned=True, findings="缺少医院诊断证明")
    visit(application, aid_people["committee2"])
    correction = engine.open_tasks_for(application).get(flow_task=AidFlow.correct)
    with pytest.raises(PersonBoundTask, match="张小明本人办理"):
        engine.task_reassign(task=correction, actor=fresh(tree.chair_a), to_user=fresh(tree.committee_b))
    correction.refresh_from_db()
    assert correction.owner == aid_people["needy"]
