"""The API's side of community tenancy, and the staff endpoints for communities and people.

Every staff viewset extends ScopedViewSetMixin (lists and objects go through `scope()`, so another
community's object is a 404) and serialises with ScopedModelSerializer (a foreign key may only name
a row the user may see, so another community's id is a 400).
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from yicang.community.filters import ScopedFilterSet
from yicang.community.models import Community, Household, Resident
from yicang.community.scoping import is_scoped, scope
from yicang.community.selectors import public_community_id
from yicang.core import public_cache
from yicang.core.api import CleanModelSerializer


def about_community(view: Any, request: Request, kwargs: dict[str, Any]) -> list[str] | None:
    """cached_answer's topics for a public answer about the community whose code is in the URL; None if unknown."""
    community_id = public_community_id(kwargs["code"])
    return None if community_id is None else [public_cache.community_topic(community_id)]


class ScopedViewSetMixin(GenericAPIView[Any]):
    def get_queryset(self) -> QuerySet[Any]:
        return scope(super().get_queryset(), self.request.user)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None, "a writable related field has a queryset"
        request = self.context.get("request")
        if is_scoped(queryset.model):
            return scope(queryset, request.user) if request else queryset.none()
        return queryset


class ScopedModelSerializer(CleanModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField


class CommunitySerializer(ScopedModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "code", "name", "street", "district", "city", "province"]


class HouseholdSerializer(ScopedModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "community", "name", "address", "created_at"]
        read_only_fields = ["created_at"]


class ResidentSerializer(ScopedModelSerializer):
    class Meta:
        model = Resident
        fields = ["id", "community", "household", "name", "gender", "birth_year"]


class CommunityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Community]):
    """The communities the user is staff of (all of them for national staff)."""

    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_fields = ["city", "district", "street"]


class HouseholdFilter(ScopedFilterSet):
    search = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name contains"))

    class Meta:
        model = Household
        fields = ["community"]


class ScopedRecordViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Any],
):
    """List, read, create and change a community's records; never delete them, history refers to them."""


class HouseholdViewSet(ScopedRecordViewSet):
    """Households of the user's communities."""

    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter


class ResidentViewSet(ScopedRecordViewSet):
    """Residents of the user's communities."""

    queryset = Resident.objects.all()
    serializer_class = ResidentSerializer
    filterset_fields = ["community", "household", "gender"]
