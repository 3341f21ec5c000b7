from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yicang.community.identity import ResidentId, parse_resident_id
from yicang.community.models import Community, Resident, SensitiveAccess, StaffMembership, User
from yicang.community.roles import ROLE_PERMISSIONS, group_name
from yicang.core.crypto import keyed_hash, seal
from yicang.core.exceptions import DomainError
from yicang.core.sensitive import Sensitive


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


def checked_id_number(number: str, *, resident: Resident | None) -> ResidentId:
    """A valid ID number not yet registered to anyone but `resident`; ValidationError otherwise."""
    parsed = parse_resident_id(number)
    others = Resident.objects.filter(id_number_hash=keyed_hash(parsed.number))
    if resident is not None and resident.pk:
        others = others.exclude(pk=resident.pk)
    if others.exists():
        # Says no more than that: staff of one community must not learn who is registered elsewhere.
        raise ValidationError(_("This ID number is already registered to another resident."), code="id_duplicate")
    return parsed


@transaction.atomic
def set_id_number(*, resident: Resident, number: str, by: User) -> Resident:
    """Record a verified resident ID number: sealed, hashed for duplicates, last four digits kept.

    Raises ValidationError (invalid, or already registered to another resident); nothing is saved then.
    """
    parsed = checked_id_number(number, resident=resident)
    resident.id_number_sealed = seal(parsed.number)
    resident.id_number_hash = keyed_hash(parsed.number)
    resident.id_number_last4 = parsed.last4
    resident.birth_year = parsed.birth_date.year
    resident.id_verified_at = timezone.now()
    resident.id_verified_by = by
    resident.save()
    return resident


def _subject_label(obj: Model) -> str:
    return str(obj)[:120]


def record_access(*, obj: Model, field: str, user: User, reason: str, action: str) -> SensitiveAccess:
    """Write one line of the access log about `obj` (which must belong to a community)."""
    return SensitiveAccess.objects.create(
        community_id=obj.community_id,  # type: ignore[attr-defined]
        user=user,
        subject_type=ContentType.objects.get_for_model(obj),
        subject_id=obj.pk,
        subject_label=_subject_label(obj),
        field=field,
        action=action,
        reason=reason,
    )


@transaction.atomic
def reveal(*, obj: Model, field: str, user: User, reason: str) -> str:
    """The plain value of one sensitive field, for a user with its permission; the look is logged.

    Raises PermissionDenied without the permission and DomainError without a reason.
    """
    spec: Sensitive = obj.SENSITIVE[field]  # type: ignore[attr-defined]
    if not user.has_perm(spec.permission):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why you need to see it; the reason is kept in the access log."))
    record_access(obj=obj, field=field, user=user, reason=reason, action=SensitiveAccess.Action.REVEAL)
    return spec.read(obj)
