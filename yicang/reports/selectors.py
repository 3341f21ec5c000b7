from typing import TypedDict

from django.core.cache import cache
from django.db.models import Count

from yicang.community.models import Community, Household, Resident


class Figures(TypedDict):
    communities: int
    cities: int
    households: int
    residents: int
    cities_by_size: list[dict[str, object]]


HEADLINE_CACHE_KEY = "reports:headline-figures"


def headline_figures() -> Figures:
    """The programme's public headline figures; cached for a minute, since every portal visit shows them."""
    figures: Figures | None = cache.get(HEADLINE_CACHE_KEY)
    if figures is None:
        cities = list(
            Community.objects.order_by()
            .values("province", "city")
            .annotate(communities=Count("pk"))
            .order_by("-communities", "city")
        )
        figures = {
            "communities": sum(int(row["communities"]) for row in cities),
            "cities": len(cities),
            "households": Household.objects.count(),
            "residents": Resident.objects.count(),
            "cities_by_size": cities[:12],
        }
        cache.set(HEADLINE_CACHE_KEY, figures, timeout=60)
    return figures
