import pytest

from tests.factories import CommunityFactory, UserFactory
from yicang.community.models import StaffMembership
from yicang.community.roles import group_name
from yicang.community.services import add_staff_member, remove_staff_member

pytestmark = pytest.mark.django_db


def test_a_membership_gives_its_roles_permissions_and_staff_status() -> None:
    user = UserFactory()

    add_staff_member(user=user, community=CommunityFactory(), role=StaffMembership.Role.WAREHOUSE)
    user.refresh_from_db()

    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [group_name("warehouse")]
    assert user.has_perm("community.view_household")
    assert not user.has_perm("community.add_household")


def test_ending_a_membership_removes_only_that_roles_group() -> None:
    user = UserFactory()
    kept = add_staff_member(user=user, community=CommunityFactory(), role=StaffMembership.Role.STAFF)
    ended = add_staff_member(user=user, community=CommunityFactory(), role=StaffMembership.Role.MANAGER)

    remove_staff_member(ended)

    assert list(user.groups.values_list("name", flat=True)) == [group_name("staff")]
    assert list(StaffMembership.objects.filter(user=user)) == [kept]


def test_changing_a_role_in_a_community_replaces_the_membership_not_adds_one() -> None:
    user, community = UserFactory(), CommunityFactory()

    add_staff_member(user=user, community=community, role=StaffMembership.Role.STAFF)
    add_staff_member(user=user, community=community, role=StaffMembership.Role.MANAGER)

    assert list(StaffMembership.objects.filter(user=user).values_list("role", flat=True)) == ["manager"]
    assert list(user.groups.values_list("name", flat=True)) == [group_name("manager")]
