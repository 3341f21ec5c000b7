"""Who is asking: the signed-in user of a request, and the permission a page needs of them."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from yicang.community.models import User


def current_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request that only signed-in users reach.

    For views behind the admin, staff_member_required or login_required, and API views behind a
    permission class that refuses anonymous users; anywhere else it is a bug, and fails loudly.
    """
    user = request.user
    assert isinstance(user, User), "only for views that let signed-in users through"
    return user


def require_permission(user: User | AnonymousUser, permission: str) -> User:
    """The user, when they have `permission`; PermissionDenied (403) otherwise."""
    if not isinstance(user, User) or not user.has_perm(permission):
        raise PermissionDenied
    return user
