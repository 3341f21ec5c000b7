from django.db.models import Q, QuerySet

from yicang.community.models import Community, Household, Resident, User
from yicang.core import public_cache
from yicang.core.db import subquery_count


def communities_for_staff(user: User, *, search: str = "") -> QuerySet[Community]:
    """The user's communities with their household and resident counts, in one query."""
    communities = Community.objects.visible_to(user)
    if search:
        communities = communities.filter(
            Q(name__icontains=search)
            | Q(street__icontains=search)
            | Q(district__icontains=search)
            | Q(city__icontains=search)
        )
    return communities.annotate(
        household_count=subquery_count(Household.objects.all(), "community"),
        resident_count=subquery_count(Resident.objects.all(), "community"),
    )


def households_of(community: Community, *, search: str = "") -> QuerySet[Household]:
    """A community's households with their member counts, optionally by name or address."""
    households = Household.objects.in_community(community)
    if search:
        households = households.filter(Q(name__icontains=search) | Q(address__icontains=search))
    return households.annotate(member_count=subquery_count(Resident.objects.all(), "household")).order_by("name", "pk")


def public_community_id(code: str) -> int | None:
    """The id of the community with this code, for public answers: cached, so a repeated answer needs no query."""

    def find() -> int | None:
        return Community.objects.filter(code=code).values_list("pk", flat=True).first()

    return public_cache.cached([], f"community-id:{code}", find)
