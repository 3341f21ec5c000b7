from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from yicang.community.models import Community, StaffMembership, User
from yicang.community.roles import ROLE_PERMISSIONS, group_name


@transaction.atomic
def sync_role_groups() -> list[Group]:
    """Create or update one permission group per staff role, from ROLE_PERMISSIONS. Idempotent."""
    groups = []
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = Q(pk__in=[])
        for code in codes:
            app_label, codename = code.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(wanted))
        missing = set(codes) - {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        if missing:
            raise LookupError(f"Unknown permissions for role {role}: {', '.join(sorted(missing))}")
        group.permissions.set(permissions)
        groups.append(group)
    return groups


@transaction.atomic
def sync_user_groups(user: User) -> None:
    """Give a user exactly the role groups of their memberships; other groups are left alone."""
    role_groups = list(Group.objects.filter(name__in=[group_name(role) for role in ROLE_PERMISSIONS]))
    if len(role_groups) < len(ROLE_PERMISSIONS):
        role_groups = sync_role_groups()
    roles = set(StaffMembership.objects.filter(user=user).values_list("role", flat=True))
    wanted = {group_name(role) for role in roles}
    user.groups.remove(*[g for g in role_groups if g.name not in wanted])
    user.groups.add(*[g for g in role_groups if g.name in wanted])
    if roles and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def add_staff_member(*, user: User, community: Community, role: str) -> StaffMembership:
    """Make `user` staff of `community` with `role` (or change their role there)."""
    membership, _ = StaffMembership.objects.update_or_create(user=user, community=community, defaults={"role": role})
    sync_user_groups(user)
    return membership


@transaction.atomic
def remove_staff_member(membership: StaffMembership) -> None:
    """End a membership; the user loses the role's permissions unless another membership gives them."""
    user = membership.user
    membership.delete()
    sync_user_groups(user)
