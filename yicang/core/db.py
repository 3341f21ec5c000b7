from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def subquery_count(related: QuerySet[Any], field: str) -> Coalesce:
    """An annotation counting the rows of `related` whose `field` points at the outer row.

    A correlated subquery rather than Count() over a join: two such counts on one queryset then
    do not multiply each other, and the outer query needs no GROUP BY.
    """
    per_row = related.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_row), 0)
