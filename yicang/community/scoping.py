"""Community tenancy: the one place that decides which rows a user may see.

Every model that belongs to a community declares `community_path`, the lookup from it to its
Community ("" for Community itself). `scope()` narrows any queryset of such a model to the
communities of the user's staff memberships; national staff and superusers see everything. The
admin base class, the API mixins and the staff pages all call `scope()`, and nothing else filters
by tenant.
"""

from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from yicang.community.models import User

M = TypeVar("M", bound=models.Model)


def is_scoped(model: type[models.Model]) -> bool:
    return hasattr(model, "community_path")


def community_ids_of(user: "User | AnonymousUser") -> QuerySet[Any]:
    """The ids of the communities a user is staff of, as a subquery (no query runs here)."""
    membership = apps.get_model("community", "StaffMembership")
    ids: QuerySet[Any] = membership._default_manager.filter(user_id=user.pk).values("community_id")
    return ids


def scope(queryset: QuerySet[M], user: "User | AnonymousUser") -> QuerySet[M]:
    """Narrow `queryset` to what `user` may see; everything for national staff, nothing for strangers."""
    model = queryset.model
    if not is_scoped(model):
        raise ImproperlyConfigured(f"{model.__name__} has no community_path; it cannot be scoped.")
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.sees_all_communities:
        return queryset
    path: str = model.community_path  # type: ignore[attr-defined]
    ids = community_ids_of(user)
    if not path:
        return queryset.filter(pk__in=ids)
    if "__" in path and _is_multivalued(model, path):
        # Filtering across a to-many relation repeats rows; a subquery of keys does not.
        matching = model._default_manager.filter(**{f"{path}__in": ids}).values("pk")
        return queryset.filter(pk__in=matching)
    return queryset.filter(**{f"{path}__in": ids})


def _is_multivalued(model: type[models.Model], path: str) -> bool:
    current: type[models.Model] = model
    for name in path.split("__"):
        field = current._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        assert field.related_model is not None
        current = field.related_model  # type: ignore[assignment]
    return False


def get_scoped_or_404(queryset: QuerySet[M], user: "User | AnonymousUser", **lookup: Any) -> M:
    """One object the user may see, or 404: another community's object looks exactly like no object."""
    try:
        return scope(queryset, user).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


class CommunityScopedQuerySet(QuerySet[M]):
    def visible_to(self, user: "User | AnonymousUser") -> "QuerySet[M]":
        return scope(self, user)

    def in_community(self, community: models.Model) -> "QuerySet[M]":
        path: str = self.model.community_path  # type: ignore[attr-defined]
        return self.filter(**{path or "pk": community.pk})
