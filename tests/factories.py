"""Test data built through the real models and services: an org tree with two 基层工会."""

import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from workflows.models import EmployerUnit, Member, OrgUnit, RoleAssignment
from workflows.roles import Role

_seq = itertools.count(1)


def make_user(
    username=None,
    *,
    name="测试用户",
    unit=None,
    employer=None,
    member=True,
    membership=Member.Membership.MEMBER,
    **extra,
):
    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=username or f"user{n}",
        password="pw-for-tests-1",
        first_name=name,
        email=f"{username or f'user{n}'}@example.org",
        **extra,
    )
    if member:
        Member.objects.create(
            user=user,
            employee_no=f"E{n:05d}",
            department="一车间",
            employer_unit=employer,
            org_unit=unit,
            membership=membership,
        )
    return user


def grant(user, role, unit):
    RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
    for attr in ("_unionflow_role_cache", "_perm_cache", "_user_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


@dataclass
class Tree:
    top: OrgUnit
    a: OrgUnit
    a_branch: OrgUnit
    b: OrgUnit
    employer_a: EmployerUnit
    employer_b: EmployerUnit
    chair: object  # chair of the top union
    chair_a: object
    committee_a: object
    committee_b: object
    applicant_a: object
    applicant_b: object


def make_tree():
    top = OrgUnit.objects.create(name="开发区总工会", code="top", kind=OrgUnit.Kind.UPPER)
    a = OrgUnit.objects.create(name="甲公司工会", code="a", kind=OrgUnit.Kind.BASE, parent=top)
    a_branch = OrgUnit.objects.create(name="甲公司一车间分会", code="a-1", kind=OrgUnit.Kind.BRANCH, parent=a)
    b = OrgUnit.objects.create(name="乙公司工会", code="b", kind=OrgUnit.Kind.BASE, parent=top)
    employer_a = EmployerUnit.objects.create(name="甲公司", industry="制造", size="large", org_unit=a)
    employer_b = EmployerUnit.objects.create(name="乙公司", industry="物流", size="small", org_unit=b)
    chair = grant(make_user("chair", name="陈主席", unit=top, employer=employer_a), Role.CHAIR, top)
    chair_a = grant(make_user("chair_a", name="甲主席", unit=a, employer=employer_a), Role.CHAIR, a)
    committee_a = grant(make_user("committee_a", name="李委员", unit=a, employer=employer_a), Role.COMMITTEE, a)
    committee_b = grant(make_user("committee_b", name="王委员", unit=b, employer=employer_b), Role.COMMITTEE, b)
    applicant_a = grant(
        make_user(
            "applicant_a", name="张三", unit=a_branch, employer=employer_a, membership=Member.Membership.NON_MEMBER
        ),
        Role.EMPLOYEE,
        a,
    )
    applicant_b = make_user(
        "applicant_b", name="赵四", unit=b, employer=employer_b, membership=Member.Membership.NON_MEMBER
    )
    return Tree(
        top, a, a_branch, b, employer_a, employer_b, chair, chair_a, committee_a, committee_b, applicant_a, applicant_b
    )


def fresh(user):
    """The same user without cached permissions (as on the next request)."""
    return get_user_model().objects.get(pk=user.pk)
