"""What each staff role may do, as Django model permissions.

A staff membership's role decides its user's permission groups (see services.sync_user_groups);
which rows those permissions reach is decided by the memberships' communities (scoping.py). Apps
above this one add their own permissions with `grant()` from their AppConfig.ready().
"""

from yicang.community.models import StaffMembership

Role = StaffMembership.Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.MANAGER: {
        "community.view_community",
        "community.change_community",
        "community.view_household",
        "community.add_household",
        "community.change_household",
        "community.view_resident",
        "community.add_resident",
        "community.change_resident",
        "community.view_staffmembership",
        "community.add_staffmembership",
        "community.change_staffmembership",
        "community.delete_staffmembership",
        "community.view_user",
        "community.reveal_id_number",
        "community.export_resident",
        "community.anonymise_resident",
        "community.view_sensitiveaccess",
    },
    Role.WAREHOUSE: {
        "community.view_community",
        "community.view_household",
        "community.view_resident",
    },
    Role.STAFF: {
        "community.view_community",
        "community.view_household",
        "community.add_household",
        "community.change_household",
        "community.view_resident",
        "community.add_resident",
        "community.change_resident",
    },
}


def grant(role: str, *permissions: str) -> None:
    ROLE_PERMISSIONS[role].update(permissions)


def group_name(role: str) -> str:
    return f"yicang:{role}"
