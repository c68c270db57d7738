import datetime

import pytest
from django.utils import timezone

from proposals import services
from proposals.models import Congress, Department
from tests.factories import fresh, grant, make_user
from workflows.models import Member
from workflows.roles import Role


def representative(tree, username, name):
    user = make_user(username, name=name, unit=tree.a_branch, employer=tree.employer_a)
    Member.objects.filter(user=user).update(is_representative=True)
    return user


@pytest.fixture
def congress(tree):
    today = timezone.localdate()
    return Congress.objects.create(
        org_unit=tree.a,
        name="甲公司第五届职代会第二次会议",
        window_opens=today - datetime.timedelta(days=10),
        window_closes=today + datetime.timedelta(days=10),
    )


@pytest.fixture
def people(tree):
    p = {
        "proposer": representative(tree, "rep1", "周代表"),
        "rep2": representative(tree, "rep2", "吴代表"),
        "rep3": representative(tree, "rep3", "郑代表"),
        "committee": grant(
            make_user("tiwei", name="提委会", unit=tree.a, employer=tree.employer_a), Role.PROPOSAL_COMMITTEE, tree.a
        ),
        "lead": grant(
            make_user("hr", name="人事部联络人", unit=tree.a, employer=tree.employer_a), Role.DEPARTMENT, tree.a
        ),
        "co": grant(
            make_user("logistics", name="后勤部联络人", unit=tree.a, employer=tree.employer_a), Role.DEPARTMENT, tree.a
        ),
        "outsider_rep": None,
    }
    outsider = make_user("rep_b", name="乙代表", unit=tree.b, employer=tree.employer_b)
    Member.objects.filter(user=outsider).update(is_representative=True)
    p["outsider_rep"] = outsider
    return p


@pytest.fixture
def departments(tree, people):
    return {
        "lead": Department.objects.create(org_unit=tree.a, name="人力资源部", contact=people["lead"]),
        "co": Department.objects.create(org_unit=tree.a, name="后勤保障部", contact=people["co"]),
    }


def draft(congress, user, **overrides):
    data = {
        "title": "关于增设夜班职工休息室的提案",
        "category": "welfare",
        "cause": "夜班职工工间休息没有固定场所。",
        "measures": "在一车间东侧增设休息室一间，配备空调和饮水机。",
    }
    data.update(overrides)
    return services.proposal_draft(actor=fresh(user), congress=congress, **data)


def submitted(congress, people, **overrides):
    proposal = draft(congress, people["proposer"], **overrides)
    services.proposal_second(proposal=proposal, actor=fresh(people["rep2"]))
    services.proposal_second(proposal=proposal, actor=fresh(people["rep3"]))
    return services.proposal_submit(proposal=proposal, actor=fresh(people["proposer"]))
