"""The org tree and the scope every selector applies in SQL."""

import pytest

from tests.factories import fresh, grant, make_user
from workflows import services
from workflows.models import OrgUnit
from workflows.roles import Role
from workflows.selectors import org_units_in_scope, tasks_claimable, users_with_role

pytestmark = pytest.mark.django_db


def test_paths_nest_and_follow_a_moved_unit(tree):
    assert tree.a_branch.path.startswith(tree.a.path) and tree.a.path.startswith(tree.top.path)
    assert set(tree.a.subtree()) == {tree.a, tree.a_branch}
    assert set(tree.a_branch.ancestors()) == {tree.top, tree.a, tree.a_branch}
    tree.a.parent = None
    tree.a.save()
    tree.a_branch.refresh_from_db()
    assert tree.a_branch.path.startswith(tree.a.path) and not tree.a_branch.path.startswith(tree.top.path)
    assert tree.a_branch.depth == 1


def test_a_unit_cannot_move_below_itself(tree):
    tree.a.parent = tree.a_branch
    with pytest.raises(ValueError):
        tree.a.save()


def test_scope_is_the_units_below_each_role(tree):
    assert set(org_units_in_scope(fresh(tree.committee_a))) == {tree.a, tree.a_branch}
    assert set(org_units_in_scope(fresh(tree.chair))) == set(OrgUnit.objects.all())
    assert set(org_units_in_scope(fresh(tree.committee_b))) == {tree.b}
    assert list(org_units_in_scope(fresh(tree.applicant_b))) == []


def test_scope_reads_the_roles_once_per_request(tree, django_assert_num_queries):
    """The role rows are read once per user object (one request); each scope is then one query."""
    user = fresh(tree.committee_a)
    with django_assert_num_queries(2):
        list(org_units_in_scope(user, perm="cases.view_grievancecase"))
    with django_assert_num_queries(1):
        list(org_units_in_scope(user, perm="workflows.review_membershipapplication"))


def test_scope_is_per_role(tree):
    """A mediator in B and a committee member in A reviews A's applications only."""
    user = grant(make_user("both", unit=tree.a, employer=tree.employer_a), Role.COMMITTEE, tree.a)
    grant(user, Role.MEDIATOR, tree.b)
    mine = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    services.membership_apply(actor=tree.applicant_b, statement="本人自愿加入工会，遵守章程。")
    titles = [t.process.unionprocess.title for t in tasks_claimable(fresh(user))]
    assert titles == [f"入会申请（第{mine.pk}号）"]  # the stored title names nobody (workflows.pii)


def test_has_perm_respects_the_objects_unit(tree):
    committee = fresh(tree.committee_a)
    assert committee.has_perm("workflows.review_membershipapplication", tree.a_branch)
    assert not committee.has_perm("workflows.review_membershipapplication", tree.b)
    assert not committee.has_perm("workflows.review_membershipapplication", tree.top)


def test_users_with_role_looks_upwards(tree):
    assert set(users_with_role(Role.CHAIR, tree.a_branch)) == {tree.chair, tree.chair_a}
    assert set(users_with_role(Role.CHAIR, tree.b)) == {tree.chair}
