from typing import Any

from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request


class IsCommunityStaff(DjangoModelPermissions):
    """The API's default: an active staff user with the model permission for the method.

    Reads need `view_` too: staff of the warehouse should not list every household just because
    they can log in. Which rows they then reach is the business of community scoping.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        return super().has_permission(request, view)
